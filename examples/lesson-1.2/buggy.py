# A buggy submission for the demo (three planted mistakes), adapted from the reference
# solution for lesson 1.2: the gradient misses its factor 2, fit records each loss after
# the update, and max_stable_lr leaves out the bias column.
import torch
from torch import Tensor


def mse(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> Tensor:
    residual = X @ w + b - y  # (N, 1)
    return (residual ** 2).mean()


def mse_gradient(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    n = X.shape[0]
    residual = X @ w + b - y  # (N, 1)
    grad_w = (1.0 / n) * (X.T @ residual)  # mistake: the 2 from the square is gone
    grad_b = (1.0 / n) * residual.sum(dim=0)
    return grad_w, grad_b


def gd_step(X: Tensor, y: Tensor, w: Tensor, b: Tensor, lr: float) -> tuple[Tensor, Tensor]:
    grad_w, grad_b = mse_gradient(X, y, w, b)
    return w - lr * grad_w, b - lr * grad_b


def fit(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, lr: float,
        steps: int) -> tuple[Tensor, Tensor, list[float]]:
    w, b = w0.clone(), b0.clone()
    losses = []
    for _ in range(steps):
        w, b = gd_step(X, y, w, b, lr)
        losses.append(mse(X, y, w, b).item())  # mistake: recorded after the update
    return w, b, losses


def max_stable_lr(X: Tensor) -> float:
    n = X.shape[0]
    A = X.double()  # mistake: no column of ones for the bias
    largest = torch.linalg.eigvalsh((2.0 / n) * (A.T @ A))[-1].item()
    return 2.0 / largest
