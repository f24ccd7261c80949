# A buggy submission (three planted mistakes) for the demo; adapted from the reference solution for lesson 1.3: batch vs stochastic vs mini-batch gradient descent.
import torch
from torch import Tensor


def mse(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """Mean squared error of the linear model X @ w + b on (X, y)."""
    return ((X @ w + b - y) ** 2).mean()


def minibatch_indices(n: int, batch_size: int, generator: torch.Generator) -> list[Tensor]:
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    order = torch.arange(n)
    return list(order.split(batch_size))  # the last chunk may be smaller


def sgd_step(loss: Tensor, w: Tensor, b: Tensor, lr: float) -> None:
    """One gradient step on w and b in place, then clear their gradients."""
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad = None
    b.grad = None


def train_batch(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, epochs: int,
                lr: float) -> list[float]:
    w = w0.detach().clone().requires_grad_(True)  # (d, 1), a copy: w0 stays as it was
    b = b0.detach().clone().requires_grad_(True)  # (1,)
    losses = []
    for _ in range(epochs):
        loss = mse(X, y, w, b)  # all N samples
        sgd_step(loss, w, b, lr)
        losses.append(mse(X, y, w, b).item())
    return losses


def train_stochastic(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, epochs: int,
                     lr: float, generator: torch.Generator) -> list[float]:
    n = X.shape[0]
    w = w0.detach().clone().requires_grad_(True)
    b = b0.detach().clone().requires_grad_(True)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for i in torch.randperm(n, generator=generator).tolist():
            loss = mse(X[i:i + 1], y[i:i + 1], w, b)  # one sample
            total += loss.item()
            sgd_step(loss, w, b, lr)
        losses.append(total / n)
    return losses


def train_minibatch(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, batch_size: int,
                    epochs: int, lr: float, generator: torch.Generator) -> list[float]:
    n = X.shape[0]
    w = w0.detach().clone().requires_grad_(True)
    b = b0.detach().clone().requires_grad_(True)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for idx in minibatch_indices(n, batch_size, generator):
            loss = mse(X[idx], y[idx], w, b)  # (batch,) samples
            total += loss.item() * len(idx)  # weight by batch size
            sgd_step(loss, w, b, lr)
        losses.append(total / n)
    return losses


def epochs_to_target(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, batch_size: int,
                     lr: float, target: float, max_epochs: int,
                     generator: torch.Generator) -> int | None:
    n = X.shape[0]
    w = w0.detach().clone().requires_grad_(True)
    b = b0.detach().clone().requires_grad_(True)
    for epoch in range(max_epochs + 1):
        with torch.no_grad():
            if mse(X, y, w, b).item() <= target:  # full-data loss after `epoch` epochs
                return epoch
        if epoch == max_epochs:
            return None
        for idx in minibatch_indices(n, batch_size, generator):
            sgd_step(mse(X[idx], y[idx], w, b), w, b, lr)
    return None


def noise_floor(X: Tensor, y: Tensor) -> float:
    X64, y64 = X.double(), y.double()
    A = X64
    coef = torch.linalg.lstsq(A, y64).solution  # best w and b together
    return ((A @ coef - y64) ** 2).mean().item()
