"""One simulator of the course's linear-regression training loop, with bugs to switch on.

Lessons 1.3 and 1.6 (and any later lesson that trains y = X w + b with mini-batches) name a
student's mistake by reproducing it here. The simulation uses explicit gradients in float64,
so it is fast and independent of autograd.

Bugs (any set of them at once):
- `record_after`: the loss is recorded after the update instead of before it
- `sum`: the loss is summed over the batch instead of averaged
- `no_zero_grad`: gradients add up from step to step
- `no_bias`: b is never updated
- `ascent`: the update adds the gradient
- `shuffle_once`: one permutation is drawn and reused every epoch
- `no_shuffle`: the samples are visited in their original order
- `global_rng`: the permutation comes from a generator seeded with `global_seed`
- `drop_last`: every smaller last batch is dropped (an epoch may then train on nothing)
- `drop_partial`: the smaller last batch is dropped when there are other batches
- `drop_last_n`: only full batches are trained on, but the epoch loss still divides by N
- `unweighted`: the epoch loss is the plain mean of the batch losses
- `last_loss`: the epoch loss is the last step's loss
- `epoch_end_full`: the epoch loss is the full-data loss after the epoch
"""

from __future__ import annotations

import math

import torch
from torch import Tensor


def linear_loop(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, *, batch_size: int | None,
                epochs: int, lr: float, seed: int = 0, global_seed: int = 0,
                bugs: frozenset[str] | set[str] | tuple[str, ...] = frozenset(),
                mistake: str | None = None) -> list[float]:
    """One loss per epoch. `batch_size=None` is full-batch training without shuffling;
    otherwise each epoch shuffles with `torch.randperm(n, generator=Generator(seed))`.
    `mistake` is one bug (the `Mistakes.simulate` convention), added to `bugs`."""
    bugs = frozenset(bugs) | ({mistake} if mistake else set())
    X, y = X.double(), y.double()
    w, b = w0.double().clone(), b0.double().clone()
    n = X.shape[0]
    g = torch.Generator().manual_seed(global_seed if "global_rng" in bugs else seed)
    grads = [torch.zeros_like(w), torch.zeros_like(b)]
    order = None
    losses = []
    for _ in range(epochs):
        order = _order(n, batch_size, g, order, bugs)
        recorded = []  # (batch loss, batch size)
        for idx in _batches(order, n, batch_size, bugs):
            w, b, loss = _step(X[idx], y[idx], w, b, lr, grads, bugs)
            recorded.append((loss, len(idx)))
        losses.append(_epoch_loss(recorded, n, bugs, lambda: ((X @ w + b - y) ** 2).mean().item()))
    return losses


def _order(n: int, batch_size: int | None, g: torch.Generator, previous: Tensor | None,
           bugs: frozenset[str]) -> Tensor | None:
    if batch_size is None:
        return None
    if "no_shuffle" in bugs:
        return torch.arange(n)
    if "shuffle_once" in bugs and previous is not None:
        return previous
    return torch.randperm(n, generator=g)


def _batches(order: Tensor | None, n: int, batch_size: int | None, bugs: frozenset[str]) -> list[Tensor]:
    if order is None:
        return [torch.arange(n)]
    if bugs & {"drop_last", "drop_last_n"}:
        return [order[s:s + batch_size] for s in range(0, n - batch_size + 1, batch_size)]
    batches = list(order.split(batch_size))
    if "drop_partial" in bugs and len(batches) > 1 and len(batches[-1]) < batch_size:
        batches = batches[:-1]
    return batches


def _step(Xb: Tensor, yb: Tensor, w: Tensor, b: Tensor, lr: float, grads: list[Tensor],
          bugs: frozenset[str]) -> tuple[Tensor, Tensor, float]:
    m = Xb.shape[0]
    r = Xb @ w + b - yb  # (m, 1) residuals
    scale = 2.0 if "sum" in bugs else 2.0 / m
    loss = ((r ** 2).sum() if "sum" in bugs else (r ** 2).mean()).item()
    gw, gb = scale * (Xb.T @ r), scale * r.sum().reshape(1)
    if "no_zero_grad" in bugs:
        grads[0], grads[1] = grads[0] + gw, grads[1] + gb
        gw, gb = grads
    sign = 1.0 if "ascent" in bugs else -1.0
    w = w + sign * lr * gw
    if "no_bias" not in bugs:
        b = b + sign * lr * gb
    if "record_after" in bugs:
        loss = ((Xb @ w + b - yb) ** 2).mean().item()
    return w, b, loss


def _epoch_loss(recorded: list[tuple[float, int]], n: int, bugs: frozenset[str], full) -> float:
    if "epoch_end_full" in bugs:
        return full()
    if "drop_last_n" in bugs:
        return sum(v * m for v, m in recorded) / n
    if not recorded:
        return math.nan  # 0/0: an epoch without a single batch
    if "last_loss" in bugs:
        return recorded[-1][0]
    if "unweighted" in bugs:
        return sum(v for v, _ in recorded) / len(recorded)
    return sum(v * m for v, m in recorded) / sum(m for _, m in recorded)
