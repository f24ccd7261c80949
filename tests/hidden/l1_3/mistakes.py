"""Known mistakes for lesson 1.3, simulated, so a failed check can name one.

`simulate` trains like the reference but with one mistake switched on; it uses
explicit gradients in float64, so it is fast and independent of autograd.
`diagnose` returns the description of the first mistake whose trajectory the
student's matches, or None.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

MISTAKES = {
    "record_after": "the loss is recorded after the update instead of just before it",
    "sum": "the loss is summed over the samples instead of averaged, so every step is too large",
    "no_zero_grad": "gradients are never reset, so they pile up from step to step "
                    "(set .grad = None or call optimizer.zero_grad() after each update)",
    "drop_last": "the last, smaller batch of each epoch is dropped",
    "drop_last_n": "the last, smaller batch of each epoch is never trained on (are your "
                   "minibatch_indices dropping it?); every sample must be in one batch",
    "shuffle_once": "one shuffle is reused every epoch; draw a new randperm at the start of each epoch",
    "no_shuffle": "the samples are visited in their original order; shuffle each epoch with "
                  "torch.randperm(n, generator=generator)",
    "global_rng": "the shuffle uses the global random generator; pass generator=generator to torch.randperm",
    "unweighted": "the epoch loss is the plain mean of the batch losses; weight each batch by its size",
    "last_loss": "the epoch loss is the last step's loss, not the mean over the epoch",
    "no_bias": "the bias b is never updated",
    "ascent": "the update adds the gradient instead of subtracting it",
    "epoch_end_full": "the recorded loss is the loss over all the data after the epoch, "
                      "not the mean of the losses taken before each update",
}

BATCH = ("record_after", "sum", "no_zero_grad", "no_bias", "ascent")
STOCHASTIC = BATCH + ("shuffle_once", "no_shuffle", "global_rng", "last_loss", "epoch_end_full")
MINIBATCH = STOCHASTIC + ("drop_last", "drop_last_n", "unweighted")


def simulate(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, *, batch_size: int | None,
             epochs: int, lr: float, seed: int | None = None, global_seed: int | None = None,
             mistake: str | None = None) -> list[float]:
    """Losses per epoch; batch_size=None means full batch without shuffling."""
    X, y = X.double(), y.double()
    w, b = w0.double().clone(), b0.double().clone()
    n = X.shape[0]
    g = torch.Generator().manual_seed(seed if seed is not None else 0)
    g_global = torch.Generator().manual_seed(global_seed if global_seed is not None else 0)
    acc_w, acc_b = torch.zeros_like(w), torch.zeros_like(b)
    fixed = None
    losses = []
    for _ in range(epochs):
        if batch_size is None:
            batches = [torch.arange(n)]
        else:
            if mistake == "no_shuffle":
                order = torch.arange(n)
            elif mistake == "global_rng":
                order = torch.randperm(n, generator=g_global)
            elif mistake == "shuffle_once":
                fixed = torch.randperm(n, generator=g) if fixed is None else fixed
                order = fixed
            else:
                order = torch.randperm(n, generator=g)
            batches = list(order.split(batch_size))
            if mistake == "drop_last" and len(batches) > 1 and len(batches[-1]) < batch_size:
                batches = batches[:-1]
            if mistake == "drop_last_n":  # only full batches, but the epoch loss still divides by n
                batches = [idx for idx in batches if len(idx) == batch_size]
        recorded = []
        for idx in batches:
            Xb, yb = X[idx], y[idx]
            r = Xb @ w + b - yb  # (m, 1)
            m = len(idx)
            scale = 2.0 if mistake == "sum" else 2.0 / m
            loss = (r ** 2).sum() if mistake == "sum" else (r ** 2).mean()
            gw, gb = scale * Xb.T @ r, scale * r.sum().reshape(1)
            if mistake == "no_zero_grad":
                acc_w, acc_b = acc_w + gw, acc_b + gb
                gw, gb = acc_w, acc_b
            sign = 1.0 if mistake == "ascent" else -1.0
            w = w + sign * lr * gw
            if mistake != "no_bias":
                b = b + sign * lr * gb
            if mistake == "record_after":
                r2 = Xb @ w + b - yb
                loss = (r2 ** 2).mean()
            recorded.append((loss.item(), m))
        if mistake == "unweighted":
            losses.append(sum(v for v, _ in recorded) / len(recorded))
        elif mistake == "last_loss":
            losses.append(recorded[-1][0])
        elif mistake == "epoch_end_full":
            losses.append(((X @ w + b - y) ** 2).mean().item())
        elif mistake == "drop_last_n":
            losses.append(sum(v * m for v, m in recorded) / n)
        else:
            losses.append(sum(v * m for v, m in recorded) / sum(m for _, m in recorded))
    return losses


def _close(a: list[float], b: list[float], rtol: float = 2e-3) -> bool:
    return len(a) == len(b) and all(
        (math.isnan(x) and math.isnan(y)) or abs(x - y) <= 1e-6 + rtol * abs(y)
        for x, y in zip(a, b))


def diagnose(got: list[float], candidates: tuple[str, ...], **setting) -> str | None:
    """The first mistake in `candidates` that reproduces `got`, described."""
    for name in candidates:
        try:
            if _close(got, simulate(mistake=name, **setting)):
                return MISTAKES[name]
        except (RuntimeError, ValueError, OverflowError):
            continue
    return None
