"""Data for the checks: y = w_true * x + noise, 1-D float32 tensors, all from one seed."""

from __future__ import annotations

import torch
from torch import Tensor


def make_data(n: int, seed: int, w_true: float = 2.0, noise: float = 0.5) -> tuple[Tensor, Tensor]:
    """x and y, both float32 of shape (n,)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g)
    y = w_true * x + noise * torch.randn(n, generator=g)
    return x, y


def exact_line(n: int, seed: int, w_true: float) -> tuple[Tensor, Tensor]:
    """Noise-free data: y is exactly w_true * x as float32 computes it, so w_true has loss 0."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g)
    return x, w_true * x


def best_w(x: Tensor, y: Tensor) -> float:
    """The w with the lowest mean squared error: sum(x * y) / sum(x * x), in float64."""
    x, y = x.double(), y.double()
    return ((x * y).sum() / (x * x).sum()).item()


def curvature(x: Tensor) -> float:
    """mean(x**2): the loss is curvature * (w - best_w)**2 + its minimum."""
    return (x.double() ** 2).mean().item()


def describe(**setting: object) -> str:
    return ", ".join(f"{k}={v}" for k, v in setting.items())
