"""Inputs for lesson 2.6's checks: small noisy regression problems and MLP parameters."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from looplab.checks import gen

GLOBAL_SEED = 4242  # set in the student process before calls, to expose use of the global RNG


def make_params(d_in: int, hidden: int, d_out: int, seed: int, bias: float = 0.3) -> list[Tensor]:
    """[W1, b1, W2, b2], float32, with non-zero biases so that decaying them would show."""
    g = gen(seed)
    W1 = torch.randn(d_in, hidden, generator=g) * math.sqrt(2.0 / d_in)
    b1 = bias * torch.randn(hidden, generator=g)
    W2 = torch.randn(hidden, d_out, generator=g) * math.sqrt(1.0 / hidden)
    b2 = bias * torch.randn(d_out, generator=g)
    return [W1, b1, W2, b2]


def make_problem(n: int, d_in: int, hidden: int, d_out: int, seed: int,
                 noise: float = 0.5) -> tuple[Tensor, Tensor, list[Tensor]]:
    """X (n, d_in), y (n, d_out): only the first input matters, y = sin(2 x_0) + noise."""
    g = gen(seed)
    X = torch.randn(n, d_in, generator=g)
    y = torch.sin(2 * X[:, :1]).repeat(1, d_out) + noise * torch.randn(n, d_out, generator=g)
    return X, y, make_params(d_in, hidden, d_out, seed + 1000)
