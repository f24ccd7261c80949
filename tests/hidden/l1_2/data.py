"""Regression data for the checks and the checker's own oracles, all in this process.

Everything the checks compare against is computed here in float64: the loss, the
gradient by autograd, the least-squares solution and the step-size limit. None of
it trusts the student's process.
"""

from __future__ import annotations

import torch
from torch import Tensor


def make_data(n: int, d: int, seed: int, *, noise: float = 0.1, scale: float = 1.0,
              shift: float = 0.0) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """X (n, d) float32, y (n, 1), w0 (d, 1) and b0 (1,) away from the optimum.

    Feature j is scaled by scale ** (j / (d - 1)), so `scale` sets how uneven the
    features are (and so the conditioning), and shifted by `shift` (a non-zero mean
    couples the weights with the bias).
    """
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    if d > 1:
        X = X * scale ** (torch.arange(d) / (d - 1))
    X = X + shift
    w_true = torch.randn(d, 1, generator=g)
    b_true = torch.randn(1, generator=g)
    y = X @ w_true + b_true + noise * torch.randn(n, 1, generator=g)
    w0 = 0.5 * torch.randn(d, 1, generator=g)
    b0 = 0.5 * torch.randn(1, generator=g)
    return X, y, w0, b0


def loss64(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> float:
    return ((X.double() @ w.double() + b.double() - y.double()) ** 2).mean().item()


def autograd_gradient(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """dL/dw (d, 1) and dL/db (1,) in float64, by autograd, in the checker's process."""
    w64 = w.detach().double().clone().requires_grad_(True)
    b64 = b.detach().double().clone().requires_grad_(True)
    loss = ((X.double() @ w64 + b64 - y.double()) ** 2).mean()
    grad_w, grad_b = torch.autograd.grad(loss, (w64, b64))
    return grad_w, grad_b


def augmented(X: Tensor) -> Tensor:
    """[X, 1] in float64, shape (N, d + 1): the bias as one more weight."""
    X64 = X.double()
    return torch.cat([X64, torch.ones(X64.shape[0], 1, dtype=torch.float64)], dim=1)


def least_squares(X: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """The closed-form minimiser (w*, b*) of the mean squared error, float64."""
    coef = torch.linalg.lstsq(augmented(X), y.double()).solution  # (d + 1, 1)
    return coef[:-1], coef[-1]


def stable_limit(X: Tensor) -> float:
    """2 / lambda_max, lambda_max the largest eigenvalue of the Hessian (2 / N) A^T A."""
    A = augmented(X)
    return 2.0 / torch.linalg.eigvalsh((2.0 / A.shape[0]) * (A.T @ A))[-1].item()


def describe(**setting: object) -> str:
    return ", ".join(f"{k}={v}" for k, v in setting.items())
