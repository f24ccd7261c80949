"""The course's one-neuron training loop in torch (float64), with switches for known mistakes."""

from __future__ import annotations

import random

import torch

from looplab.checks import Mistakes


def neuron_loop(w0, b0, X, y, epochs, lr, mistake=None):
    """Losses per epoch of train_neuron, as a submission with `mistake` records them."""
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)

    def loss_at():
        z = Xt @ w + b
        p = z if mistake == "no_tanh" else torch.tanh(z)
        squared = (p - yt) ** 2
        return squared.sum() if mistake == "sum" else squared.mean()

    losses = []
    for _ in range(epochs):
        if mistake != "no_zero" or w.grad is None:
            w.grad, b.grad = torch.zeros_like(w), torch.zeros_like(b)
        loss = loss_at()
        loss.backward()
        with torch.no_grad():
            sign = 1.0 if mistake == "ascent" else -1.0
            w += sign * lr * w.grad
            b += sign * lr * b.grad
        losses.append(loss_at().item() if mistake == "loss_after" else loss.item())
    return losses


KNOWN = Mistakes({
    "no_zero": "the parameters' grads were not set back to 0.0 before backward(): backward adds "
               "into .grad, so every step used the sum of all gradients so far (what "
               "optimizer.zero_grad() prevents in PyTorch)",
    "loss_after": "the loss is recorded after the update: append loss.data before changing the parameters",
    "sum": "the loss is the sum of squared errors; the contract asks for the mean (multiply by 1/N)",
    "ascent": "the step goes uphill: w <- w - lr * grad, not + lr * grad",
    "no_tanh": "the prediction is missing tanh: p = tanh(w . x + b)",
}, neuron_loop)


def neuron_data(n, d, seed):
    """N rows of d inputs, targets in (-1, 1) from a noisy tanh neuron, small starting weights."""
    rng = random.Random(seed)
    w_true = [rng.uniform(-1.5, 1.5) for _ in range(d)]
    X = [[round(rng.gauss(0, 1), 4) for _ in range(d)] for _ in range(n)]
    y = [round(max(-0.95, min(0.95, torch.tanh(torch.tensor(sum(a * b for a, b in zip(w_true, row)) + 0.3)).item()
                                + rng.gauss(0, 0.05))), 4) for row in X]
    w0 = [round(rng.uniform(-0.3, 0.3), 4) for _ in range(d)]
    return w0, round(rng.uniform(-0.2, 0.2), 4), X, y
