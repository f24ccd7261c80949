"""A catalogue of realistic student mistakes for lesson 1.5.

Each mistake is the reference solution with one thing done wrong, in the
function it belongs to. Grading it must (a) cost points on that function's
task, (b) leave the tasks it cannot affect at full marks, and (c) say what
went wrong: some failed check of the task names the mistake.

gradient_check and error_curve call the student's own numerical_gradient and
relative_error, so a mistake there may also cost points on those two tasks;
each entry lists the tasks that must stay intact explicitly.
"""

from __future__ import annotations

import pytest
from conftest import ROOT, mutate
from catalogue import Mistake, assert_caught, others_of, replace_function

from looplab import lessons

LESSON = "1.5"
TASKS = lessons.get(LESSON).tasks
others = others_of(TASKS)
REFERENCE = (ROOT / "solutions" / "lesson-1.5.py").read_text()


# --- pieces of the reference that the mistakes change -------------------------

NG_LOOP = '''        try:
            x[index] = saved + h
            f_plus = float(f(x))
            x[index] = saved - h
            f_minus = float(f(x))
        finally:
            x[index] = saved  # the exact original value, even if f raised'''
NG_STEP = "grad[index] = (f_plus - f_minus) / (2 * h)"
NG_EMPTY = "grad = torch.empty_like(x)  # same shape and dtype as x"
NG_RETURN = "        grad[index] = (f_plus - f_minus) / (2 * h)\n    return grad"
RE_GUARD = "    if a.shape != b.shape:\n        raise ValueError("
RE_ZERO = "    if scale == 0:\n        return 0.0  # both gradients are all zeros: they agree exactly\n"
RE_RETURN = "return ((a - b).abs().max() / scale).item()"
GC_RETURN = "return relative_error(analytic, numeric) <= tol  # NaN <= tol is False"
EC_RETURN = "return [relative_error(analytic, numerical_gradient(f, x, h)) for h in hs]"

FORWARD = '''
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
'''

ALL_AT_ONCE = '''
def numerical_gradient(f, x, h=1e-5):
    slope = (float(f(x + h)) - float(f(x - h))) / (2 * h)  # x + h moves every entry
    return torch.full_like(x, slope)
'''

AUTOGRAD_INSTEAD = '''
def numerical_gradient(f, x, h=1e-5):
    x = x.detach().clone().requires_grad_(True)
    f(x).backward()  # "numerical" in name only
    return x.grad
'''

PYTHON_LOOP_RELATIVE_ERROR = '''
def relative_error(a, b):
    if a.shape != b.shape:
        raise ValueError("shapes differ")
    largest_gap, largest_size = 0.0, 0.0
    for u, v in zip(a.reshape(-1), b.reshape(-1)):  # one entry at a time
        largest_gap = max(largest_gap, abs(float(u) - float(v)))
        largest_size = max(largest_size, abs(float(u)) + abs(float(v)))
    return 0.0 if largest_size == 0 else largest_gap / largest_size
'''

# --- numerical_gradient ---------------------------------------------------------

# gradient_check and error_curve use the student's numerical_gradient
NG_SPREADS = ("numerical_gradient", "gradient_check", "error_curve")

NUMERICAL_GRADIENT = [
    Mistake("forward_differences", "numerical_gradient",
            replace_function(REFERENCE, "numerical_gradient", FORWARD),
            "forward differences", others(*NG_SPREADS)),
    Mistake("divided_by_h_not_2h", "numerical_gradient",
            mutate(REFERENCE, NG_STEP, "grad[index] = (f_plus - f_minus) / h"),
            "divided by h instead of 2h", others(*NG_SPREADS)),
    Mistake("all_entries_perturbed_at_once", "numerical_gradient",
            replace_function(REFERENCE, "numerical_gradient", ALL_AT_ONCE),
            "every entry of x is moved by h at once", others(*NG_SPREADS)),
    Mistake("perturbed_entry_not_restored", "numerical_gradient",
            mutate(REFERENCE, NG_LOOP, '''        x[index] = saved + h
        f_plus = float(f(x))
        x[index] = saved - h
        f_minus = float(f(x))  # and the entry stays at saved - h'''),
            "were left moved by h", others(*NG_SPREADS)),
    Mistake("restored_by_subtracting_h", "numerical_gradient",
            mutate(REFERENCE, NG_LOOP, '''        x[index] += h
        f_plus = float(f(x))
        x[index] -= 2 * h
        f_minus = float(f(x))
        x[index] += h  # back where it was... up to rounding'''),
            "differ in their last digits", others(*NG_SPREADS)),
    Mistake("returns_a_list", "numerical_gradient",
            mutate(REFERENCE, NG_RETURN,
                   NG_RETURN.replace("return grad", "return grad.reshape(-1).tolist()")),
            "returned a list", others(*NG_SPREADS)),
    Mistake("flattened_result", "numerical_gradient",
            mutate(REFERENCE, NG_RETURN, NG_RETURN.replace("return grad", "return grad.reshape(-1)")),
            "do not flatten it", others(*NG_SPREADS)),
    Mistake("float32_result", "numerical_gradient",
            mutate(REFERENCE, NG_EMPTY, "grad = torch.zeros(x.shape)"),
            "torch.zeros_like(x) keeps the dtype", others(*NG_SPREADS)),
    Mistake("extra_evaluation_at_x", "numerical_gradient",
            mutate(REFERENCE, NG_EMPTY, NG_EMPTY + "\n    f_at_x = float(f(x))  # handy for printing"),
            "evaluated f more than", others("numerical_gradient")),
    Mistake("item_on_the_value_of_f", "numerical_gradient",
            mutate(mutate(REFERENCE, "f_plus = float(f(x))", "f_plus = f(x).item()"),
                   "f_minus = float(f(x))", "f_minus = f(x).item()"),
            "read its value with float(f(x))", others("numerical_gradient")),
    Mistake("autograd_instead_of_finite_differences", "numerical_gradient",
            replace_function(REFERENCE, "numerical_gradient", AUTOGRAD_INSTEAD),
            "never use autograd", others(*NG_SPREADS)),
]

# --- relative_error ---------------------------------------------------------------

RE_SPREADS = ("relative_error", "gradient_check", "error_curve")

RELATIVE_ERROR = [
    Mistake("no_absolute_value", "relative_error",
            mutate(REFERENCE, RE_RETURN, "return ((a - b).max() / scale).item()"),
            "take the absolute value of a - b", others(*RE_SPREADS)),
    Mistake("no_guard_for_zero_gradients", "relative_error",
            mutate(REFERENCE, RE_ZERO, ""),
            "guard the 0 / 0 case", others(*RE_SPREADS)),
    Mistake("absolute_error_only", "relative_error",
            mutate(REFERENCE, RE_RETURN, "return (a - b).abs().max().item()"),
            "this is the absolute error", others(*RE_SPREADS)),
    Mistake("shapes_not_checked", "relative_error",
            mutate(REFERENCE, RE_GUARD, "    if False:\n        raise ValueError("),
            "instead of raising ValueError", others("relative_error")),
    Mistake("tensor_instead_of_float", "relative_error",
            mutate(REFERENCE, RE_RETURN, "return (a - b).abs().max() / scale"),
            "(call .item())", others(*RE_SPREADS)),
    Mistake("python_loop_over_entries", "relative_error",
            replace_function(REFERENCE, "relative_error", PYTHON_LOOP_RELATIVE_ERROR),
            "a Python loop over the entries",
            # max() in Python skips NaN, so this loop also lets a NaN gradient pass gradient_check
            others("relative_error", "gradient_check")),
]

# --- gradient_check ----------------------------------------------------------------

GRADIENT_CHECK = [
    Mistake("tolerance_compared_the_wrong_way", "gradient_check",
            mutate(REFERENCE, GC_RETURN, "return relative_error(analytic, numeric) > tol"),
            "check the direction of the comparison", others("gradient_check")),
    Mistake("absolute_error_compared_with_tol", "gradient_check",
            mutate(REFERENCE, GC_RETURN, "return (analytic - numeric).abs().max().item() <= tol"),
            "the comparison uses the absolute error", others("gradient_check")),
    Mistake("nan_error_accepted", "gradient_check",
            mutate(REFERENCE, GC_RETURN, "return not relative_error(analytic, numeric) > tol"),
            "a comparison with NaN is False", others("gradient_check")),
]

# --- error_curve ---------------------------------------------------------------------

ERROR_CURVE = [
    Mistake("step_size_not_passed", "error_curve",
            mutate(REFERENCE, EC_RETURN,
                   "return [relative_error(analytic, numerical_gradient(f, x)) for h in hs]"),
            "pass each h", others("error_curve")),
    Mistake("x_converted_to_float64", "error_curve",
            mutate(REFERENCE, EC_RETURN,
                   "return [relative_error(analytic, numerical_gradient(f, x.double(), h)) for h in hs]"),
            "f expects a tensor of x's shape", others("error_curve")),
]


CATALOGUE = NUMERICAL_GRADIENT + RELATIVE_ERROR + GRADIENT_CHECK + ERROR_CURVE


def test_catalogue_is_complete():
    assert len(CATALOGUE) >= 8
    assert {m.task for m in CATALOGUE} == set(TASKS)
    assert all(m.source != REFERENCE for m in CATALOGUE)
    assert len({(m.task, m.id) for m in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("mistake", [m.param() for m in CATALOGUE])
def test_mistake_loses_points_and_is_named(grade, mistake):
    assert_caught(grade(mistake.source, lesson=LESSON), mistake)
