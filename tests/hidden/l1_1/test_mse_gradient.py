"""Hidden checks for `mse_gradient` (dL/dw of the mean squared error, by hand)."""

import torch

from looplab.checks import (as_float, assert_float, assert_not_much_slower, expect,
                            expect_unchanged, points)

from .model import GRADIENT, best_w, curvature, data

CASES = [(9, 12, -0.5), (150, 13, 3.0), (40, 14, 0.0), (1, 15, 1.25)]  # N, seed, w
LOOP_HINT = ("a Python loop over the samples is the usual cause: compute the residuals w * x - y "
             "for all samples at once and average (residual * x) with .mean()")


def _grad(student, w, x, y, *, strict: bool = False) -> float:
    return as_float(student.mse_gradient(w, x, y), f"mse_gradient(w={w:.4g}, ...)", strict=strict)


def _expect_gradient(got: float, want: float, w: float, x, y, against: str) -> None:
    assert_float(got, want, what=f"mse_gradient(w={w:.4g})",
                 setting=f"N={len(x)} samples; {against}",
                 diagnose=lambda: GRADIENT.diagnose(got, GRADIENT.messages, w=w, x=x, y=y))


@points("mse_gradient", 1)
def test_matches_reference_on_several_data_sets(student, reference):
    for n, seed, w in CASES:
        x, y = data(n, seed)
        _expect_gradient(_grad(student, w, x, y), reference.mse_gradient(w, x, y), w, x, y,
                         "the formula (2 / N) * sum((w * x - y) * x)")


@points("mse_gradient", 0.5)
def test_agrees_with_autograd(student):
    for n, seed, w in [(25, 16, -2.0), (1000, 17, 4.5)]:
        x, y = data(n, seed, w_true=-1.0, noise=1.0)
        w_var = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        ((w_var * x.double() - y.double()) ** 2).mean().backward()
        # torch differentiates the same loss: an independent oracle
        _expect_gradient(_grad(student, w, x, y), w_var.grad.item(), w, x, y,
                         "expected is what torch.autograd gives")


@points("mse_gradient", 0.5)
def test_zero_at_the_best_w_and_pointing_uphill(student):
    x, y = data(60, 18, w_true=1.5)
    w_star, a = best_w(x, y), curvature(x)
    at_best = _grad(student, w_star, x, y)
    expect(abs(at_best) <= 1e-4 * a,
           f"mse_gradient returned {at_best:.3g} at w = {w_star:.5f}, the w with the lowest loss on "
           f"this data (sum(x * y) / sum(x * x)); the loss is flat at its minimum, so the "
           f"gradient must be 0 there")
    above, below = _grad(student, w_star + 1, x, y), _grad(student, w_star - 1, x, y)
    expect(above > 0 > below,
           f"mse_gradient returned {above:.4g} one unit above the best w and {below:.4g} one unit "
           f"below it; the loss rises on both sides of its minimum, so the gradient must be "
           f"positive above and negative below (it points uphill): check the sign of the residual "
           f"w * x - y")


@points("mse_gradient", 0.5)
def test_returns_a_python_float_and_leaves_inputs_unchanged(student):
    x, y = data(12, 19)
    _grad(student, 0.5, x, y, strict=True)
    expect_unchanged(student, "mse_gradient", (0.5, x, y), ("w", "x", "y"))


@points("mse_gradient", 0.5)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        x, y = data(30_000, 800 + r)
        return (0.5 + r, x, y)
    assert_not_much_slower(student, reference_process, "mse_gradient", make_args,
                           workload="N=30,000 samples", hint=LOOP_HINT)
