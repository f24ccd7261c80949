# A correct submission for lesson 1.3 written without autograd: the gradients of the
# mean squared error are derived by hand, d/dw = 2/m X^T r and d/db = 2 mean(r).
import torch
from torch import Tensor


def minibatch_indices(n: int, batch_size: int, generator: torch.Generator) -> list[Tensor]:
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    return list(torch.randperm(n, generator=generator).split(batch_size))


def _step(X: Tensor, y: Tensor, w: Tensor, b: Tensor, lr: float) -> tuple[Tensor, Tensor, float]:
    r = X @ w + b - y  # (m, 1) residuals
    loss = (r ** 2).mean().item()
    w = w - lr * 2.0 / len(X) * (X.T @ r)
    b = b - lr * 2.0 * r.mean().reshape(1)
    return w, b, loss


def _epochs(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, batches, epochs: int, lr: float) -> list[float]:
    w, b, losses = w0.clone(), b0.clone(), []
    for _ in range(epochs):
        total = 0.0
        for idx in batches():
            w, b, loss = _step(X[idx], y[idx], w, b, lr)
            total += loss * len(idx)
        losses.append(total / len(X))
    return losses


def train_batch(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, epochs: int, lr: float) -> list[float]:
    everything = torch.arange(len(X))
    return _epochs(X, y, w0, b0, lambda: [everything], epochs, lr)


def train_stochastic(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, epochs: int, lr: float,
                     generator: torch.Generator) -> list[float]:
    return _epochs(X, y, w0, b0, lambda: minibatch_indices(len(X), 1, generator), epochs, lr)


def train_minibatch(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, batch_size: int, epochs: int,
                    lr: float, generator: torch.Generator) -> list[float]:
    return _epochs(X, y, w0, b0, lambda: minibatch_indices(len(X), batch_size, generator), epochs, lr)


def epochs_to_target(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, batch_size: int, lr: float,
                     target: float, max_epochs: int, generator: torch.Generator) -> int | None:
    w, b = w0.clone(), b0.clone()
    for epoch in range(max_epochs + 1):
        if ((X @ w + b - y) ** 2).mean().item() <= target:
            return epoch
        if epoch < max_epochs:
            for idx in minibatch_indices(len(X), batch_size, generator):
                w, b, _ = _step(X[idx], y[idx], w, b, lr)
    return None


def noise_floor(X: Tensor, y: Tensor) -> float:
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1).double()
    coef = torch.linalg.solve(A.T @ A, A.T @ y.double())  # the normal equations
    return ((A @ coef - y.double()) ** 2).mean().item()
