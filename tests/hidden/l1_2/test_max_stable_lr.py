"""Hidden checks for `max_stable_lr` (2 / lambda_max, the largest eigenvalue of the Hessian)."""

import math

import torch

from looplab.checks import (as_float, assert_float, describe, expect, expect_unchanged, fail,
                            likely, linear_data, points)

from .model import LIMIT, stable_limit

CASES = [  # N, d, seed, feature scale, feature shift
    (100, 1, 41, 1.0, 0.0),
    (200, 3, 42, 3.0, 0.0),
    (150, 2, 43, 1.0, 2.0),  # a large mean: the bias direction is the steepest
    (60, 5, 44, 0.5, -1.0),
]


def _value(student, X, *, strict: bool = False) -> float:
    """A forgotten .item() costs only the float check."""
    return as_float(student.max_stable_lr(X), "max_stable_lr", strict=strict)


def _diagnose(got: float, X):
    return lambda: LIMIT.diagnose(got, LIMIT.messages, X=X)


@points("max_stable_lr", 2)
def test_matches_two_over_the_largest_hessian_eigenvalue(student):
    for n, d, seed, scale, shift in CASES:
        X, _, _, _ = linear_data(n, d, seed, scale=scale, shift=shift)
        got = _value(student, X)
        assert_float(got, stable_limit(X), what="max_stable_lr", atol=0.0,
                     setting=f"{describe(N=n, d=d)}, feature means near {shift}",
                     diagnose=_diagnose(got, X))


@points("max_stable_lr", 0.5)
def test_returns_a_python_float_and_leaves_x_unchanged(student):
    X, _, _, _ = linear_data(40, 2, seed=45)
    _value(student, X, strict=True)
    expect_unchanged(student, "max_stable_lr", (X,), ("X",))


@points("max_stable_lr", 1)
def test_training_just_below_converges_and_just_above_diverges(student, reference):
    for n, d, seed, shift in [(120, 2, 46, 1.5), (200, 4, 47, 0.0)]:
        X, y, w0, b0 = linear_data(n, d, seed, scale=2.0, shift=shift)
        limit = _value(student, X)
        if not (math.isfinite(limit) and limit > 0):
            fail(f"max_stable_lr returned {limit!r} ({describe(N=n, d=d)}); expected a positive number")
        _, _, below = reference.fit(X, y, w0, b0, 0.97 * limit, 150)
        _, _, above = reference.fit(X, y, w0, b0, 1.03 * limit, 150)
        converged = math.isfinite(below[-1]) and below[-1] < 0.1 * below[0]
        diverged = not math.isfinite(above[-1]) or above[-1] > 1e3 * above[0]
        if not (converged and diverged):
            what = (f"lr = 0.97 x your limit ended at loss {below[-1]:.4g} (started at {below[0]:.4g}): "
                    f"it did not converge, so your limit is too large" if not converged else
                    f"lr = 1.03 x your limit ended at loss {above[-1]:.4g} (started at {above[0]:.4g}): "
                    f"it did not diverge, so your limit is too small")
            fail(f"gradient descent on data with your max_stable_lr = {limit:.4g} "
                 f"({describe(N=n, d=d)}, 150 steps): {what}" + likely(_diagnose(limit, X)()))


@points("max_stable_lr", 0.5)
def test_duplicated_samples_keep_the_limit(student):
    X, _, _, _ = linear_data(50, 3, seed=48, shift=0.5)
    once, twice = _value(student, X), _value(student, torch.cat([X, X]))
    expect(abs(once - twice) <= 1e-4 * abs(once),
           f"max_stable_lr gave {once:.6g} for 50 samples and {twice:.6g} for the same samples "
           f"twice over; the loss is a mean, so repeating every sample changes neither the loss "
           f"nor its Hessian: divide A^T A by N")
