"""Hidden checks for `gradient_check` (does a hand-derived gradient agree with finite differences?).

gradient_check runs with the reference's numerical_gradient and relative_error in its scope
(see isolated.py): a mistake in those two costs points in their own tasks only.
"""

import torch

from looplab.checks import expect, fail, kind, likely, points

from . import isolated
from .functions import (LOGISTIC, PLANTED, QUADRATIC, QUARTIC, REGRESSION, SINE_SQUARES,
                        SLIGHTLY_WRONG, TANH_COS, about, point)


def _verdict(student, reference, f, x, h: float, tol: float, *, strict: bool = False) -> bool:
    value = isolated.result(student, reference, "gradient_check", f.remote(x), f.remote_gradient(x),
                            x, h, tol)
    if type(value) is bool:
        return value
    if not strict and isinstance(value, torch.Tensor) and value.numel() == 1 and value.dtype == torch.bool:
        return bool(value)
    tensor = isinstance(value, torch.Tensor)
    fail(f"gradient_check returned a {kind(value)}"
         + (f" of dtype {value.dtype}" if tensor else "")
         + "; the contract asks for a Python bool: relative_error(...) <= tol"
         + (" (call .item() or make relative_error return a float)" if tensor else ""))


# (function, x, h, tol): right gradients, derived by hand (or by autograd for TANH_COS)
CORRECT = [
    (REGRESSION, point((3, 1), seed=80), 1e-5, 1e-6),
    (QUADRATIC, point((4,), seed=81), 1e-5, 1e-6),
    (LOGISTIC, point((4,), seed=82), 1e-5, 1e-6),
    (SINE_SQUARES, point((2, 3), seed=83), 1e-5, 1e-6),
    (QUARTIC, point((5,), seed=84), 1e-5, 1e-6),
    (TANH_COS, point((6,), seed=85, dtype=torch.float32), 1e-2, 1e-3),
]


def _why_rejected(f) -> str:
    """Name the comparison that rejects a right gradient."""
    if f is QUARTIC:
        return likely("the comparison uses the absolute error; here the gradient is about 1e6, so "
                      "its tiny relative error is a large absolute one: compare "
                      "relative_error(analytic, numerical) with tol")
    return " (check the direction of the comparison)"


@points("gradient_check", 1)
def test_accepts_correct_gradients(student, reference):
    for f, x, h, tol in CORRECT:
        if not _verdict(student, reference, f, x, h, tol):
            fail(f"gradient_check rejected the right gradient of {f.label} ({about(x)}, "
                 f"h={h:g}, tol={tol:g}); it must return True when relative_error(grad_f(x), "
                 f"numerical_gradient(f, x, h)) <= tol" + _why_rejected(f))


@points("gradient_check", 1)
def test_flags_planted_wrong_gradients(student, reference):
    for k, (bug, f, shape) in enumerate(PLANTED):
        x = point(shape, seed=90 + k)
        expect(_verdict(student, reference, f, x, 1e-5, 1e-6) is False,
               f"gradient_check accepted a wrong gradient of {f.label} ({bug}; {about(x)}, "
               f"h=1e-05, tol=1e-06); it must return False when the relative error is above tol"
               + (" or NaN (a comparison with NaN is False: test error <= tol, not "
                  "not error > tol)" if "NaN" in bug else ""))


@points("gradient_check", 0.5)
def test_tolerance_decides_and_result_is_a_plain_bool(student, reference):
    x = point((2, 3), seed=100)  # the gradient is off by 0.01% in its largest entry: error 5e-5
    loose = _verdict(student, reference, SLIGHTLY_WRONG, x, 1e-5, 1e-3, strict=True)
    tight = _verdict(student, reference, SLIGHTLY_WRONG, x, 1e-5, 1e-6, strict=True)
    expect(loose is True and tight is False,
           f"gradient_check on {SLIGHTLY_WRONG.label} (relative error about 5e-5) returned "
           f"{loose} with tol=1e-3 and {tight} with tol=1e-6; expected True and False: the check "
           f"passes exactly when the relative error is at most tol")


@points("gradient_check", 0.25)
def test_leaves_x_unchanged(student, reference):
    x = point((4, 2), seed=101)
    reply = isolated.call(student, reference, "gradient_check", SINE_SQUARES.remote(x),
                          SINE_SQUARES.remote_gradient(x), x, 1e-3, 1e-4, return_args=True)
    after = reply["args_after"][2]
    expect(isinstance(after, torch.Tensor) and after.shape == x.shape and torch.equal(after, x),
           f"gradient_check changed its input x ({about(x)}, h=1e-03); x must come back "
           f"exactly as it was (numerical_gradient restores every perturbed entry)")


@points("gradient_check", 0.25)
def test_calls_grad_f_once_and_a_wrong_shape_raises_value_error(student, reference):
    isolated.expect_grad_f_once_and_value_error(student, reference, "gradient_check", 1e-5, 1e-6)
