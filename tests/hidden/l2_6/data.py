"""Inputs for lesson 2.6's checks: small noisy regression problems and MLP layers in lesson
2.1's format, [(W_1, b_1), ..., (W_L, b_L)] with W_k of shape (in, out)."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from looplab.checks import gen

GLOBAL_SEED = 4242  # set in the student process before calls, to expose use of the global RNG

Layers = list[tuple[Tensor, Tensor]]


def make_layers(sizes: list[int], seed: int, bias: float = 0.3) -> Layers:
    """Float32 layers for the widths `sizes`, with non-zero biases so that decaying them would
    show: W_k Gaussian, scaled by sqrt(2 / fan_in) before a ReLU and sqrt(1 / fan_in) for the
    last layer; b_k Gaussian times `bias`. Drawn W_1, b_1, W_2, b_2, ... from one generator."""
    g = gen(seed)
    layers: Layers = []
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        gain = 1.0 if k == len(sizes) - 2 else 2.0
        W = torch.randn(fan_in, fan_out, generator=g) * math.sqrt(gain / fan_in)
        b = bias * torch.randn(fan_out, generator=g)
        layers.append((W, b))
    return layers


def make_problem(n: int, sizes: list[int], seed: int,
                 noise: float = 0.5) -> tuple[Tensor, Tensor, Layers]:
    """X (n, sizes[0]), y (n, sizes[-1]): only the first input matters, y = sin(2 x_0) + noise;
    and starting layers for the widths `sizes`."""
    g = gen(seed)
    d_in, d_out = sizes[0], sizes[-1]
    X = torch.randn(n, d_in, generator=g)
    y = torch.sin(2 * X[:, :1]).repeat(1, d_out) + noise * torch.randn(n, d_out, generator=g)
    return X, y, make_layers(sizes, seed + 1000)


def flat(layers) -> list[Tensor]:
    """[W_1, b_1, W_2, b_2, ...]: the tensors of a list of (W, b) layers, in order."""
    return [t for layer in layers for t in layer]


def names(layers) -> list[str]:
    """["W_1", "b_1", "W_2", "b_2", ...], matching `flat`."""
    return [f"{t}_{k}" for k in range(1, len(layers) + 1) for t in ("W", "b")]
