"""Hidden checks for `gd_step` (one update w - lr * dL/dw, b - lr * dL/db)."""

import torch

from looplab.checks import describe, expect, expect_unchanged, fail, likely, linear_data, points

from .model import (autograd_gradient, close, expect_no_autograd, expect_shape, name_gradient,
                    pair, show, values)

NAMES = ("w_new", "b_new")


def _step(student, X, y, w, b, lr):
    return pair(student.gd_step(X, y, w, b, lr), "gd_step", NAMES)


def _name(got_w, got_b, X, y, w, b, lr) -> str | None:
    """What the step reveals: the gradient it used is (w - w_new) / lr."""
    w64, b64 = w.double(), b.double()
    if close(got_w, w64) and close(got_b, b64):
        return "the parameters did not move: return w - lr * grad_w and b - lr * grad_b"
    grad_w, grad_b = autograd_gradient(X, y, w, b)
    if close(got_w, w64 - grad_w) and close(got_b, b64 - grad_b):
        return "the learning rate is not applied: the step is lr times the gradient"
    if close(got_w, w64 - lr * grad_w) and close(got_b, b64):
        return "the bias b is not updated"
    mistake = name_gradient((w64 - got_w) / lr, (b64 - got_b) / lr, X, y, w, b)
    if mistake and mistake.startswith("both gradients: it has the wrong sign"):
        return "the step goes up the slope: subtract lr times the gradient, do not add it"
    return f"the gradient inside the step is off ({mistake}); see mse_gradient" if mistake else None


@points("gd_step", 1.5)
def test_matches_one_step_against_the_gradient(student):
    for n, d, seed, lr in [(40, 1, 21, 0.1), (64, 4, 22, 0.03), (10, 2, 23, 0.5)]:
        X, y, w, b = linear_data(n, d, seed)
        w_new, b_new = _step(student, X, y, w, b, lr)
        grad_w, grad_b = autograd_gradient(X, y, w, b)
        want_w, want_b = w.double() - lr * grad_w, b.double() - lr * grad_b
        got_w = values(w_new, (d, 1), "gd_step's w_new", n)
        got_b = values(b_new, (1,), "gd_step's b_new", n)
        if not (close(got_w, want_w) and close(got_b, want_b)):
            fail(f"gd_step ({describe(N=n, d=d, lr=lr)}) returned w_new {show(got_w)}, "
                 f"b_new {show(got_b)}; expected {show(want_w)}, {show(want_b)}"
                 + likely(_name(got_w, got_b, X, y, w, b, lr)))


@points("gd_step", 1)
def test_leaves_inputs_unchanged_and_returns_plain_tensors(student):
    X, y, w, b = linear_data(25, 3, seed=24)
    args, names = (X, y, w, b, 0.1), ("X", "y", "w", "b")
    reply = expect_unchanged(student, "gd_step", args, names)
    w_new, b_new = pair(reply["result"], "gd_step", NAMES)
    expect_shape(w_new, (3, 1), "gd_step's w_new", 25)
    expect_shape(b_new, (1,), "gd_step's b_new", 25)
    expect_no_autograd(reply, args, names, NAMES, "gd_step")


@points("gd_step", 0.5)
def test_zero_learning_rate_keeps_the_parameters(student):
    X, y, w, b = linear_data(12, 2, seed=25)
    w_new, b_new = _step(student, X, y, w, b, 0.0)
    same = (w_new.shape == w.shape and b_new.numel() == 1 and torch.equal(w_new.double(), w.double())
            and torch.equal(b_new.double().reshape(1), b.double()))
    expect(same, f"gd_step with lr=0 returned w_new {show(w_new)}, b_new {show(b_new)}; with a zero "
                 f"learning rate the parameters must come back unchanged ({show(w)}, {show(b)})")
