"""Hidden checks for `mse_gradient` (dL/dw and dL/db by hand, checked against autograd)."""

import torch

from looplab.checks import (assert_not_much_slower, describe, expect, expect_unchanged, fail,
                            likely, linear_data, points, without_autograd)

from .model import (autograd_gradient, close, expect_no_autograd, expect_shape, least_squares,
                    name_gradient, pair, show, values)

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
    return pair(student.mse_gradient(X, y, w, b), "mse_gradient", NAMES)


@points("mse_gradient", 2.5)
def test_matches_autograd_on_random_inputs(student):
    for n, d, seed, scale, shift in CASES:
        X, y, w, b = linear_data(n, d, seed, scale=scale, shift=shift)
        grad_w, grad_b = _gradient(student, X, y, w, b)
        want_w, want_b = autograd_gradient(X, y, w, b)
        got_w = values(grad_w, (d, 1), "mse_gradient's grad_w", n)
        got_b = values(grad_b, (1,), "mse_gradient's grad_b", n)
        wrong = [(name, got, want) for name, got, want in
                 (("grad_w", got_w, want_w), ("grad_b", got_b, want_b)) if not close(got, want)]
        if wrong:
            shown = "; ".join(f"{name} {show(got)}, autograd gives {show(want)}" for name, got, want in wrong)
            fail(f"mse_gradient ({describe(N=n, d=d)}): {shown}"
                 + likely(name_gradient(got_w, got_b, X, y, w, b)))


@points("mse_gradient", 1)
def test_returns_the_shapes_and_dtype_of_w_and_b(student):
    for n, d, seed in [(20, 3, 16), (5, 1, 17)]:
        X, y, w, b = linear_data(n, d, seed)
        grad_w, grad_b = _gradient(student, X, y, w, b)
        expect_shape(grad_w, (d, 1), f"mse_gradient's grad_w ({describe(N=n, d=d)})", n)
        expect_shape(grad_b, (1,), f"mse_gradient's grad_b ({describe(N=n, d=d)})", n)


@points("mse_gradient", 1)
def test_is_zero_at_the_least_squares_solution(student):
    X, y, _, _ = linear_data(200, 3, seed=18, noise=0.3, scale=2.0, shift=1.0)
    w_star, b_star = least_squares(X, y)
    grad_w, grad_b = _gradient(student, X, y, w_star.float(), b_star.float())
    got_w = values(grad_w, (3, 1), "mse_gradient's grad_w", 200)
    got_b = values(grad_b, (1,), "mse_gradient's grad_b", 200)
    largest = max(got_w.abs().max().item(), got_b.abs().max().item())
    expect(largest <= 1e-4,
           f"at the least-squares solution (torch.linalg.lstsq on [X, 1]) the gradient must vanish "
           f"(the normal equations A^T (A theta - y) = 0), but your mse_gradient has an entry of "
           f"size {largest:.3g} (N=200, d=3)" + likely(name_gradient(got_w, got_b, X, y, w_star, b_star)))


@points("mse_gradient", 1.5)
def test_uses_no_autograd_and_leaves_inputs_unchanged(student):
    X, y, w, b = linear_data(30, 4, seed=19)
    args, names = (X, y, w, b), ("X", "y", "w", "b")
    reply = expect_unchanged(student, "mse_gradient", args, names)
    outside_w, outside_b = pair(reply["result"], "mse_gradient", NAMES)
    expect_no_autograd(reply, args, names, NAMES, "mse_gradient")
    # Autograd on private copies leaves no trace in the result; with autograd off it cannot run.
    grad_w, grad_b = pair(without_autograd(student, "mse_gradient", *args), "mse_gradient", NAMES)
    expect(torch.equal(grad_w, outside_w) and torch.equal(grad_b, outside_b),
           "mse_gradient inside torch.inference_mode() (N=30, d=4) returned a different gradient "
           "from the one it returns outside: the formula must not depend on autograd's state")


@points("mse_gradient", 1)
def test_not_much_slower_than_reference(student, reference_process):
    assert_not_much_slower(student, reference_process, "mse_gradient",
                           lambda r: linear_data(20_000, 8, seed=200 + r),
                           workload="N=20,000, d=8", hint=LOOP_HINT)
