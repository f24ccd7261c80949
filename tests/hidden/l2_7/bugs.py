"""The MLP training loop of `fixed_train`, simulated with any set of bugs switched on.

`broken_train` plants six bugs of module 2's kinds; `diagnose` searches for the smallest set
of bugs whose simulated losses (the training curve, then the validation curve) reproduce the
student's, and names every bug in it. A few mistakes that a repair commonly introduces are
searched too. The simulation runs the contract's own operations in the contract's order, with
a copy of the generator, so the dropout masks and the shuffles are the ones the student drew.
"""

from __future__ import annotations

import itertools
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from looplab.checks import diagnose as first_match
from looplab.checks import fresh

PLANTED = {  # in the order the bugs appear in broken_train
    "detached": "the hidden activations are detached from the graph (.detach() after the ReLU): no "
                "gradient reaches any layer below the last, so only the last layer learns (sgd_step, "
                "like torch.optim.SGD, silently skips a tensor whose .grad is None); keep h in the "
                "graph",
    "eval_dropout": "dropout is left in training mode at evaluation: the forward pass passes True to "
                    "dropout whatever `training` says, so the validation loss is measured with units "
                    "dropped at random (and draws masks from the generator); pass `training` on",
    "no_shuffle": "the data is never shuffled: the batches are the same consecutive slices in the "
                  "original order every epoch; draw order = torch.randperm(N, generator=generator) at "
                  "the start of each epoch and train on X[idx] for idx in order.split(batch_size)",
    "softmax": "softmax is applied before F.cross_entropy, which expects logits (it applies "
               "log-softmax itself): the loss then sees probabilities squashed into [0, 1], so it "
               "can hardly fall and its gradients are small; pass the logits",
    "sum": "the batch loss is summed (reduction=\"sum\") where it should be averaged: every step is "
           "batch_size times too large; use the mean, F.cross_entropy's default, and record "
           "loss.item() * len(idx)",
    "no_zero_grad": "the gradients are never cleared, so .grad adds up from batch to batch: call "
                    "zero_grad(layers) (or set each .grad to None) after every step",
}

REPAIRS = {  # mistakes a repair commonly introduces
    "shuffle_once": "one shuffle is reused for every epoch: draw a fresh "
                    "torch.randperm(N, generator=generator) at the start of each epoch",
    "means_over_n": "each batch's mean loss is added up and divided by N: weight it by its batch "
                    "size first (total += loss.item() * len(idx)), then divide by N",
    "unweighted": "the epoch's training loss is the plain mean of the batch losses: weight each "
                  "by its batch size and divide by N, so a small last batch counts for its size",
}

DESCRIPTIONS = {**PLANTED, **REPAIRS}
CONFLICTS = {"shuffle_once": "no_shuffle", "means_over_n": "sum", "unweighted": "sum"}


def simulate(X: Tensor, y: Tensor, X_val: Tensor, y_val: Tensor, layers0: list, p: float,
             batch_size: int, epochs: int, lr: float, generator: torch.Generator,
             bugs: frozenset[str] = frozenset(), mistake: str | None = None) -> list[float]:
    """The training losses, then the validation losses, of a loop with `bugs` (and `mistake`)."""
    bugs = frozenset(bugs) | ({mistake} if mistake else set())
    g = fresh(generator)
    layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))
              for W, b in layers0]
    params = [t for layer in layers for t in layer]

    def forward(inputs: Tensor, training: bool) -> Tensor:
        h = inputs
        for W, b in layers[:-1]:
            h = torch.relu(h @ W + b)
            if "detached" in bugs:
                h = h.detach()
            if (training or "eval_dropout" in bugs) and p > 0:
                h = h * (torch.rand(h.shape, generator=g) >= p) / (1.0 - p)
        W, b = layers[-1]
        return h @ W + b

    n = X.shape[0]
    order = None
    train, val = [], []
    for _ in range(epochs):
        if "no_shuffle" in bugs:
            order = torch.arange(n)
        elif order is None or "shuffle_once" not in bugs:
            order = torch.randperm(n, generator=g)
        recorded = []  # (mean batch loss, batch size)
        for idx in order.split(batch_size):
            logits = forward(X[idx], True)
            if "softmax" in bugs:
                logits = torch.softmax(logits, dim=1)
            loss = F.cross_entropy(logits, y[idx], reduction="sum" if "sum" in bugs else "mean")
            recorded.append((loss.item() / (len(idx) if "sum" in bugs else 1), len(idx)))
            loss.backward()
            with torch.no_grad():
                for t in params:
                    if t.grad is not None:
                        t -= lr * t.grad
            if "no_zero_grad" not in bugs:
                for t in params:
                    t.grad = None
        if "means_over_n" in bugs:
            train.append(sum(v for v, _ in recorded) / n)
        elif "unweighted" in bugs:
            train.append(sum(v for v, _ in recorded) / len(recorded))
        else:
            train.append(sum(v * m for v, m in recorded) / n)
        with torch.no_grad():
            val.append(F.cross_entropy(forward(X_val, False), y_val).item())
    return train + val


def _candidates() -> list[frozenset[str]]:
    """Every non-empty set of planted bugs, and each repair mistake with at most one planted
    bug beside it; fewest bugs first (the smallest explanation is named)."""
    planted = list(PLANTED)
    found = [frozenset(c) for k in range(1, len(planted) + 1) for c in itertools.combinations(planted, k)]
    for repair, clash in CONFLICTS.items():
        found += [frozenset({repair, *extra}) for extra in [()] + [(b,) for b in planted if b != clash]]
    return sorted(found, key=len)


CANDIDATES = _candidates()


def named(bugs: frozenset[str]) -> list[str]:
    """The descriptions of a set of bugs, in broken_train's order, repairs last."""
    return [DESCRIPTIONS[name] for name in DESCRIPTIONS if name in bugs]


def diagnose(got: list[float], **setting: Any) -> list[str] | None:
    """The descriptions of the fewest bugs whose simulation reproduces `got` (training losses,
    then validation losses), or None. A set of bugs that changes nothing in this setting
    (dropout's mode when p = 0) is never named."""
    candidates = ((bugs, _run(bugs, setting)) for bugs in CANDIDATES)
    found = first_match(got, candidates, unless=_run(frozenset(), setting))
    return named(found) if found else None


def _run(bugs: frozenset[str], setting: dict):
    return lambda: simulate(bugs=bugs, **setting)
