# A correct submission for lesson 1.1 written in float64 with torch.dot: the loss and the
# gradient both start from one residual vector, and the loop counts its steps in a while loop.
import torch
from torch import Tensor


def _residual(w: float, x: Tensor, y: Tensor) -> Tensor:
    return w * x.double() - y.double()  # (N,) in float64


def mse_loss(w: float, x: Tensor, y: Tensor) -> float:
    r = _residual(w, x, y)
    return float(torch.dot(r, r) / r.numel())


def mse_gradient(w: float, x: Tensor, y: Tensor) -> float:
    r = _residual(w, x, y)
    return float(2.0 * torch.dot(r, x.double()) / r.numel())


def gradient_step(w: float, grad: float, lr: float) -> float:
    return float(w - lr * grad)


def train(w0: float, x: Tensor, y: Tensor, lr: float, steps: int) -> tuple[float, list[float]]:
    w, history = float(w0), []
    done = 0
    while done < steps:
        history.append(mse_loss(w, x, y))
        w = gradient_step(w, mse_gradient(w, x, y), lr)
        done += 1
    return w, history
