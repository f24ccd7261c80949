"""Hidden checks for `numerical_gradient` (central finite differences).

A wrong gradient is named by reproducing it: `MISTAKES` simulates numerical_gradient in
float64 with one known mistake switched on. Distances between gradients are the lesson's
relative error, computed by the reference's relative_error.
"""

import math

import torch
from torch import Tensor

from looplab.checks import (Function, Mistakes, StudentError, drive, expect, fail, kind, likely,
                            points, unfinished)

from .functions import (BLACK_BOX, BUMPS, CUBIC_SINE, DETERMINANT, MARK, ROWS, SQUARES, TANH_COS,
                        WAVE, about, point)


def simulate(f, x: Tensor, h: float, mistake: str) -> Tensor:
    """numerical_gradient with one mistake switched on, in float64."""
    x = x.detach().double().clone()
    if mistake == "all_at_once":
        return torch.full_like(x, (float(f(x + h)) - float(f(x - h))) / (2 * h))
    flat, grad = x.view(-1), torch.empty(x.numel(), dtype=torch.float64)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + h
        plus = float(f(x))
        flat[i] = old - h
        minus = float(f(x))
        if mistake != "not_restored":
            flat[i] = old
        if mistake == "forward":
            grad[i] = (plus - float(f(x))) / h
        elif mistake == "backward":
            grad[i] = (float(f(x)) - minus) / h
        elif mistake == "over_h":
            grad[i] = (plus - minus) / h
        elif mistake == "reversed":
            grad[i] = (minus - plus) / (2 * h)
        else:
            grad[i] = (plus - minus) / (2 * h)
    return grad.reshape(x.shape)


CENTRAL = "use central differences (f(x + h e_i) - f(x - h e_i)) / (2h)"
MISTAKES = Mistakes({
    "forward": f"forward differences (f(x + h e_i) - f(x)) / h, whose error shrinks only like h; {CENTRAL}",
    "backward": f"backward differences (f(x) - f(x - h e_i)) / h, whose error shrinks only like h; {CENTRAL}",
    "over_h": "the difference f(x + h e_i) - f(x - h e_i) is divided by h instead of 2h, so every "
              "entry is twice the gradient",
    "all_at_once": "every entry of x is moved by h at once; perturb one entry at a time (x + h e_i)",
    "not_restored": "a perturbed entry is not put back before the next one is perturbed",
    "reversed": "the difference is taken the wrong way round, f(x - h e_i) - f(x + h e_i)",
}, simulate)


def read_gradient(value, x: Tensor, what: str, *, strict: bool = False) -> Tensor:
    """The student's gradient in x's layout; `strict` also asks for x's shape and dtype.

    Without `strict`, a tensor with x's number of entries but another shape or dtype is read
    in x's layout: the check that asks for the shape and dtype judges those.
    """
    if not isinstance(value, Tensor):
        fail(f"{what} returned a {kind(value)}; the contract asks for a tensor of x's shape and "
             f"dtype (fill a tensor made with torch.empty_like(x) or torch.zeros_like(x))")
    if strict:
        expect(tuple(value.shape) == tuple(x.shape),
               f"{what} ({about(x)}) returned a tensor of shape {tuple(value.shape)}; the "
               f"gradient must have x's shape, entry for entry (do not flatten it)")
        expect(value.dtype == x.dtype,
               f"{what} ({about(x)}) returned a {str(value.dtype).removeprefix('torch.')} tensor; "
               f"the gradient must have x's dtype"
               + ("; torch.zeros(x.shape) is always float32, torch.zeros_like(x) keeps the dtype"
                  if value.dtype == torch.float32 else ""))
    expect(value.numel() == x.numel(),
           f"{what} ({about(x)}) returned a tensor of shape {tuple(value.shape)} with "
           f"{value.numel()} entries; expected one entry per entry of x ({x.numel()})")
    return value.detach().reshape(x.shape)


def expect_accurate(student, reference, f, x: Tensor, h: float, limit: float, *,
                    strict: bool = False) -> None:
    """The student's numerical gradient of f at x is within `limit` of autograd's."""
    got = read_gradient(student.numerical_gradient(f.remote(x), x, h), x, "numerical_gradient",
                        strict=strict)
    err = reference.relative_error(got, f.gradient(x))
    if not err <= limit:  # also catches nan
        mistake = None
        if x.dtype == torch.float64:  # the simulations are float64: only there do they match
            mistake = MISTAKES.diagnose(got, MISTAKES.messages, f=f.local(), x=x, h=h,
                                        same=lambda a, b: reference.relative_error(a, b) <= 1e-7)
        fail(f"numerical_gradient with {f.label}, {about(x)}, h={h:g}: relative error {err:.2e} "
             f"against the exact gradient (autograd), expected below {limit:.0e}" + likely(mistake))


@points("numerical_gradient", 1)
def test_matches_autograd_on_vectors_in_float64(student, reference):
    # h = 1e-4: central differences are good to about 1e-9 here, forward ones only to 1e-5
    expect_accurate(student, reference, CUBIC_SINE, point((5,), seed=1), 1e-4, 1e-6)
    expect_accurate(student, reference, TANH_COS, point((8,), seed=2), 1e-4, 1e-6)
    expect_accurate(student, reference, SQUARES, point((6,), seed=3), 1e-3, 1e-6)


@points("numerical_gradient", 1)
def test_matches_autograd_on_matrices_and_3d_tensors_in_float64(student, reference):
    expect_accurate(student, reference, ROWS, point((3, 4), seed=4), 1e-5, 1e-6)
    expect_accurate(student, reference, DETERMINANT, point((3, 3), seed=5, scale=0.7), 1e-5, 1e-6)
    expect_accurate(student, reference, BUMPS, point((2, 3, 2), seed=6), 1e-5, 1e-6)


@points("numerical_gradient", 1)
def test_keeps_shape_and_dtype_for_every_shape(student, reference):
    cases = [(WAVE, (), torch.float64, 1e-5), (TANH_COS, (7,), torch.float32, 1e-2),
             (ROWS, (2, 5), torch.float32, 1e-2), (BUMPS, (2, 2, 3), torch.float64, 1e-5)]
    for k, (f, shape, dtype, h) in enumerate(cases):
        limit = 1e-3 if dtype == torch.float32 else 1e-6
        expect_accurate(student, reference, f, point(shape, seed=10 + k, dtype=dtype), h, limit,
                        strict=True)


@points("numerical_gradient", 0.5)
def test_treats_f_as_a_black_box_that_may_return_a_float(student, reference):
    x = point((3, 2), seed=20)
    try:
        expect_accurate(student, reference, BLACK_BOX, x, 1e-5, 1e-6)
    except StudentError as err:
        if unfinished(err):
            raise
        text = f"{err.message}\n{err.detail}"
        if "backward" in text or "does not require grad" in text or ".grad" in text:
            fail(f"numerical_gradient raised {err.message:.120} on an f computed with Python floats: "
                 f"finite differences only evaluate f; they never use autograd (.backward, .grad)")
        if "'float' object" in err.message:
            fail(f"numerical_gradient raised {err.message:.120}: f may return a Python float as "
                 f"well as a one-element tensor; read its value with float(f(x)), not f(x).item()")
        raise

    # an f that fails: its error must reach the caller unchanged, with x restored first
    failing = Function("def f(x):\n    raise ArithmeticError('looplab: f cannot be evaluated here')\n", "f")
    x = point((4,), seed=21)
    try:
        raised, after = drive(student, "numerical_gradient", _until_f_fails, failing, x, 1e-5)
    except StudentError as err:
        if unfinished(err):
            raise
        fail(f"when f raised ArithmeticError, numerical_gradient raised {err.message:.120}; let "
             f"f's exceptions propagate unchanged")
    expect(raised, "numerical_gradient returned a result although f raised ArithmeticError on "
                   "every call; let f's exceptions propagate (do not catch them)")
    expect(isinstance(after, Tensor) and torch.equal(after, x),
           f"numerical_gradient let f's ArithmeticError through but left x changed ({about(x)}): "
           f"put the saved entry back before the error propagates, in a try/finally around the "
           f"two evaluations")


def _until_f_fails(f, x, h):
    """Runs in the student process: numerical_gradient with an f that raises, then x."""
    try:
        numerical_gradient(f, x, h)  # noqa: F821 - the student's, in the driver's scope
    except ArithmeticError:
        return [True, x]
    return [False, x]


def changed_entries(before: Tensor, after: Tensor, h: float) -> str:
    """Why x came back different: entries left perturbed, or last digits lost."""
    if before.shape != after.shape or before.dtype != after.dtype:
        return f" (it came back with shape {tuple(after.shape)} and dtype {after.dtype})"
    diff = (after.double() - before.double()).abs()
    changed = int((diff > 0).sum())
    if torch.allclose(after.double(), before.double(), atol=0.0,
                      rtol=1e-5 if before.dtype == torch.float32 else 1e-12):
        return (f": {changed} entries differ in their last digits. Adding h and then subtracting "
                f"it again does not always give back the same floating-point number; save the "
                f"entry before perturbing it and put the saved value back")
    if math.isclose(diff.max().item(), h, rel_tol=1e-3):
        return (f": {changed} entries were left moved by h; put each perturbed entry back (to "
                f"its saved value) before perturbing the next one")
    return f": {changed} entries changed"


@points("numerical_gradient", 1)
def test_leaves_x_exactly_as_it_was(student):
    for shape, dtype, h, seed in [((4, 3), torch.float64, 1e-3, 30), ((9,), torch.float32, 1e-2, 31)]:
        x = point(shape, seed=seed, dtype=dtype)
        after = student.call("numerical_gradient", TANH_COS.remote(x), x, h, return_args=True)["args_after"][1]
        if not (isinstance(after, Tensor) and after.shape == x.shape
                and after.dtype == x.dtype and torch.equal(after, x)):
            fail(f"numerical_gradient changed its input x ({about(x)}, h={h:g})"
                 + (changed_entries(x, after, h) if isinstance(after, Tensor) else "")
                 + "; when it returns, every entry of x must hold exactly its original value")


@points("numerical_gradient", 0.5)
def test_evaluates_f_twice_per_entry(student):
    x = point((3, 4), seed=40)
    limit = 2 * x.numel()
    try:
        student.numerical_gradient(SQUARES.remote(x, max_calls=limit), x, 1e-4)
    except StudentError as err:
        if "evaluated more than" in err.message and MARK in err.message:
            fail(f"numerical_gradient evaluated f more than 2 * x.numel() = {limit} times for "
                 f"{about(x)}: central differences need exactly two evaluations per entry, "
                 f"f(x + h e_i) and f(x - h e_i); f(x) itself is never needed")
        raise
