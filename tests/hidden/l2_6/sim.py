"""Lesson 2.6's known mistakes, reproduced: one simulator per task with a switch per mistake.

Each simulator is the reference with one thing done wrong (`mistake=None` is the contract).
When a check fails, `Mistakes.diagnose` runs the candidates on the same setting and names the
first whose result matches the student's.
"""

from __future__ import annotations

import torch
from torch import Tensor

from looplab.checks import Mistakes, fresh

# --- dropout ------------------------------------------------------------------

DROPOUT_MESSAGES = {
    "no_rescale": "the kept entries are not scaled: inverted dropout multiplies them by 1/(1-p) "
                  "in training mode, so that the mean stays the same",
    "scale_by_p": "the kept entries are divided by p; divide by 1 - p, the probability of keeping",
    "keep_below": "the mask keeps an entry where rand < p, so it keeps a fraction p instead of "
                  "1 - p: keep = torch.rand(x.shape, generator=generator) >= p",
    "one_minus": "the mask keeps an entry where rand < 1 - p (torch.bernoulli with probability "
                 "1 - p draws this same mask): right on average, but the contract fixes the draw "
                 "as keep = torch.rand(x.shape, generator=generator) >= p, so the masks differ",
}


def simulate_dropout(x: Tensor, p: float, generator: torch.Generator, mistake: str | None = None) -> Tensor:
    """What dropout in training mode returns, with one mistake."""
    g = fresh(generator)
    u = torch.rand(x.shape, generator=g)
    keep = {"keep_below": u < p, "one_minus": u < 1 - p}.get(mistake, u >= p)
    scale = {"no_rescale": 1.0, "scale_by_p": p}.get(mistake, 1.0 - p)
    return x * keep / scale


DROPOUT = Mistakes(DROPOUT_MESSAGES, simulate_dropout)


def tensors_close(a: object, b: object) -> bool:
    return (isinstance(a, Tensor) and isinstance(b, Tensor) and a.shape == b.shape
            and torch.allclose(a.double(), b.double(), rtol=1e-4, atol=1e-6))


# --- train_mlp ----------------------------------------------------------------

TRAIN_MESSAGES = {
    "no_half": "the penalty is lambda * |W|^2; the contract's is lambda/2 * |W|^2, whose gradient "
               "is lambda * W, exactly what torch.optim.SGD(weight_decay=lambda) adds",
    "biases_decayed": "the biases are decayed too: the penalty sums the squares of the weight "
                      "matrices W_k only, never of the biases b_k",
    "penalty_not_recorded": "the recorded loss leaves out the penalty: record the whole objective, "
                            "mse + lambda/2 * (|W_1|^2 + |W_2|^2)",
    "penalty_mean": "the penalty uses the mean of the squared weights; it is lambda/2 times their sum",
    "no_zero_grad": "the gradients are never cleared, so they add up across epochs: set .grad to "
                    "None (or zero it) after each step",
    "no_dropout": "no dropout is applied during training: the hidden activations go through "
                  "dropout(h, p, True, generator) every epoch",
    "decay_w1_only": "only W_1 is decayed: the penalty covers every weight matrix, W_1 and W_2 "
                     "(and any further W_k)",
    "unscaled_dropout": "the hidden units that dropout keeps are not scaled by 1/(1-p): check "
                        "your dropout (its own checks say more)",
    "dropout_on_output": "dropout is applied after the last layer too: it belongs after the "
                         "activation of each hidden layer only; the last layer's h @ W + b is the "
                         "prediction, with nothing after it",
}


def simulate_train(X: Tensor, y: Tensor, layers0: list, epochs: int, lr: float,
                   weight_decay: float, p: float, generator: torch.Generator,
                   mistake: str | None = None) -> tuple[list, list[float]]:
    """train_mlp with one mistake; returns (layers, losses) like the contract."""
    g = fresh(generator)
    layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))
              for W, b in layers0]
    losses: list[float] = []
    for _ in range(epochs):
        h = X
        for W, b in layers[:-1]:
            h = torch.relu(h @ W + b)
            if p > 0 and mistake != "no_dropout":
                h = h * (torch.rand(h.shape, generator=g) >= p) / (1 if mistake == "unscaled_dropout" else 1 - p)
        W, b = layers[-1]
        pred = h @ W + b
        if p > 0 and mistake == "dropout_on_output":
            pred = pred * (torch.rand(pred.shape, generator=g) >= p) / (1 - p)
        data = ((pred - y) ** 2).mean()
        decayed = [layers[0][0]] if mistake == "decay_w1_only" else [W for W, _ in layers]
        if mistake == "biases_decayed":
            decayed = [t for layer in layers for t in layer]
        squares = sum((t ** 2).mean() if mistake == "penalty_mean" else (t ** 2).sum() for t in decayed)
        penalty = (weight_decay if mistake == "no_half" else weight_decay / 2) * squares
        loss = data + penalty
        losses.append((data if mistake == "penalty_not_recorded" else loss).item())
        loss.backward()
        with torch.no_grad():
            for layer in layers:
                for t in layer:
                    t -= lr * t.grad
                    if mistake != "no_zero_grad":
                        t.grad = None
    return [(W.detach(), b.detach()) for W, b in layers], losses


TRAIN = Mistakes(TRAIN_MESSAGES, lambda mistake, **s: simulate_train(**s, mistake=mistake)[1])
TRAIN_LAYERS = Mistakes(TRAIN_MESSAGES, lambda mistake, **s: simulate_train(**s, mistake=mistake)[0])


def layers_close(a: object, b: list) -> bool:
    """Whether a is a list of (W, b) pairs close to the layers b."""
    return (isinstance(a, (list, tuple)) and len(a) == len(b)
            and all(isinstance(x, (list, tuple)) and len(x) == 2 for x in a)
            and all(tensors_close(x, w) for layer, want in zip(a, b) for x, w in zip(layer, want)))


# --- overfitting_gap ------------------------------------------------------------

GAP_MESSAGES = {
    "int_split": "n_val is int(val_fraction * N), which rounds down; the contract takes "
                 "n_val = round(val_fraction * N)",
    "train_first": "the training samples are taken from the front of the permutation; the "
                   "validation samples are perm[:n_val] and the training samples perm[n_val:]",
    "eval_dropout": "the losses are measured with dropout still on: evaluate in evaluation mode "
                    "(training=False), where dropout is the identity",
    "eval_penalty": "the reported losses include the L2 penalty: report the plain mse, without "
                    "lambda/2 * |W|^2",
    "train_on_all": "the network is trained on all N samples, validation ones included: train on "
                    "X[perm[n_val:]] only, or the validation loss measures nothing",
    "swapped": "the two losses come back in the wrong order: return (train_loss, val_loss)",
}


def simulate_gap(X: Tensor, y: Tensor, layers0: list, epochs: int, lr: float,
                 weight_decay: float, p: float, val_fraction: float, generator: torch.Generator,
                 mistake: str | None = None) -> list[float]:
    """overfitting_gap with one mistake; returns [train_loss, val_loss]."""
    g = fresh(generator)
    n = X.shape[0]
    n_val = int(val_fraction * n) if mistake == "int_split" else round(val_fraction * n)
    perm = torch.randperm(n, generator=g)
    if mistake == "train_first":
        train_idx, val_idx = perm[:n - n_val], perm[n - n_val:]
    else:
        val_idx, train_idx = perm[:n_val], perm[n_val:]
    fit_idx = perm if mistake == "train_on_all" else train_idx
    layers, _ = simulate_train(X[fit_idx], y[fit_idx], layers0, epochs, lr, weight_decay, p, g)

    def loss(idx: Tensor) -> float:
        h = X[idx]
        for W, b in layers[:-1]:
            h = torch.relu(h @ W + b)
            if mistake == "eval_dropout" and p > 0:
                h = h * (torch.rand(h.shape, generator=g) >= p) / (1 - p)
        W, b = layers[-1]
        value = ((h @ W + b - y[idx]) ** 2).mean()
        if mistake == "eval_penalty":
            value = value + weight_decay / 2 * sum((W ** 2).sum() for W, _ in layers)
        return value.item()

    out = [loss(train_idx), loss(val_idx)]
    return out[::-1] if mistake == "swapped" else out


GAP = Mistakes(GAP_MESSAGES, simulate_gap)
