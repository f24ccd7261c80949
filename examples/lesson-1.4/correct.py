# A correct submission for lesson 1.4, written differently from the reference: a meshgrid for the
# grid, autograd for the gradients, and matplotlib's object-oriented API without pyplot.
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
