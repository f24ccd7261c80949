"""Hidden checks for `mse` (the mean squared error of X @ w + b)."""

import torch

from looplab.checks import (as_tensor, assert_float, assert_not_much_slower, describe, expect,
                            expect_unchanged, fail, kind, linear_data, points)

from .model import MSE, loss64

CASES = [(40, 1, 1), (64, 5, 2), (1, 3, 3), (200, 2, 4)]  # N, d, seed


def _number(result: object, n: int) -> float:
    """The loss as a float; a 1-element tensor or a Python float is read here (the
    0-dim float32 contract has its own check)."""
    if isinstance(result, float):
        return result
    if not isinstance(result, torch.Tensor):
        fail(f"mse returned a {kind(result)}; expected a 0-dim tensor holding the loss")
    if result.numel() != 1:
        hint = (" (the squared errors were not averaged into one number: take the mean)"
                if tuple(result.shape) in ((n, 1), (n,)) else "")
        fail(f"mse returned a tensor of shape {tuple(result.shape)}; expected a single number, "
             f"a 0-dim tensor{hint}")
    return result.detach().double().reshape(()).item()


@points("mse", 1.5)
def test_matches_the_mean_squared_error(student):
    for n, d, seed in CASES:
        X, y, w, b = linear_data(n, d, seed)
        got = _number(student.mse(X, y, w, b), n)
        assert_float(got, loss64(X, y, w, b), what="mse", setting=describe(N=n, d=d), atol=1e-6,
                     diagnose=lambda: MSE.diagnose(got, MSE.messages, X=X, y=y, w=w, b=b))


@points("mse", 0.5)
def test_returns_a_zero_dim_float32_tensor(student):
    X, y, w, b = linear_data(10, 2, seed=5)
    result = student.mse(X, y, w, b)
    if isinstance(result, float):
        fail("mse returned a float; the contract asks for a 0-dim tensor (do not call .item(): "
             "the trainers call it when they record a loss)")
    as_tensor(result, "mse", shape=(), dtype=torch.float32)


@points("mse", 0.5)
def test_perfect_fit_is_zero_and_inputs_unchanged(student):
    X, _, w, b = linear_data(30, 3, seed=6)
    y = X @ w + b  # (30, 1): the model fits exactly
    got = _number(student.mse(X, y, w, b), 30)
    expect(abs(got) <= 1e-10, f"mse returned {got:.3g} for targets the model predicts exactly "
                              f"(y = X @ w + b); expected 0")
    X, y, w, b = linear_data(25, 2, seed=7)
    expect_unchanged(student, "mse", (X, y, w, b), ("X", "y", "w", "b"))


@points("mse", 0.5)
def test_not_much_slower_than_reference(student, reference_process):
    assert_not_much_slower(student, reference_process, "mse",
                           lambda r: linear_data(20_000, 8, seed=100 + r), workload="N=20,000, d=8",
                           hint="a Python loop over the samples is the usual cause: compute all "
                                "N predictions at once with X @ w + b")
