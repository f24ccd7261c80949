"""Correct solutions of lesson 1.1 written in other styles keep full marks.

The checks judge behaviour (the values, the contract, the speed), not the way
it is written: torch.nn.functional with autograd, the loss expanded into three
averages of the data, and a student who prints progress and warns must all
score every point.
"""

from __future__ import annotations

import pytest

from looplab.report import render_text

LESSON = "1.1"

FUNCTIONAL_AND_AUTOGRAD = '''
import torch
import torch.nn.functional as F


def mse_loss(w, x, y):
    return F.mse_loss(w * x, y).item()


def mse_gradient(w, x, y):
    """Asks autograd instead of using the formula: same number, other route."""
    w_leaf = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
    loss = F.mse_loss(w_leaf * x.double(), y.double())
    (grad,) = torch.autograd.grad(loss, w_leaf)
    return grad.item()


def gradient_step(w, grad, lr):
    w -= lr * grad  # rebinds a local float; the caller's value is untouched
    return w


def train(w0, x, y, lr, steps):
    w = w0
    history = []
    step = 0
    while True:
        if step == steps:
            return (w, history)
        history.append(mse_loss(w, x, y))
        w = gradient_step(w, mse_gradient(w, x, y), lr)
        step += 1
'''

THREE_AVERAGES = '''
import torch
from torch import Tensor


def averages(x: Tensor, y: Tensor) -> tuple[float, float, float]:
    """a = mean(x^2), b = mean(x y), c = mean(y^2), in float64: L(w) = a w^2 - 2 b w + c."""
    x, y = x.double(), y.double()
    return (x * x).mean().item(), (x * y).mean().item(), (y * y).mean().item()


def mse_loss(w: float, x: Tensor, y: Tensor) -> float:
    a, b, c = averages(x, y)
    return max(a * w * w - 2 * b * w + c, 0.0)


def mse_gradient(w: float, x: Tensor, y: Tensor) -> float:
    a, b, _ = averages(x, y)
    return 2 * (a * w - b)


def gradient_step(w: float, grad: float, lr: float) -> float:
    return w - grad * lr


def train(w0: float, x: Tensor, y: Tensor, lr: float, steps: int) -> tuple[float, list[float]]:
    a, b, c = averages(x, y)  # one pass over the data; every step is then three multiplications
    w, history = w0, []
    for _ in range(steps):
        history.append(max(a * w * w - 2 * b * w + c, 0.0))
        w = gradient_step(w, 2 * (a * w - b), lr)
    return w, history
'''

CHATTY = '''
import math
import sys
import warnings

import torch

print("lesson 1.1: loading my solution")


def mse_loss(w, x, y):
    errors = torch.sub(torch.mul(x, w), y)
    return torch.mean(torch.square(errors)).item()


def mse_gradient(w, x, y):
    errors = w * x - y
    return 2.0 * torch.dot(errors, x).item() / x.numel()


def gradient_step(w, grad, lr):
    if lr > 1.0:
        warnings.warn(f"learning rate {lr} is large; training may diverge")
    return w - lr * grad


def train(w0, x, y, lr, steps):
    w = float(w0)
    history = []
    for step in range(steps):
        loss = mse_loss(w, x, y)
        history.append(loss)
        if not math.isfinite(loss):
            print(f"step {step}: the loss is {loss}, training has diverged", file=sys.stderr)
        w = gradient_step(w, mse_gradient(w, x, y), lr)
        if step % 10 == 0:
            print(f"step {step}: loss {loss:.5f}, w {w:.5f}")
    return w, history
'''

ALTERNATIVES = [
    pytest.param(FUNCTIONAL_AND_AUTOGRAD, id="functional_mse_and_autograd_gradient"),
    pytest.param(THREE_AVERAGES, id="loss_expanded_into_three_averages"),
    pytest.param(CHATTY, id="prints_progress_and_warns"),
]


@pytest.mark.parametrize("source", ALTERNATIVES)
def test_correct_alternative_style_keeps_full_marks(grade, source):
    report = grade(source, lesson=LESSON)
    assert report.score == report.max_score > 0, render_text(report)
    assert report.status == "ok", render_text(report)
    if "print(" in source:
        assert "loading my solution" in report.output, "the student's output was not captured"
