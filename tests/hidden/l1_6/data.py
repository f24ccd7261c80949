"""Regression data for the fixed_train checks: y = X w* + b* + noise, all from one seed."""

from __future__ import annotations

import torch
from torch import Tensor


def make_data(n: int, d: int, seed: int, noise: float = 0.1) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """X (n, d) float32, y (n, 1), and small non-zero starting points w0 (d, 1), b0 (1,)."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    w_true = torch.randn(d, 1, generator=g)
    b_true = torch.randn(1, generator=g)
    y = X @ w_true + b_true + noise * torch.randn(n, 1, generator=g)
    w0 = 0.1 * torch.randn(d, 1, generator=g)
    b0 = 0.1 * torch.randn(1, generator=g)
    return X, y, w0, b0


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def fresh(generator: torch.Generator) -> torch.Generator:
    """An independent copy of a generator, in the same state."""
    g = torch.Generator()
    g.set_state(generator.get_state())
    return g
