"""One-feature regression data for the checks, and the truths they are judged against."""

from __future__ import annotations

import torch
from torch import Tensor

START = (-0.5, 2.5)  # (w0, b0) up the side of the valley, so paths have somewhere to go


def make_data(n: int, seed: int, noise: float = 0.3) -> tuple[Tensor, Tensor]:
    """x (n,) float32 around 1 (so w and b are coupled), y (n,) = w* x + b* + noise."""
    g = torch.Generator().manual_seed(seed)
    x = 1.0 + 0.8 * torch.randn(n, generator=g)
    w_true = 2.0 + torch.rand(1, generator=g).item()
    b_true = -1.0 - torch.rand(1, generator=g).item()
    y = w_true * x + b_true + noise * torch.randn(n, generator=g)
    return x, y


def least_squares(x: Tensor, y: Tensor) -> tuple[float, float]:
    """The (w, b) with the smallest mean squared error, in closed form (float64)."""
    A = torch.stack([x.double(), torch.ones(len(x), dtype=torch.float64)], dim=1)  # (N, 2)
    w, b = torch.linalg.lstsq(A, y.double()[:, None]).solution.flatten().tolist()
    return w, b


def mse_at(x: Tensor, y: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """The loss at each of the points (w[k], b[k]), in float64; w and b have shape (K,)."""
    x, y = x.double(), y.double()
    return ((w.double()[:, None] * x + b.double()[:, None] - y) ** 2).mean(dim=1)


def pointwise_grid(x: Tensor, y: Tensor, ws: Tensor, bs: Tensor) -> Tensor:
    """grid[i, j] = L(ws[i], bs[j]), one point at a time (float64): the check's own truth."""
    x64, y64 = x.double(), y.double()
    out = torch.empty(len(ws), len(bs), dtype=torch.float64)
    for i, w in enumerate(ws.double().tolist()):
        for j, b in enumerate(bs.double().tolist()):
            out[i, j] = ((w * x64 + b - y64) ** 2).mean()
    return out


def axes_around(w: float, b: float, p: int, q: int, half_w: float = 3.0,
                half_b: float = 4.0) -> tuple[Tensor, Tensor]:
    """ws (p,) and bs (q,) spanning the point (w, b), off-centre so no grid node sits on it."""
    ws = torch.linspace(w - half_w * 0.9, w + half_w * 1.1, p)
    bs = torch.linspace(b - half_b * 1.1, b + half_b * 0.9, q)
    return ws, bs


def describe(**setting: object) -> str:
    return ", ".join(f"{k}={v}" for k, v in setting.items())
