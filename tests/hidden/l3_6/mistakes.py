"""Lesson 3.6's known mistakes in train_monitored, each reproduced by a small simulator so a check can name it.

`MONITOR.diagnose(got, names, same=..., **setting)` returns the message of the first mistake whose
simulation reproduces the student's history (flattened to one list of floats). Simulations run in float64.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from looplab.checks import Mistakes

KEYS = ("train_loss", "train_acc", "val_loss", "val_acc", "grad_norms", "update_ratios")


def flatten(history: dict) -> list[float]:
    """Every number of a history, key by key in KEYS order, as one list of floats."""
    out: list[float] = []
    for key in KEYS:
        for entry in history[key]:
            out.extend(entry if isinstance(entry, list) else [entry])
    return out


def _forward(x: Tensor, layers: list) -> Tensor:
    h = x
    for k, (W, b) in enumerate(layers):
        h = h @ W + b
        if k < len(layers) - 1:
            h = torch.relu(h)
    return h


def _measure(logits: Tensor, y: Tensor, mistake: str) -> tuple[float, float]:
    loss = F.binary_cross_entropy_with_logits(logits, y).item()
    threshold = 0.5 if mistake == "acc_threshold_half" else 0.0
    return loss, ((logits > threshold).double() == y).double().mean().item()


def monitor(X: Tensor, y: Tensor, X_val: Tensor, y_val: Tensor, layers0: list, epochs: int, lr: float,
            mistake: str = "") -> dict:
    X, y, X_val, y_val = X.double(), y.double(), X_val.double(), y_val.double()
    if mistake == "val_on_train":
        X_val, y_val = X, y
    layers = [(W.double().clone().requires_grad_(True), b.double().clone().requires_grad_(True)) for W, b in layers0]
    params = [t for layer in layers for t in layer]
    h: dict = {key: [] for key in KEYS}
    frozen = lambda: [(W.detach(), b.detach()) for W, b in layers]
    late_train = mistake == "after_update"
    late_val = mistake in ("after_update", "val_after_update")
    for _ in range(epochs):
        with torch.no_grad():
            train = None if late_train else _measure(_forward(X, frozen()), y, mistake)
            val = None if late_val else _measure(_forward(X_val, frozen()), y_val, mistake)
        loss = F.binary_cross_entropy_with_logits(_forward(X, layers), y)
        loss.backward()
        grads = [(W.grad.clone(), b.grad.clone()) for W, b in layers]
        before = [W.detach().clone() for W, _ in layers]
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                if mistake != "gradients_accumulate":
                    p.grad = None
            train = train or _measure(_forward(X, frozen()), y, mistake)
            val = val or _measure(_forward(X_val, frozen()), y_val, mistake)
        h["train_loss"].append(train[0]); h["train_acc"].append(train[1])
        h["val_loss"].append(val[0]); h["val_acc"].append(val[1])
        if mistake == "bias_in_norm":
            h["grad_norms"].append([math.sqrt(gW.norm().item() ** 2 + gb.norm().item() ** 2) for gW, gb in grads])
        else:
            h["grad_norms"].append([gW.norm().item() for gW, _ in grads])
        if mistake == "ratio_no_lr":
            ratios = [gW.norm().item() / W.norm().item() for (gW, _), W in zip(grads, before)]
        elif mistake == "ratio_after_update":
            ratios = [(lr * gW).norm().item() / W.detach().norm().item() for (gW, _), (W, _) in zip(grads, layers)]
        elif mistake == "ratio_inverted":
            ratios = [W.norm().item() / (lr * gW).norm().item() for (gW, _), W in zip(grads, before)]
        else:
            ratios = [(lr * gW).norm().item() / W.norm().item() for (gW, _), W in zip(grads, before)]
        h["update_ratios"].append(ratios)
        if not math.isfinite(loss.item()):
            break
    return h


MONITOR = Mistakes({
    "after_update": "the step's numbers are measured after its update; every one of them belongs to the "
                    "parameters BEFORE the update (entry 0 is layers0's)",
    "val_after_update": "the validation loss and accuracy are measured after the update; measure them on the "
                        "same parameters as the training loss, before the update",
    "val_on_train": "the validation numbers are computed on the training set (X, y) instead of (X_val, y_val)",
    "acc_threshold_half": "accuracy thresholds the logits at 0.5; a logit predicts 1 when it is above 0 "
                          "(sigmoid(0) = 0.5)",
    "bias_in_norm": "the gradient norm includes the bias; record ||dloss/dW_k|| of the weight only",
    "ratio_no_lr": "the update ratio leaves out lr: the step is lr * grad, so the ratio is ||lr * g|| / ||W||",
    "ratio_after_update": "the update ratio divides by the weight AFTER the update; use ||W_k|| before it",
    "ratio_inverted": "the update ratio is upside down: it is ||lr * g|| / ||W||, a small number",
    "gradients_accumulate": "the gradients are never cleared, so each step adds this step's gradient to all "
                            "the earlier ones (set p.grad = None after the update)",
}, lambda mistake, **s: flatten(monitor(mistake=mistake, **s)))
