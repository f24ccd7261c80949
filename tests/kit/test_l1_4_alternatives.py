"""Correct solutions of lesson 1.4 written in other styles keep full marks.

The checks judge behaviour (the grid's values, the visited points, what the
figure holds), not the way it is written: the expanded quadratic with five
averages, torch.vmap, nn.Linear with its own update, the matrix gradient, a
figure built without pyplot, an image under the contours, log-spaced levels,
scatter markers next to the path line and (fig, ax) as the result must all
score every point.
"""

from __future__ import annotations

import pytest
from conftest import ROOT

from looplab.report import render_text

CORRECT_EXAMPLE = (ROOT / "examples" / "lesson-1.4" / "correct.py").read_text()

FIVE_AVERAGES = '''
import torch
import matplotlib.pyplot as plt


def loss_grid(x, y, ws, bs):
    """L(w, b) = mean(x^2) w^2 + 2 mean(x) w b + b^2 - 2 mean(xy) w - 2 mean(y) b + mean(y^2)."""
    x64, y64 = x.double(), y.double()
    xx, x1, xy, y1, yy = (x64 * x64).mean(), x64.mean(), (x64 * y64).mean(), y64.mean(), (y64 * y64).mean()
    W, B = ws.double()[:, None], bs.double()[None, :]  # (P, 1), (1, Q)
    grid = xx * W ** 2 + 2 * x1 * W * B + B ** 2 - 2 * xy * W - 2 * y1 * B + yy
    return grid.to(x.dtype)


def gd_path(x, y, w0, b0, lr, steps):
    n = len(x)
    A = torch.stack([x, torch.ones(n)], dim=1).double()  # (N, 2)
    target = y.double()
    theta = torch.tensor([float(w0), float(b0)], dtype=torch.float64)
    rows = [theta.tolist()]
    for _ in range(steps):
        theta = theta - lr * (2.0 / n) * A.T @ (A @ theta - target)  # the gradient in matrix form
        rows.append(theta.tolist())
    return torch.tensor(rows, dtype=torch.float32)


def plot_landscape(x, y, ws, bs, path):
    grid = loss_grid(x, y, ws, bs)
    fig, ax = plt.subplots()
    ax.imshow(grid.T, origin="lower", aspect="auto", cmap="magma",
              extent=(ws[0].item(), ws[-1].item(), bs[0].item(), bs[-1].item()))
    lines = ax.contour(ws.tolist(), bs.tolist(), grid.T.tolist(), levels=12, colors="white")
    ax.clabel(lines, fontsize=6)
    ax.scatter(path[:, 0], path[:, 1], s=8, color="cyan", zorder=3)
    ax.plot(path[:, 0], path[:, 1], color="cyan", zorder=2)
    ax.set_xlabel("$w$")
    ax.set_ylabel("$b$")
    plt.colorbar(ax.images[0], ax=ax)
    return fig
'''

VMAP_AND_NN_LINEAR = '''
import sys

import torch
from torch import nn
import matplotlib.pyplot as plt

print("lesson 1.4: loading")


def one_loss(w, b, x, y):
    return torch.mean((w * x + b - y) ** 2)


def loss_grid(x, y, ws, bs):
    over_b = torch.vmap(one_loss, in_dims=(None, 0, None, None))  # (Q,) for one w
    over_both = torch.vmap(over_b, in_dims=(0, None, None, None))  # (P, Q)
    return over_both(ws, bs, x, y)


def gd_path(x, y, w0, b0, lr, steps):
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(w0)
        model.bias.fill_(b0)
    features = x[:, None]  # (N, 1) as nn.Linear wants
    history = [torch.cat([model.weight.flatten(), model.bias]).detach().clone()]
    for step in range(steps):
        model.zero_grad()
        loss = nn.functional.mse_loss(model(features).squeeze(1), y)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        history.append(torch.cat([model.weight.flatten(), model.bias]).detach().clone())
        if step % 100 == 0:
            print(f"step {step}: loss {loss.item():.4f}", file=sys.stderr)
    return torch.stack(history)


def plot_landscape(x, y, ws, bs, path):
    fig = plt.figure(figsize=(5, 4))
    ax = fig.add_subplot(1, 1, 1)
    grid = loss_grid(x, y, ws, bs)
    ax.contour(ws, bs, grid.log().T, levels=10)  # contours of log-loss: the same lines, other spacing
    ax.plot(path[:, 0], path[:, 1], marker="x", label="path")
    ax.plot(path[-1:, 0], path[-1:, 1], "*", markersize=12, label="end")
    ax.set(xlabel="w (slope)", ylabel="b (intercept)", title="where gradient descent goes")
    ax.legend()
    return fig, ax
'''

ALTERNATIVES = [
    pytest.param(CORRECT_EXAMPLE, id="example_meshgrid_autograd_figure_without_pyplot"),
    pytest.param(FIVE_AVERAGES, id="five_averages_matrix_gradient_image_underneath"),
    pytest.param(VMAP_AND_NN_LINEAR, id="vmap_nn_linear_log_contours_prints"),
]


@pytest.mark.parametrize("source", ALTERNATIVES)
def test_correct_alternative_style_keeps_full_marks(grade, source):
    report = grade(source, lesson="1.4")
    assert report.score == report.max_score > 0, render_text(report)
    assert report.status == "ok", render_text(report)
    if "print(" in source:
        assert "lesson 1.4: loading" in report.output, "the student's output was not captured"
