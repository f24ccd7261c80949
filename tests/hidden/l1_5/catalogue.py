"""Lesson 1.5's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake is the reference with one thing done wrong, in the
function it belongs to; it must lose points on that task (named there) and nowhere else. The
student's gradient_check and error_curve call their own numerical_gradient and relative_error,
but their checks run them with the reference's two (isolated.py), so no mistake spreads. Each
alternative is a correct solution in another style and keeps full marks.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_function

REFERENCE = reference_source("1.5")

# --- pieces of the reference that the mistakes change -------------------------------------

NG_LOOP = """        try:
            x[index] = saved + h
            f_plus = float(f(x))
            x[index] = saved - h
            f_minus = float(f(x))
        finally:
            x[index] = saved  # the exact original value, even if f raised"""
NG_STEP = "grad[index] = (f_plus - f_minus) / (2 * h)"
NG_EMPTY = "grad = torch.empty_like(x)  # same shape and dtype as x"
NG_RETURN = "        grad[index] = (f_plus - f_minus) / (2 * h)\n    return grad"
RE_GUARD = "    if a.shape != b.shape:\n        raise ValueError("
RE_ZERO = "    if scale == 0:\n        return 0.0  # both gradients are all zeros: they agree exactly\n"
RE_RETURN = "return ((a - b).abs().max() / scale).item()"
GC_ANALYTIC = "analytic = grad_f(x)\n    numeric"
EC_ANALYTIC = "    analytic = grad_f(x)  # once: it does not depend on h\n"
GC_RETURN = "return relative_error(analytic, numeric) <= tol  # NaN <= tol is False"
EC_RETURN = "return [relative_error(analytic, numerical_gradient(f, x, h)) for h in hs]"

FORWARD = """
def numerical_gradient(f, x, h=1e-5):
    grad = torch.empty_like(x)
    flat, flat_grad = x.view(-1), grad.view(-1)
    at_x = float(f(x))  # one evaluation at x, reused for every entry
    for i in range(flat.numel()):
        saved = flat[i].item()
        flat[i] = saved + h
        flat_grad[i] = (float(f(x)) - at_x) / h
        flat[i] = saved
    return grad
"""

ALL_AT_ONCE = """
def numerical_gradient(f, x, h=1e-5):
    slope = (float(f(x + h)) - float(f(x - h))) / (2 * h)  # x + h moves every entry
    return torch.full_like(x, slope)
"""

AUTOGRAD_INSTEAD = """
def numerical_gradient(f, x, h=1e-5):
    x = x.detach().clone().requires_grad_(True)
    f(x).backward()  # "numerical" in name only
    return x.grad
"""

PYTHON_LOOP_RELATIVE_ERROR = """
def relative_error(a, b):
    if a.shape != b.shape:
        raise ValueError("shapes differ")
    largest_gap, largest_size = 0.0, 0.0
    for u, v in zip(a.reshape(-1), b.reshape(-1)):  # one entry at a time
        largest_gap = max(largest_gap, abs(float(u) - float(v)))
        largest_size = max(largest_size, abs(float(u)) + abs(float(v)))
    return 0.0 if largest_size == 0 else largest_gap / largest_size
"""

MISTAKES = [
    # --- numerical_gradient
    Mistake("forward_differences", "numerical_gradient",
            replace_function(REFERENCE, "numerical_gradient", FORWARD),
            named="forward differences", example="buggy"),
    Mistake("divided_by_h_not_2h", "numerical_gradient",
            mutate(REFERENCE, NG_STEP, "grad[index] = (f_plus - f_minus) / h"),
            named="divided by h instead of 2h"),
    Mistake("all_entries_perturbed_at_once", "numerical_gradient",
            replace_function(REFERENCE, "numerical_gradient", ALL_AT_ONCE),
            named="every entry of x is moved by h at once"),
    Mistake("perturbed_entry_not_restored", "numerical_gradient",
            mutate(REFERENCE, NG_LOOP, """        x[index] = saved + h
        f_plus = float(f(x))
        x[index] = saved - h
        f_minus = float(f(x))  # and the entry stays at saved - h"""),
            named="were left moved by h"),
    Mistake("restored_by_subtracting_h", "numerical_gradient",
            mutate(REFERENCE, NG_LOOP, """        x[index] += h
        f_plus = float(f(x))
        x[index] -= 2 * h
        f_minus = float(f(x))
        x[index] += h  # back where it was... up to rounding"""),
            named="differ in their last digits"),
    Mistake("returns_a_list", "numerical_gradient",
            mutate(REFERENCE, NG_RETURN, NG_RETURN.replace("return grad", "return grad.reshape(-1).tolist()")),
            named="returned a list"),
    Mistake("flattened_result", "numerical_gradient",
            mutate(REFERENCE, NG_RETURN, NG_RETURN.replace("return grad", "return grad.reshape(-1)")),
            named="do not flatten it"),
    Mistake("float32_result", "numerical_gradient",
            mutate(REFERENCE, NG_EMPTY, "grad = torch.zeros(x.shape)"),
            named="torch.zeros_like(x) keeps the dtype"),
    Mistake("not_restored_when_f_raises", "numerical_gradient",
            mutate(REFERENCE, NG_LOOP, """        x[index] = saved + h
        f_plus = float(f(x))
        x[index] = saved - h
        f_minus = float(f(x))
        x[index] = saved  # skipped when f raises"""),
            named="left x changed"),
    Mistake("extra_evaluation_at_x", "numerical_gradient",
            mutate(REFERENCE, NG_EMPTY, NG_EMPTY + "\n    f_at_x = float(f(x))  # handy for printing"),
            named="evaluated f more than"),
    Mistake("item_on_the_value_of_f", "numerical_gradient",
            edit(REFERENCE, ("f_plus = float(f(x))", "f_plus = f(x).item()"),
                 ("f_minus = float(f(x))", "f_minus = f(x).item()")),
            named="read its value with float(f(x))"),
    Mistake("autograd_instead_of_finite_differences", "numerical_gradient",
            replace_function(REFERENCE, "numerical_gradient", AUTOGRAD_INSTEAD),
            named="never use autograd"),
    # --- relative_error
    Mistake("no_absolute_value", "relative_error",
            mutate(REFERENCE, RE_RETURN, "return ((a - b).max() / scale).item()"),
            named="take the absolute value of a - b"),
    Mistake("no_guard_for_zero_gradients", "relative_error", mutate(REFERENCE, RE_ZERO, ""),
            named="guard the 0 / 0 case"),
    Mistake("absolute_error_only", "relative_error",
            mutate(REFERENCE, RE_RETURN, "return (a - b).abs().max().item()"),
            named="this is the absolute error"),
    Mistake("shapes_not_checked", "relative_error",
            mutate(REFERENCE, RE_GUARD, "    if False:\n        raise ValueError("),
            named="instead of raising ValueError"),
    Mistake("tensor_instead_of_float", "relative_error",
            mutate(REFERENCE, RE_RETURN, "return (a - b).abs().max() / scale"),
            named="(call .item() on the tensor)"),
    Mistake("python_loop_over_entries", "relative_error",
            replace_function(REFERENCE, "relative_error", PYTHON_LOOP_RELATIVE_ERROR),
            named="a Python loop over the entries"),
    Mistake("subtracted_in_place", "relative_error",
            mutate(REFERENCE, RE_RETURN, "return (a.sub_(b).abs_().max() / scale).item()"),
            named="changed its input `a` in place"),
    # --- gradient_check
    Mistake("gradient_reshaped_to_fit", "gradient_check",
            mutate(REFERENCE, GC_ANALYTIC, "analytic = grad_f(x).reshape(x.shape)\n    numeric"),
            named="instead of raising ValueError"),
    Mistake("tolerance_compared_the_wrong_way", "gradient_check",
            mutate(REFERENCE, GC_RETURN, "return relative_error(analytic, numeric) > tol"),
            named="check the direction of the comparison"),
    Mistake("absolute_error_compared_with_tol", "gradient_check",
            mutate(REFERENCE, GC_RETURN, "return (analytic - numeric).abs().max().item() <= tol"),
            named="the comparison uses the absolute error"),
    Mistake("nan_error_accepted", "gradient_check",
            mutate(REFERENCE, GC_RETURN, "return not relative_error(analytic, numeric) > tol"),
            named="a comparison with NaN is False"),
    # --- error_curve
    Mistake("step_size_not_passed", "error_curve",
            mutate(REFERENCE, EC_RETURN,
                   "return [relative_error(analytic, numerical_gradient(f, x)) for h in hs]"),
            named="pass each h"),
    Mistake("grad_f_called_for_every_step", "error_curve",
            edit(REFERENCE, (EC_ANALYTIC, ""),
                 (EC_RETURN, "return [relative_error(grad_f(x), numerical_gradient(f, x, h)) for h in hs]")),
            named="called grad_f more than once"),
    Mistake("x_converted_to_float64", "error_curve",
            mutate(REFERENCE, EC_RETURN,
                   "return [relative_error(analytic, numerical_gradient(f, x.double(), h)) for h in hs]"),
            named="f expects a tensor of x's shape"),
]

# --- correct solutions in other styles ------------------------------------------------------

EYE_ROWS_ON_COPIES = '''
import torch
from torch import Tensor


def numerical_gradient(f, x: Tensor, h: float = 1e-5) -> Tensor:
    n = x.numel()
    steps = h * torch.eye(n, dtype=x.dtype)  # row i is h e_i, flattened
    slopes = [(float(f(x + step.view(x.shape))) - float(f(x - step.view(x.shape)))) / (2 * h)
              for step in steps]
    return torch.tensor(slopes, dtype=x.dtype).reshape(x.shape)


def relative_error(a: Tensor, b: Tensor) -> float:
    if a.shape != b.shape:
        raise ValueError(f"expected tensors of one shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    a, b = a.to(torch.float64), b.to(torch.float64)
    gap = torch.max(torch.abs(a - b))
    size = torch.max(torch.abs(a) + torch.abs(b))
    return 0.0 if size.item() == 0.0 else (gap / size).item()


def gradient_check(f, grad_f, x: Tensor, h: float = 1e-5, tol: float = 1e-6) -> bool:
    return relative_error(grad_f(x), numerical_gradient(f, x, h)) <= tol


def error_curve(f, grad_f, x: Tensor, hs: list[float]) -> list[float]:
    exact = grad_f(x)
    return [relative_error(exact, numerical_gradient(f, x, h)) for h in hs]
'''

COPIES_AND_AMAX = '''
import torch


def numerical_gradient(f, x, h=1e-5):
    """Central differences on perturbed copies: x itself is never touched."""
    grad = torch.zeros_like(x)
    for i in range(x.numel()):
        step = torch.zeros_like(x)
        step.view(-1)[i] = h  # h e_i, in x's shape
        up, down = x + step, x - step
        grad.view(-1)[i] = (float(f(up)) - float(f(down))) / (2 * h)
    return grad


def relative_error(a, b):
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"shape mismatch: {tuple(a.shape)} vs {tuple(b.shape)}")
    a64, b64 = a.to(torch.float64), b.to(torch.float64)
    top = torch.amax(torch.abs(a64 - b64))
    bottom = torch.amax(torch.abs(a64) + torch.abs(b64))
    return 0.0 if bottom.item() == 0.0 else float(top / bottom)


def gradient_check(f, grad_f, x, h=1e-5, tol=1e-6):
    error = relative_error(grad_f(x), numerical_gradient(f, x, h))
    if error <= tol:
        return True
    return False


def error_curve(f, grad_f, x, hs):
    exact = grad_f(x)
    errors = []
    for h in hs:
        errors.append(relative_error(exact, numerical_gradient(f, x, h)))
    return errors
'''

FLAT_VIEW_IN_PLACE = '''
import math

import torch
from torch import Tensor


def numerical_gradient(f, x: Tensor, h: float = 1e-5) -> Tensor:
    flat = x.view(-1)  # shares x's memory (x arrives contiguous)
    out = torch.empty(x.numel(), dtype=x.dtype)
    for i, original in enumerate(flat.tolist()):
        values = []
        for sign in (1, -1):
            flat[i] = original + sign * h
            try:
                values.append(float(f(x)))
            finally:
                flat[i] = original
        out[i] = (values[0] - values[1]) / (2 * h)
    return out.view(x.shape)


def relative_error(a: Tensor, b: Tensor) -> float:
    if a.shape != b.shape:
        raise ValueError("a and b must have the same shape")
    a, b = a.double().flatten(), b.double().flatten()
    numerator = torch.linalg.vector_norm(a - b, ord=math.inf)
    denominator = (a.abs() + b.abs()).max()
    if denominator == 0:
        return 0.0
    return (numerator / denominator).item()


def gradient_check(f, grad_f, x, h=1e-5, tol=1e-6) -> bool:
    return bool(relative_error(grad_f(x), numerical_gradient(f, x, h)) <= tol)


def error_curve(f, grad_f, x, hs):
    analytic = grad_f(x)
    return list(map(lambda h: relative_error(analytic, numerical_gradient(f, x, h)), hs))
'''

NUMPY_VIEW = '''
import numpy as np
import torch


def numerical_gradient(f, x, h=1e-5):
    """Perturb x through a numpy view of its memory; f still receives the tensor x."""
    cells = x.numpy().reshape(-1)  # a view: writing cells[i] writes x
    grad = np.empty(cells.shape, dtype=np.float64)
    for i in range(cells.size):
        keep = cells[i]
        try:
            cells[i] = keep + h
            plus = float(f(x))
            cells[i] = keep - h
            minus = float(f(x))
        finally:
            cells[i] = keep
        grad[i] = (plus - minus) / (2 * h)
    return torch.from_numpy(grad).to(x.dtype).reshape(x.shape)


def relative_error(a, b):
    if a.shape != b.shape:
        raise ValueError("shapes differ")
    a, b = a.double(), b.double()
    scale = torch.max(a.abs() + b.abs())
    return 0.0 if scale == 0 else float(torch.max((a - b).abs()) / scale)


def gradient_check(f, grad_f, x, h=1e-5, tol=1e-6):
    return relative_error(grad_f(x), numerical_gradient(f, x, h)) <= tol


def error_curve(f, grad_f, x, hs):
    g = grad_f(x)
    return [relative_error(g, numerical_gradient(f, x, h)) for h in hs]
'''

CHATTY = '''
import itertools
import sys
import warnings

import torch

print("lesson 1.5: loading my solution")


def numerical_gradient(f, x, h=1e-5):
    if h < 1e-8 and x.dtype == torch.float32:
        warnings.warn(f"h={h} is below float32 resolution near 1; expect zeros")
    grad = torch.empty_like(x)
    for index in itertools.product(*map(range, x.shape)):
        saved = x[index].item()
        try:
            x[index] = saved + h
            high = float(f(x))
            x[index] = saved - h
            low = float(f(x))
        finally:
            x[index] = saved
        grad[index] = (high - low) / (2 * h)
    print(f"numerical_gradient: {x.numel()} entries, h={h:g}", file=sys.stderr)
    return grad


def relative_error(a, b):
    if a.shape != b.shape:
        raise ValueError(f"cannot compare shapes {tuple(a.shape)} and {tuple(b.shape)}")
    a, b = a.double(), b.double()
    scale = (a.abs() + b.abs()).max()
    return 0.0 if scale == 0 else ((a - b).abs().max() / scale).item()


def gradient_check(f, grad_f, x, h=1e-5, tol=1e-6):
    error = relative_error(grad_f(x), numerical_gradient(f, x, h))
    verdict = error <= tol
    print(f"gradient check: relative error {error:.2e} -> {'pass' if verdict else 'FAIL'}")
    return verdict


def error_curve(f, grad_f, x, hs):
    exact = grad_f(x)
    curve = [relative_error(exact, numerical_gradient(f, x, h)) for h in hs]
    for h, e in zip(hs, curve):
        print(f"h={h:.0e}: {e:.2e}")
    return curve
'''

ALTERNATIVES = [
    Alternative("eye_rows_on_copies", EYE_ROWS_ON_COPIES,
                style="every direction h e_i a row of a scaled identity, f evaluated on perturbed "
                      "copies, torch.max over explicit float64 casts", example="correct"),
    Alternative("perturbed_copies_and_amax", COPIES_AND_AMAX,
                style="perturbed copies instead of in-place changes, torch.amax, if/else verdict"),
    Alternative("flat_view_in_place_and_vector_norm", FLAT_VIEW_IN_PLACE,
                style="a flat view of x changed in place with try/finally, the infinity norm"),
    Alternative("numpy_view_of_x", NUMPY_VIEW,
                style="x perturbed through a numpy view of its memory, a numpy gradient"),
    Alternative("prints_progress_and_warns", CHATTY,
                style="itertools.product over indices, prints and warnings while it runs"),
]
