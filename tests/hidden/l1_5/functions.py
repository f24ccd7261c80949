"""Scalar functions the checks hand to the student's code, as source text.

A `Scalar` is a function of one tensor written as Python source that defines
`_f(x)` (and, for the gradient checks, a hand-derived `_grad(x)`). The student's
process rebuilds it from the source (`looplab.checks.Function`, with
`torch` and `math` in scope); the checker builds the same source here and takes
the exact gradient with autograd in float64.

The remote copy is wrapped in a guard: it refuses to be called with anything but
a tensor of x's shape and dtype, and, given `max_calls`, counts its evaluations,
so a wrong call fails with a message that says what happened. It returns a
detached value: finite differences only evaluate f, and autograd cannot stand in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor

from looplab.checks import Function, describe, gen

MARK = "looplab:"  # starts every message the guard raises

GUARD = '''

_calls = 0


def _expect_x(name, x):
    if not isinstance(x, torch.Tensor) or tuple(x.shape) != {shape} or x.dtype != {dtype}:
        got = (f"a tensor of shape {{tuple(x.shape)}} and dtype {{x.dtype}}"
               if isinstance(x, torch.Tensor) else f"a {{type(x).__name__}}")
        raise TypeError(f"{mark} {{name}} expects a tensor of x's shape {shape} and dtype {dtype}, "
                        f"got {{got}}")


def {name}(x):
    global _calls
    _calls += 1
    if _calls > {max_calls}:
        raise RuntimeError("{mark} {name} was evaluated more than {max_calls} times for an x with "
                           "{numel} entries")
    _expect_x("{name}", x)
    value = {inner}(x)
    return value.detach() if isinstance(value, torch.Tensor) else value  # a number, not a graph
'''

AUTOGRAD = '''


def _grad(x):
    x64 = x.detach().to(torch.float64).requires_grad_(True)
    _f(x64).backward()
    return x64.grad  # float64, x's shape
'''


@dataclass(frozen=True)
class Scalar:
    label: str  # how messages name the function
    body: str  # source defining _f(x), and _grad(x) for the gradient checks
    twin: str = ""  # a differentiable source of the same _f, when body's is not

    def _source(self) -> str:
        return self.body.strip("\n") + "\n"

    def remote(self, x: Tensor, *, max_calls: int = 10**9) -> Function:
        """f for the student: `_f` behind the guard."""
        return Function(self._source() + _guard("f", "_f", x, max_calls), "f")

    def remote_gradient(self, x: Tensor, *, max_calls: int = 10**9) -> Function:
        """grad_f for the student: the body's `_grad`, or autograd on `_f` in float64."""
        source = self._source() + ("" if "def _grad(" in self.body else AUTOGRAD)
        return Function(source + _guard("grad_f", "_grad", x, max_calls), "grad_f")

    def local(self) -> Callable[[Tensor], Tensor | float]:
        return _build(self._source(), "_f")

    def gradient(self, x: Tensor) -> Tensor:
        """The exact gradient at x, by autograd in float64."""
        f = _build(self.twin or self._source(), "_f")
        x64 = x.detach().to(torch.float64).requires_grad_(True)
        f(x64).backward()
        return x64.grad


def _guard(name: str, inner: str, x: Tensor, max_calls: int) -> str:
    return GUARD.format(name=name, inner=inner, shape=repr(tuple(x.shape)), dtype=str(x.dtype),
                        max_calls=max_calls, numel=x.numel(), mark=MARK)


def _build(source: str, name: str):
    return Function(source, name).build()


def point(shape: tuple[int, ...], seed: int, dtype: torch.dtype = torch.float64,
          scale: float = 1.0) -> Tensor:
    """A random point x of the given shape, made in float64 and then cast."""
    return (scale * torch.randn(shape, generator=gen(seed), dtype=torch.float64)).to(dtype)


def about(x: Tensor) -> str:
    """How messages describe a point: `shape=(3, 4), dtype=float64`."""
    return describe(shape=tuple(x.shape), dtype=str(x.dtype).removeprefix("torch."))


CUBIC_SINE = Scalar("f(x) = sum(x**3) + prod(sin(x))", '''
def _f(x):
    return (x ** 3).sum() + torch.sin(x).prod()
''')

TANH_COS = Scalar("f(x) = 3 sum(tanh(x)**2) + sum(cos(x))", '''
def _f(x):
    return 3.0 * (torch.tanh(x) ** 2).sum() + torch.cos(x).sum()
''')

ROWS = Scalar("f(X) = sum over rows of logsumexp(row) + first row . last row (X is 2-D)", '''
def _f(x):
    return torch.logsumexp(x, dim=1).sum() + (x[0] * x[-1]).sum()
''')

DETERMINANT = Scalar("f(X) = det(X) + sum(X**2) + sum(exp(X) X) (X is square)", '''
def _f(x):
    return torch.linalg.det(x) + (x ** 2).sum() + (torch.exp(x) * x).sum()
''')

BUMPS = Scalar("f(x) = sum(x exp(-x**2)) + mean(x)**2", '''
def _f(x):
    return (x * torch.exp(-x ** 2)).sum() + x.mean() ** 2
''')

WAVE = Scalar("f(x) = sin(3x) + x**2 (x is 0-d)", '''
def _f(x):
    return (torch.sin(3 * x) + x ** 2).sum()
''')

BLACK_BOX = Scalar(
    "f(x) = sum(x exp(-x**2)) + 0.25 sum(x)**2, computed on Python floats (x.tolist())", '''
def _f(x):
    values = x.reshape(-1).tolist()  # plain Python floats: autograd cannot see through this
    return math.fsum(v * math.exp(-v * v) for v in values) + 0.25 * math.fsum(values) ** 2
''', twin='''
def _f(x):
    return (x * torch.exp(-x ** 2)).sum() + 0.25 * x.sum() ** 2
''')

SQUARES = Scalar("f(x) = sum(c x**2) with fixed weights c", '''
def _f(x):
    c = torch.arange(1, x.numel() + 1, dtype=x.dtype).reshape(x.shape)
    return (c * x ** 2).sum()
''')


# --- functions with a hand-derived gradient, right or wrong, for gradient_check --------

REGRESSION_DATA = '''
_g = torch.Generator().manual_seed(15)
_X = torch.randn(24, 3, generator=_g, dtype=torch.float64)  # (N, d)
_w = torch.tensor([[1.5], [-2.0], [0.5]], dtype=torch.float64)
_y = _X @ _w + 0.3 * torch.randn(24, 1, generator=_g, dtype=torch.float64)  # (N, 1)


def _f(w):
    return ((_X.to(w.dtype) @ w - _y.to(w.dtype)) ** 2).mean()  # w: (d, 1)
'''

QUADRATIC_DATA = '''
_A = torch.tensor([[2.0, 1.0, 0.0, -1.0], [0.5, 3.0, 1.0, 0.0], [0.0, -2.0, 1.5, 0.5],
                   [1.0, 0.0, 0.5, 2.5]], dtype=torch.float64)  # not symmetric
_b = torch.tensor([1.0, -1.0, 0.5, 2.0], dtype=torch.float64)


def _f(x):
    A, b = _A.to(x.dtype), _b.to(x.dtype)
    return 0.5 * x @ A @ x + b @ x  # x: (4,)
'''

LOGISTIC_DATA = '''
_g = torch.Generator().manual_seed(16)
_X = torch.randn(30, 4, generator=_g, dtype=torch.float64)
_t = torch.where(torch.randn(30, generator=_g) > 0, 1.0, -1.0).to(torch.float64)  # labels +-1


def _f(w):
    return torch.nn.functional.softplus(-_t.to(w.dtype) * (_X.to(w.dtype) @ w)).mean()  # w: (4,)
'''

SINE_SQUARES_DATA = '''
def _f(x):
    return (torch.sin(x) * x ** 2).sum()  # x: any shape
'''

QUARTIC_DATA = '''
def _f(x):
    return 1e6 * (x ** 4).sum() / 4  # large values, large gradient
'''


def hand(label: str, data: str, grad: str) -> Scalar:
    return Scalar(label, data.strip("\n") + "\n\n\n" + grad.strip("\n") + "\n")


REGRESSION = hand("mean squared error of X @ w against y, in w", REGRESSION_DATA, '''
def _grad(w):
    X, y = _X.to(w.dtype), _y.to(w.dtype)
    return 2.0 / X.shape[0] * X.T @ (X @ w - y)
''')

FLAT_REGRESSION = hand("mean squared error in w, its gradient flattened to shape (d,)", REGRESSION_DATA, '''
def _grad(w):
    X, y = _X.to(w.dtype), _y.to(w.dtype)
    return (2.0 / X.shape[0] * X.T @ (X @ w - y)).reshape(-1)  # (d,) for a (d, 1) w
''')

QUADRATIC = hand("0.5 x.A.x + b.x with A not symmetric", QUADRATIC_DATA, '''
def _grad(x):
    A, b = _A.to(x.dtype), _b.to(x.dtype)
    return 0.5 * (A + A.T) @ x + b
''')

LOGISTIC = hand("logistic loss mean(softplus(-t * (X @ w))), in w", LOGISTIC_DATA, '''
def _grad(w):
    X, t = _X.to(w.dtype), _t.to(w.dtype)
    return -(torch.sigmoid(-t * (X @ w)) * t) @ X / X.shape[0]
''')

SINE_SQUARES = hand("sum(sin(x) x**2)", SINE_SQUARES_DATA, '''
def _grad(x):
    return torch.cos(x) * x ** 2 + 2 * x * torch.sin(x)
''')

QUARTIC = hand("1e6 sum(x**4) / 4 (values and gradient around 1e6)", QUARTIC_DATA, '''
def _grad(x):
    return 1e6 * x ** 3
''')

# planted bugs: (what is wrong, the function with the wrong gradient, the shape of x)
PLANTED = [
    ("the factor 2 of the squared error is missing", hand(
        "mean squared error in w", REGRESSION_DATA, '''
def _grad(w):
    X, y = _X.to(w.dtype), _y.to(w.dtype)
    return 1.0 / X.shape[0] * X.T @ (X @ w - y)
'''), (3, 1)),
    ("A x + b is used although A is not symmetric (the gradient is (A + A.T) x / 2 + b)", hand(
        "0.5 x.A.x + b.x", QUADRATIC_DATA, '''
def _grad(x):
    A, b = _A.to(x.dtype), _b.to(x.dtype)
    return A @ x + b
'''), (4,)),
    ("the sign is flipped", hand("logistic loss in w", LOGISTIC_DATA, '''
def _grad(w):
    X, t = _X.to(w.dtype), _t.to(w.dtype)
    return (torch.sigmoid(-t * (X @ w)) * t) @ X / X.shape[0]
'''), (4,)),
    ("the largest entry is off by 0.1%", hand("sum(sin(x) x**2)", SINE_SQUARES_DATA, '''
def _grad(x):
    g = torch.cos(x) * x ** 2 + 2 * x * torch.sin(x)
    g.view(-1)[g.abs().argmax()] *= 1.001  # the largest entry
    return g
'''), (2, 3)),
    ("one entry is NaN", hand("sum(sin(x) x**2)", SINE_SQUARES_DATA, '''
def _grad(x):
    g = torch.cos(x) * x ** 2 + 2 * x * torch.sin(x)
    g.view(-1)[-1] = float("nan")
    return g
'''), (3, 2)),
]

SLIGHTLY_WRONG = hand("sum(sin(x) x**2), largest gradient entry off by 0.01%", SINE_SQUARES_DATA, '''
def _grad(x):
    g = torch.cos(x) * x ** 2 + 2 * x * torch.sin(x)
    g.view(-1)[g.abs().argmax()] *= 1.0001  # the largest entry
    return g
''')
