# A buggy submission for the demo (three planted mistakes), adapted from the reference solution
# of lesson 1.4: the loss is summed, the path misses its starting point, and the path is drawn
# with w and b swapped.
import torch
from torch import Tensor
import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def loss_grid(x: Tensor, y: Tensor, ws: Tensor, bs: Tensor) -> Tensor:
    predictions = ws[:, None, None] * x + bs[None, :, None]  # (P, Q, N)
    return ((predictions - y) ** 2).sum(dim=-1)  # summed, not averaged


def gd_path(x: Tensor, y: Tensor, w0: float, b0: float, lr: float, steps: int) -> Tensor:
    theta = torch.tensor([w0, b0], dtype=x.dtype)
    points = []  # the start is never recorded
    for _ in range(steps):
        w, b = theta
        r = w * x + b - y
        theta = theta - lr * torch.stack([2 * (r * x).mean(), 2 * r.mean()])
        points.append(theta)
    return torch.stack(points) if points else torch.empty(0, 2)


def plot_landscape(x: Tensor, y: Tensor, ws: Tensor, bs: Tensor, path: Tensor) -> Figure:
    grid = loss_grid(x, y, ws, bs)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    ax.contour(ws, bs, grid.T, levels=15)
    ax.plot(path[:, 1], path[:, 0], "o-", markersize=3)  # b across, w up: swapped
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    return fig
