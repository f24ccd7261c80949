"""Hidden checks for `mse_gradient` (dL/dw and dL/db by hand, checked against autograd)."""

from looplab.checks import expect, fail, points
from looplab.checks.timing import assert_not_much_slower

from .common import (close, expect_inputs_unchanged, expect_no_grad, expect_shape_and_dtype,
                     show, tensors, values)
from .data import autograd_gradient, describe, least_squares, make_data
from .mistakes import name_gradient

NAMES = ("grad_w", "grad_b")
CASES = [  # N, d, seed, feature scale, feature shift
    (40, 1, 11, 1.0, 0.0),
    (64, 4, 12, 3.0, 0.0),
    (7, 7, 13, 1.0, 0.5),  # as many samples as features: X and X.T have the same shape
    (1, 3, 14, 1.0, 0.0),
    (300, 6, 15, 2.0, 1.0),
]
LOOP_HINT = ("a Python loop over the samples is the usual cause: the whole gradient is two "
             "matrix expressions, X.T @ r and r.sum(dim=0), with r = X @ w + b - y")


def _gradient(student, X, y, w, b):
    return tensors(student.mse_gradient(X, y, w, b), "mse_gradient", NAMES)


@points("mse_gradient", 2.5)
def test_matches_autograd_on_random_inputs(student):
    for n, d, seed, scale, shift in CASES:
        X, y, w, b = make_data(n, d, seed=seed, scale=scale, shift=shift)
        grad_w, grad_b = _gradient(student, X, y, w, b)
        want_w, want_b = autograd_gradient(X, y, w, b)
        got_w = values(grad_w, (d, 1), "grad_w", "mse_gradient", n)
        got_b = values(grad_b, (1,), "grad_b", "mse_gradient", n)
        if close(got_w, want_w) and close(got_b, want_b):
            continue
        wrong = [(name, got, want) for name, got, want in
                 (("grad_w", got_w, want_w), ("grad_b", got_b, want_b)) if not close(got, want)]
        shown = "; ".join(f"{name} {show(got)}, autograd gives {show(want)}" for name, got, want in wrong)
        mistake = name_gradient(got_w, got_b, X, y, w, b)
        fail(f"mse_gradient ({describe(N=n, d=d)}): {shown}"
             + (f"\nlikely mistake: {mistake}" if mistake else ""))


@points("mse_gradient", 1)
def test_returns_the_shapes_and_dtype_of_w_and_b(student):
    for n, d, seed in [(20, 3, 16), (5, 1, 17)]:
        X, y, w, b = make_data(n, d, seed=seed)
        grad_w, grad_b = _gradient(student, X, y, w, b)
        expect_shape_and_dtype(grad_w, (d, 1), "grad_w", f"mse_gradient ({describe(N=n, d=d)})", n)
        expect_shape_and_dtype(grad_b, (1,), "grad_b", f"mse_gradient ({describe(N=n, d=d)})", n)


@points("mse_gradient", 1)
def test_is_zero_at_the_least_squares_solution(student):
    X, y, _, _ = make_data(200, 3, seed=18, scale=2.0, shift=1.0, noise=0.3)
    w_star, b_star = least_squares(X, y)
    grad_w, grad_b = _gradient(student, X, y, w_star.float(), b_star.float())
    got_w = values(grad_w, (3, 1), "grad_w", "mse_gradient", 200)
    got_b = values(grad_b, (1,), "grad_b", "mse_gradient", 200)
    largest = max(got_w.abs().max().item(), got_b.abs().max().item())
    expect(largest <= 1e-4,
           f"at the least-squares solution (torch.linalg.lstsq on [X, 1]) the gradient must vanish "
           f"(the normal equations A^T (A theta - y) = 0), but your mse_gradient has an entry of "
           f"size {largest:.3g} (N=200, d=3)"
           + (f"\nlikely mistake: {m}" if (m := name_gradient(got_w, got_b, X, y, w_star, b_star)) else ""))


@points("mse_gradient", 1.5)
def test_uses_no_autograd_and_leaves_inputs_unchanged(student):
    X, y, w, b = make_data(30, 4, seed=19)
    reply = expect_inputs_unchanged(student, "mse_gradient", (X, y, w, b), ["X", "y", "w", "b"])
    result = tensors(reply["result"], "mse_gradient", NAMES)
    expect_no_grad(result, NAMES, "mse_gradient")


@points("mse_gradient", 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        return make_data(20_000, 8, seed=200 + r)
    assert_not_much_slower(student, reference_process, "mse_gradient", make_args,
                           workload="N=20,000, d=8", hint=LOOP_HINT)
