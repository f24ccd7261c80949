# A correct submission for lesson 1.6 in a functional style: torch.autograd.grad returns the
# gradients instead of accumulating them in .grad, so there is nothing to reset, and the
# parameters are rebuilt as new tensors at every step, so w0 and b0 are never touched.
import torch
from torch import Tensor


def quiz_answers() -> dict[str, str]:
    chosen = ["c", "b", "d", "a", "b", "d", "a", "c"]
    return {f"q{i + 1}": letter for i, letter in enumerate(chosen)}


def _batch_loss(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> Tensor:
    return (X @ w + b - y).pow(2).mean()


def fixed_train(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, batch_size: int,
                epochs: int, lr: float, generator: torch.Generator) -> list[float]:
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    n = len(X)
    w = w0.detach().clone().requires_grad_()
    b = b0.detach().clone().requires_grad_()
    curve: list[float] = []
    for _ in range(epochs):
        sums: list[float] = []
        for idx in torch.randperm(n, generator=generator).split(batch_size):
            loss = _batch_loss(X[idx], y[idx], w, b)
            sums.append(loss.item() * len(idx))  # this batch's total squared error
            grad_w, grad_b = torch.autograd.grad(loss, (w, b))
            w = (w - lr * grad_w).detach().requires_grad_()
            b = (b - lr * grad_b).detach().requires_grad_()
        curve.append(sum(sums) / n)
    return curve
