"""Correct solutions of lesson 1.2 written in other styles keep full marks.

The checks judge behaviour (values against autograd and least squares, shapes,
the contract, the speed), not the way it is written: the bias folded into one
parameter vector, float64 arithmetic inside, and a student who writes every
loop inline and prints progress must all score every point.
"""

from __future__ import annotations

import pytest

from looplab.report import render_text

AUGMENTED = '''
import torch
import torch.nn.functional as F
from torch import Tensor


def with_ones(X: Tensor) -> Tensor:
    return torch.cat([X, torch.ones_like(X[:, :1])], dim=1)  # (N, d + 1)


def mse(X, y, w, b):
    return F.mse_loss(X @ w + b, y)


def mse_gradient(X, y, w, b):
    A = with_ones(X)
    theta = torch.cat([w, b.reshape(1, 1)])  # (d + 1, 1): the bias is the last weight
    grad = 2.0 / len(X) * A.T @ (A @ theta - y)
    return grad[:-1], grad[-1]


def gd_step(X, y, w, b, lr):
    return tuple(p - lr * g for p, g in zip((w, b), mse_gradient(X, y, w, b)))


def fit(X, y, w0, b0, lr, steps):
    params, history = (w0, b0), []
    while len(history) < steps:
        history.append(float(mse(X, y, *params)))
        params = gd_step(X, y, *params, lr)
    w, b = params
    return w.clone(), b.clone(), history


def max_stable_lr(X):
    # lambda_max of (2/N) A^T A is (2/N) times the largest singular value of A, squared
    sigma = torch.linalg.svdvals(with_ones(X).double())[0]
    return float(X.shape[0] / sigma ** 2)
'''

FLOAT64_INSIDE = '''
import torch


def mse(X, y, w, b):
    r = X.double() @ w.double() + b.double() - y.double()
    return (r * r).sum().div(X.shape[0]).float()


def mse_gradient(X, y, w, b):
    X64, y64, w64, b64 = (t.double() for t in (X, y, w, b))
    r = X64 @ w64 + b64 - y64  # (N, 1)
    n = X64.shape[0]
    return (2 * X64.T @ r / n).float(), (2 * r.mean(dim=0)).float()


def gd_step(X, y, w, b, lr):
    gw, gb = mse_gradient(X, y, w, b)
    return (w.double() - lr * gw.double()).float(), (b.double() - lr * gb.double()).float()


def fit(X, y, w0, b0, lr, steps):
    w, b = w0.double(), b0.double()
    X64, y64 = X.double(), y.double()
    losses = []
    for _ in range(steps):
        r = X64 @ w + b - y64
        losses.append((r ** 2).mean().item())
        w = w - lr * 2 * X64.T @ r / len(X64)
        b = b - lr * 2 * r.mean(dim=0)
    return w.float(), b.float(), losses


def max_stable_lr(X):
    n = X.shape[0]
    A = torch.ones(n, X.shape[1] + 1, dtype=torch.float64)
    A[:, :-1] = X
    return 2.0 / torch.linalg.eigvalsh(A.T @ A * (2.0 / n)).max().item()
'''

INLINE_AND_CHATTY = '''
import sys
import warnings

import torch

print("lesson 1.2: loading my solution")


def mse(X, y, w, b):
    errors = (X @ w + b - y).squeeze(1)  # (N,): flatten both sides together, never one
    return torch.mean(errors ** 2)


def mse_gradient(X, y, w, b):
    r = X @ w + b - y  # (N, 1)
    grad_w = 2 * (r * X).mean(dim=0, keepdim=True).T  # (d, 1): mean over samples of r_i x_i
    grad_b = 2 * r.mean().reshape(1)
    return grad_w, grad_b


def gd_step(X, y, w, b, lr):
    with torch.no_grad():  # harmless: nothing here tracks gradients anyway
        grad_w, grad_b = mse_gradient(X, y, w, b)
        return w - lr * grad_w, b - lr * grad_b


def fit(X, y, w0, b0, lr, steps):
    if steps == 0:
        warnings.warn("fit: steps=0, returning the initial parameters")
    n = X.shape[0]
    w = w0.detach().clone()
    b = b0.detach().clone()
    losses = []
    for step in range(steps):
        r = torch.addmm(b - y, X, w)  # X @ w + b - y in one call
        losses.append(r.pow(2).mean().item())
        w.sub_(lr * 2.0 / n * (X.T @ r))  # in place, but on our own copy
        b.sub_(lr * 2.0 / n * r.sum(0))
        if step % 100 == 0:
            print(f"step {step}: loss {losses[-1]:.5f}", file=sys.stderr)
    return w, b, losses


def max_stable_lr(X):
    n, d = X.shape
    A = torch.cat([X.double(), X.new_ones(n, 1).double()], 1)
    H = 2.0 / n * torch.einsum("ni,nj->ij", A, A)
    top = torch.linalg.eigvalsh(H)[-1].item()
    print(f"lambda_max = {top:.4f}")
    return 2.0 / top
'''

ALTERNATIVES = [
    pytest.param(AUGMENTED, id="bias_folded_into_theta"),
    pytest.param(FLOAT64_INSIDE, id="float64_inside"),
    pytest.param(INLINE_AND_CHATTY, id="inline_loop_prints_and_warns"),
]


@pytest.mark.parametrize("source", ALTERNATIVES)
def test_correct_alternative_style_keeps_full_marks(grade, source):
    report = grade(source, lesson="1.2")
    assert report.score == report.max_score > 0, render_text(report)
    assert report.status == "ok", render_text(report)
    if "print(" in source:
        assert "loading my solution" in report.output, "the student's output was not captured"
