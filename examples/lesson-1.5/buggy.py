# A buggy submission (three planted mistakes) for the demo, adapted from the reference solution
# for lesson 1.5: forward differences, no guard for two zero gradients, and a comparison that
# lets a NaN relative error pass.
import torch
from torch import Tensor


def numerical_gradient(f, x: Tensor, h: float = 1e-5) -> Tensor:
    grad = torch.empty_like(x)
    flat, flat_grad = x.view(-1), grad.view(-1)
    at_x = float(f(x))
    for i in range(flat.numel()):
        saved = flat[i].item()
        try:
            flat[i] = saved + h
            flat_grad[i] = (float(f(x)) - at_x) / h  # forward difference: error proportional to h
        finally:
            flat[i] = saved
    return grad


def relative_error(a: Tensor, b: Tensor) -> float:
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {tuple(a.shape)} and {tuple(b.shape)}")
    a, b = a.double(), b.double()
    return ((a - b).abs().max() / (a.abs() + b.abs()).max()).item()  # 0 / 0 for two zero gradients


def gradient_check(f, grad_f, x: Tensor, h: float = 1e-5, tol: float = 1e-6) -> bool:
    return not relative_error(grad_f(x), numerical_gradient(f, x, h)) > tol  # NaN slips through


def error_curve(f, grad_f, x: Tensor, hs: list[float]) -> list[float]:
    analytic = grad_f(x)
    return [relative_error(analytic, numerical_gradient(f, x, h)) for h in hs]
