"""Lesson 1.4's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake is the reference with one thing done wrong; it must lose
points on its task (named there) and nowhere else, except where the student's own code calls
the mistaken function: plot_landscape calls loss_grid, so a loss_grid mistake that moves the
contours (or breaks the call) spreads there; a mere change of scale, such as a sum instead of
a mean, does not. The plot checks draw a path made by the reference, so gd_path mistakes stay
in gd_path. Each alternative is a correct solution in another style and keeps full marks.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source

REFERENCE = reference_source("1.4")

# --- pieces of the reference that the mistakes change -------------------------------------

PREDICTIONS = "predictions = ws[:, None, None] * x + bs[None, :, None]"
MEAN = "return ((predictions - y) ** 2).mean(dim=-1)  # (P, Q)"
GRID_BODY = f"    {PREDICTIONS}  # (P, Q, N): every model, every sample\n    {MEAN}"
DOUBLE_LOOP = """    grid = torch.empty(len(ws), len(bs))
    for i in range(len(ws)):
        for j in range(len(bs)):
            grid[i, j] = ((ws[i] * x + bs[j] - y) ** 2).mean()
    return grid"""
PATH_START = "    points = [theta]\n    for _ in range(steps):"
UPDATE = "theta = theta - lr * grad"
SEQUENTIAL = """        w, b = theta
        r = w * x + b - y  # (N,) residuals at the current point
        w = w - lr * 2 * (r * x).mean()
        r = w * x + b - y  # recomputed with the new w
        b = b - lr * 2 * r.mean()
        theta = torch.stack([w, b])
        points.append(theta)"""
PATH_STEP = """        w, b = theta
        r = w * x + b - y  # (N,) residuals at the current point
        grad = torch.stack([2 * (r * x).mean(), 2 * r.mean()])  # (2,): dL/dw, dL/db
        theta = theta - lr * grad
        points.append(theta)"""
CONTOUR = 'ax.contour(ws, bs, grid.T, levels=levels.tolist(), cmap="viridis")'
PATH_LINE = "ax.plot(path[:, 0], path[:, 1],"
PLOTS_GRID = ("plot_landscape",)  # plot_landscape draws the student's own loss_grid

MISTAKES = [
    # --- loss_grid
    Mistake("grid_axes_swapped", "loss_grid",
            mutate(REFERENCE, PREDICTIONS, "predictions = ws[None, :, None] * x + bs[:, None, None]"),
            named="the grid's axes are swapped", spreads=PLOTS_GRID),
    Mistake("sum_instead_of_mean", "loss_grid",
            mutate(REFERENCE, MEAN, "return ((predictions - y) ** 2).sum(dim=-1)"),
            named="summed over the samples instead of averaged"),
    Mistake("w_and_b_exchanged_in_the_model", "loss_grid",
            mutate(REFERENCE, PREDICTIONS, "predictions = bs[None, :, None] * x + ws[:, None, None]"),
            named="w and b are exchanged inside the model", spreads=PLOTS_GRID),
    Mistake("python_double_loop", "loss_grid", mutate(REFERENCE, GRID_BODY, DOUBLE_LOOP),
            named="a Python loop over the grid points"),
    Mistake("inputs_reshaped_in_place", "loss_grid",
            mutate(REFERENCE, PREDICTIONS,
                   "predictions = ws.unsqueeze_(-1).unsqueeze_(-1) * x + bs[None, :, None]"),
            named="changed its input `ws` in place", spreads=PLOTS_GRID),
    # --- gd_path
    Mistake("starting_point_missing", "gd_path",
            mutate(REFERENCE, PATH_START, "    points = []\n    for _ in range(steps):"),
            named="the starting point (w0, b0) is missing", example="buggy"),
    Mistake("last_point_missing", "gd_path",
            edit(REFERENCE,
                 (PATH_START, "    points = []\n    for _ in range(steps):\n        points.append(theta)"),
                 ("        theta = theta - lr * grad\n        points.append(theta)",
                  "        theta = theta - lr * grad")),
            named="the point after the last update is missing"),
    Mistake("gradient_ascent", "gd_path", mutate(REFERENCE, UPDATE, "theta = theta + lr * grad"),
            named="adds the gradient instead of subtracting it"),
    Mistake("factor_two_forgotten", "gd_path",
            mutate(REFERENCE, "grad = torch.stack([2 * (r * x).mean(), 2 * r.mean()])",
                   "grad = torch.stack([(r * x).mean(), r.mean()])"),
            named="the factor 2 from differentiating the square is missing"),
    Mistake("b_updated_with_the_new_w", "gd_path", mutate(REFERENCE, PATH_STEP, SEQUENTIAL),
            named="b's gradient is computed after w has already moved"),
    # --- plot_landscape
    Mistake("no_contour_only_an_image", "plot_landscape",
            mutate(REFERENCE, CONTOUR, 'ax.pcolormesh(ws, bs, grid.T, cmap="viridis")'),
            named="the figure has no contour lines (it holds QuadMesh)"),
    Mistake("filled_contours_only", "plot_landscape",
            mutate(REFERENCE, CONTOUR, 'ax.contourf(ws, bs, grid.T, levels=levels.tolist(), cmap="viridis")'),
            named="only filled contours"),
    Mistake("grid_not_transposed", "plot_landscape",
            mutate(REFERENCE, CONTOUR, 'ax.contour(ws, bs, grid, levels=levels.tolist(), cmap="viridis")'),
            named="pass grid.T"),
    Mistake("contour_axes_swapped", "plot_landscape",
            mutate(REFERENCE, CONTOUR, 'ax.contour(bs, ws, grid, levels=levels.tolist(), cmap="viridis")'),
            named="w and b are swapped; w goes on the horizontal axis"),
    Mistake("path_drawn_with_w_and_b_swapped", "plot_landscape",
            mutate(REFERENCE, PATH_LINE, "ax.plot(path[:, 1], path[:, 0],"),
            named="the path is drawn with w and b swapped"),
    Mistake("path_as_unjoined_markers", "plot_landscape",
            mutate(REFERENCE, 'ax.plot(path[:, 0], path[:, 1], "o-", color="crimson", markersize=3, linewidth=1,',
                   'ax.scatter(path[:, 0], path[:, 1], color="crimson", s=9,'),
            named="drawn with scatter, which does not join them"),
    Mistake("figure_not_returned", "plot_landscape",
            mutate(REFERENCE, "    return fig\n", "    plt.show()\n"),
            named="plot_landscape returned None"),
]

# --- correct solutions in other styles ------------------------------------------------------

MESHGRID_AUTOGRAD_WITHOUT_PYPLOT = '''
import math

import torch
from matplotlib.figure import Figure
from torch import Tensor


def mse(x: Tensor, y: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """Mean squared error of w * x + b; w and b may carry extra leading grid dimensions."""
    return ((w[..., None] * x + b[..., None] - y) ** 2).mean(dim=-1)


def loss_grid(x: Tensor, y: Tensor, ws: Tensor, bs: Tensor) -> Tensor:
    W, B = torch.meshgrid(ws, bs, indexing="ij")  # both (P, Q)
    return mse(x, y, W, B)  # (P, Q)


def gd_path(x: Tensor, y: Tensor, w0: float, b0: float, lr: float, steps: int) -> Tensor:
    w = torch.tensor(w0, dtype=x.dtype, requires_grad=True)
    b = torch.tensor(b0, dtype=x.dtype, requires_grad=True)
    visited = torch.empty(steps + 1, 2, dtype=x.dtype)
    visited[0] = torch.stack([w, b]).detach()
    for k in range(1, steps + 1):
        grad_w, grad_b = torch.autograd.grad(mse(x, y, w, b), (w, b))
        with torch.no_grad():
            w -= lr * grad_w
            b -= lr * grad_b
        visited[k] = torch.stack([w, b]).detach()
    return visited


def plot_landscape(x: Tensor, y: Tensor, ws: Tensor, bs: Tensor, path: Tensor):
    grid = loss_grid(x, y, ws, bs)
    low, high = max(grid.min().item(), 1e-12), grid.max().item()
    levels = torch.logspace(math.log10(low), math.log10(high), 14).tolist()  # evenly spaced in log
    fig = Figure(figsize=(7, 5))
    ax = fig.add_subplot()
    shading = ax.contourf(ws, bs, grid.T, levels=levels, cmap="Blues_r", alpha=0.6)
    ax.contour(ws, bs, grid.T, levels=levels, colors="k", linewidths=0.6)
    fig.colorbar(shading, ax=ax, label="loss")
    ax.plot(path[:, 0].tolist(), path[:, 1].tolist(), ".-", color="darkorange", label="descent")
    ax.plot([path[0, 0].item()], [path[0, 1].item()], "s", color="black", label="start")
    ax.set_xlabel("weight w")
    ax.set_ylabel("bias b")
    ax.legend()
    return fig, ax
'''

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
    Alternative("meshgrid_autograd_figure_without_pyplot", MESHGRID_AUTOGRAD_WITHOUT_PYPLOT,
                style="a meshgrid for the grid, autograd for the gradients, matplotlib's Figure "
                      "without pyplot, log-spaced levels over a filled layer, (fig, ax) returned",
                example="correct"),
    Alternative("five_averages_matrix_gradient_image_underneath", FIVE_AVERAGES,
                style="the expanded quadratic from five averages, the gradient in matrix form, "
                      "an image under the contours, scatter markers next to the path line"),
    Alternative("vmap_nn_linear_log_contours_prints", VMAP_AND_NN_LINEAR,
                style="torch.vmap for the grid, nn.Linear with its own update, contours of the "
                      "log-loss, printing while it runs"),
]
