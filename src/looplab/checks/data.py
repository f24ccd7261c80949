"""Inputs for checks: seeded generators, fresh copies, the course's regression data."""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import Tensor


def gen(seed: int) -> torch.Generator:
    """A CPU generator seeded with `seed`: the only randomness a student's function may use."""
    return torch.Generator().manual_seed(seed)


def fresh(value: Any) -> Any:
    """An independent copy of an argument: a generator with the same state, a cloned tensor,
    a deep copy of anything else, so the reference never shares state with the student."""
    if isinstance(value, torch.Generator):
        g = torch.Generator()
        g.set_state(value.get_state())
        return g
    if isinstance(value, Tensor):
        return value.clone()
    return copy.deepcopy(value)


def fresh_all(args: tuple) -> tuple:
    return tuple(fresh(a) for a in args)


def linear_data(n: int, d: int, seed: int, noise: float = 0.1, *, scale: float = 1.0,
                shift: float = 0.0) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """y = X w* + b* + noise, from one seed, with small non-zero starting parameters.

    Feature j is multiplied by scale ** (j / (d - 1)), so `scale` sets how uneven the features
    are (the conditioning), then shifted by `shift` (a non-zero mean couples w with b).
    Returns X (n, d) float32, y (n, 1), w0 (d, 1) and b0 (1,).
    """
    g = gen(seed)
    X = torch.randn(n, d, generator=g)
    if d > 1 and scale != 1.0:
        X = X * scale ** (torch.arange(d) / (d - 1))
    X = X + shift
    w_true = torch.randn(d, 1, generator=g)
    b_true = torch.randn(1, generator=g)
    y = X @ w_true + b_true + noise * torch.randn(n, 1, generator=g)
    w0 = 0.1 * torch.randn(d, 1, generator=g)
    b0 = 0.1 * torch.randn(1, generator=g)
    return X, y, w0, b0


def describe(**setting: object) -> str:
    """`N=40, d=1, lr=0.1`: the setting a check tried, for its messages."""
    return ", ".join(f"{k}={v}" for k, v in setting.items())
