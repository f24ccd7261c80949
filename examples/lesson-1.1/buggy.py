# A buggy submission for lesson 1.1 with two classic mistakes: the loss is returned as a
# 0-d tensor (no .item()), and the training loop runs one step too many.
from torch import Tensor


def mse_loss(w: float, x: Tensor, y: Tensor) -> float:
    return ((w * x - y) ** 2).mean()  # BUG: a tensor, not a Python float


def mse_gradient(w: float, x: Tensor, y: Tensor) -> float:
    return (2 * ((w * x - y) * x).mean()).item()


def gradient_step(w: float, grad: float, lr: float) -> float:
    return w - lr * grad


def train(w0: float, x: Tensor, y: Tensor, lr: float, steps: int) -> tuple[float, list[float]]:
    w = w0
    history = []
    for _ in range(steps + 1):  # BUG: off by one
        history.append(float(mse_loss(w, x, y)))
        w = gradient_step(w, mse_gradient(w, x, y), lr)
    return w, history
