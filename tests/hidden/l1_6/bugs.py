"""The bugs planted in `broken_train`, simulated, so a failed check can name the ones still there.

`simulate` runs the mini-batch loop with any set of bugs switched on. It uses explicit
gradients in float64, so it is fast and independent of autograd. `diagnose` looks for the
smallest set of bugs that reproduces the student's losses and describes each one.

Five of broken_train's six bugs change the losses; the sixth (training w0 itself, so the
caller's tensor changes) does not, and the inputs check names it instead. Two mistakes that a
fix of the shuffle often introduces (the global generator, no shuffle at all) are searched too.
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import Tensor

DESCRIPTIONS = {  # in the order the bugs appear in broken_train
    "shuffle_once": "one shuffle is reused for every epoch: draw a fresh "
                    "torch.randperm(n, generator=generator) at the start of each epoch",
    "drop_last": "the last, smaller batch of each epoch is dropped: keep it, so that every sample "
                 "is used once per epoch (order.split(batch_size) keeps it)",
    "no_zero_grad": "the gradients are never reset, so .grad keeps adding up from step to step: "
                    "clear them after each update (w.grad = None, or w.grad.zero_())",
    "record_after": "the loss is recorded after the update: record each batch loss from the same "
                    "forward pass that the gradient comes from, before the step",
    "unweighted": "the epoch loss is the plain mean of the batch losses: weight each batch loss by "
                  "its number of samples and divide by N",
    "global_rng": "the shuffle uses the global random generator: pass generator=generator to "
                  "torch.randperm",
    "no_shuffle": "the samples are never shuffled: draw torch.randperm(n, generator=generator) at "
                  "the start of each epoch",
}

# One choice per part of the loop; the first of each is correct. "drop_last_n" is the dropped
# last batch with the remaining batch losses weighted by size but divided by all N samples.
ORDER = [(), ("shuffle_once",), ("global_rng",), ("no_shuffle",), ("global_rng", "shuffle_once")]
LAST_AND_MEAN = [(), ("unweighted",), ("drop_last",), ("drop_last_n",), ("drop_last", "unweighted")]
GRADS = [(), ("no_zero_grad",)]
RECORD = [(), ("record_after",)]


def _named(bugs: frozenset[str]) -> list[str]:
    names = {"drop_last" if b == "drop_last_n" else b for b in bugs}
    return [name for name in DESCRIPTIONS if name in names]


def _candidates() -> list[frozenset[str]]:
    """Every combination of bugs but none, fewest named bugs first."""
    found = [frozenset(a + b + c + d) for a, b, c, d in itertools.product(ORDER, LAST_AND_MEAN, GRADS, RECORD)]
    return sorted((f for f in found if f), key=lambda f: len(_named(f)))


CANDIDATES = _candidates()


def _batches(order: Tensor, batch_size: int, drop_last: bool) -> list[Tensor]:
    if drop_last:
        return [order[s:s + batch_size] for s in range(0, len(order) - batch_size + 1, batch_size)]
    return list(order.split(batch_size))


def simulate(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, *, batch_size: int, epochs: int,
             lr: float, seed: int, global_seed: int, bugs: frozenset[str] = frozenset()) -> list[float]:
    """One loss per epoch of the mini-batch loop with `bugs` switched on."""
    X, y = X.double(), y.double()
    w, b = w0.double().clone(), b0.double().clone()
    n = X.shape[0]
    g = torch.Generator().manual_seed(global_seed if "global_rng" in bugs else seed)
    acc_w, acc_b = torch.zeros_like(w), torch.zeros_like(b)
    order = None
    losses = []
    for _ in range(epochs):
        if "no_shuffle" in bugs:
            order = torch.arange(n)
        elif order is None or "shuffle_once" not in bugs:
            order = torch.randperm(n, generator=g)
        recorded = []  # (batch loss, batch size)
        for idx in _batches(order, batch_size, bool(bugs & {"drop_last", "drop_last_n"})):
            Xb, yb = X[idx], y[idx]
            m = len(idx)
            r = Xb @ w + b - yb  # (m, 1) residuals
            loss = (r ** 2).mean().item()
            gw, gb = (2.0 / m) * (Xb.T @ r), (2.0 / m) * r.sum().reshape(1)
            if "no_zero_grad" in bugs:
                acc_w, acc_b = acc_w + gw, acc_b + gb
                gw, gb = acc_w, acc_b
            w, b = w - lr * gw, b - lr * gb
            if "record_after" in bugs:
                loss = ((Xb @ w + b - yb) ** 2).mean().item()
            recorded.append((loss, m))
        losses.append(_epoch_loss(recorded, n, bugs))
    return losses


def _epoch_loss(recorded: list[tuple[float, int]], n: int, bugs: frozenset[str]) -> float:
    if "drop_last_n" in bugs:
        return sum(v * m for v, m in recorded) / n
    if not recorded:
        return math.nan  # 0/0: an epoch without a single batch
    if "unweighted" in bugs:
        return sum(v for v, _ in recorded) / len(recorded)
    return sum(v * m for v, m in recorded) / sum(m for _, m in recorded)


def _close(a: list[float], b: list[float], rtol: float = 2e-3) -> bool:
    def same(x: float, y: float) -> bool:
        if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
            return (math.isnan(x) and math.isnan(y)) or x == y
        return abs(x - y) <= 1e-6 + rtol * abs(y)
    return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))


def diagnose(got: list[float], **setting) -> str:
    """Describe the fewest bugs whose simulation reproduces `got`, or "" when none does.

    Bugs that change nothing in this setting (the shuffle when one batch holds all the data)
    are never named: a set of bugs is only a candidate if it moves the losses.
    """
    correct = simulate(**setting)
    for bugs in CANDIDATES:
        try:
            losses = simulate(bugs=bugs, **setting)
        except (RuntimeError, ValueError, OverflowError):
            continue
        if _close(got, losses) and not _close(losses, correct):
            return describe(_named(bugs))
    return ""


def describe(names: list[str]) -> str:
    """The text after a failed comparison: one line per bug still present."""
    if len(names) == 1:
        return f"\nlikely mistake: {DESCRIPTIONS[names[0]]}"
    lines = "\n".join(f"  - {DESCRIPTIONS[name]}" for name in names)
    return (f"\nlikely mistakes, {len(names)} at once (one bug can hide another, so check again "
            f"after fixing these):\n{lines}")
