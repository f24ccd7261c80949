"""Hidden checks for `mse` (the mean squared error of X @ w + b)."""

import torch

from looplab.checks import expect, fail, points
from looplab.checks.timing import assert_not_much_slower

from .common import expect_inputs_unchanged, kind
from .data import describe, loss64, make_data
from .mistakes import name_mse

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
        X, y, w, b = make_data(n, d, seed=seed)
        got = _number(student.mse(X, y, w, b), n)
        want = loss64(X, y, w, b)
        if not abs(got - want) <= 1e-6 + 1e-4 * abs(want):
            mistake = name_mse(got, X, y, w, b)
            fail(f"mse returned {got:.6g}, expected {want:.6g} ({describe(N=n, d=d)})"
                 + (f"\nlikely mistake: {mistake}" if mistake else ""))


@points("mse", 0.5)
def test_returns_a_zero_dim_float32_tensor(student):
    X, y, w, b = make_data(10, 2, seed=5)
    result = student.mse(X, y, w, b)
    if not isinstance(result, torch.Tensor):
        hint = " (do not call .item(): the trainers call it when they record a loss)" if isinstance(result, float) else ""
        fail(f"mse returned a {kind(result)}; the contract asks for a 0-dim tensor{hint}")
    expect(tuple(result.shape) == (),
           f"mse returned a tensor of shape {tuple(result.shape)}; expected a 0-dim tensor "
           f"(shape ()), which .mean() gives")
    expect(result.dtype == torch.float32,
           f"mse returned dtype {result.dtype}; expected torch.float32 like the inputs")


@points("mse", 0.5)
def test_perfect_fit_is_zero_and_inputs_unchanged(student):
    X, _, w, b = make_data(30, 3, seed=6)
    y = X @ w + b  # (30, 1): the model fits exactly
    got = _number(student.mse(X, y, w, b), 30)
    expect(abs(got) <= 1e-10, f"mse returned {got:.3g} for targets the model predicts exactly "
                              f"(y = X @ w + b); expected 0")
    X, y, w, b = make_data(25, 2, seed=7)
    expect_inputs_unchanged(student, "mse", (X, y, w, b), ["X", "y", "w", "b"])


@points("mse", 0.5)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        return make_data(20_000, 8, seed=100 + r)
    assert_not_much_slower(student, reference_process, "mse", make_args, workload="N=20,000, d=8",
                           hint="a Python loop over the samples is the usual cause: compute all "
                                "N predictions at once with X @ w + b")
