"""The two fits of `compare_models`, reproduced with one mistake at a time.

`simulate(**setting, mistake=name)` returns the four scores, in the order of `KEYS`, that a
compare_models with that mistake returns; `FITS.diagnose` names the first mistake that
reproduces a student's scores.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from looplab.checks import Mistakes, fresh


KEYS = ("linear_train", "linear_test", "mlp_train", "mlp_test")

MESSAGES = {
    "test_on_train": "the test scores are measured on the training data: score each trained model "
                     "on (X_test, y_test), the data it never saw",
    "trained_on_test": "the models are trained on the held-out data: train on (X_train, y_train) only, "
                       "or the test score no longer measures anything",
    "mlp_from_zeros": "the MLP starts from zeros: every hidden unit then computes the same thing and "
                      "gets the same (here zero) gradient, so it never becomes more than a constant; "
                      "start it from init_mlp([d, hidden, 1], generator)",
    "linear_random": "the linear model starts from init_mlp([d, 1], generator), which draws from the "
                     "generator before the MLP does: it starts from zeros, and the generator is "
                     "used once, for the MLP",
    "no_activation": "the MLP has no activation between its layers, so it collapses into a linear "
                     "model (lesson 2.4); use mlp_forward(X, layers, activation)",
    "output_activation": "the activation is applied after the last layer too: a regression output "
                         "has no activation (mlp_forward leaves the last layer linear)",
    "sum_loss": "the loss is summed over the samples instead of averaged: every step is N times "
                "too large; use the mean squared error of lesson 1.2",
    "no_zero_grad": "the gradients are never cleared, so .grad adds up from step to step: set "
                    "them to None (or zero them) after every update",
    "swapped_models": "the linear model's scores and the MLP's are swapped: 'linear_*' belongs to "
                      "the one-layer model from zeros, 'mlp_*' to the network with a hidden layer",
    "swapped_sets": "the training and test scores are swapped: '*_train' is measured on "
                    "(X_train, y_train), '*_test' on (X_test, y_test)",
    "one_extra_epoch": "each model makes epochs + 1 updates: make exactly `epochs` (epochs=0 scores "
                       "the starting models)",
}
NAMES = list(MESSAGES)


def _forward(x: Tensor, layers: list, activation: str, mistake: str | None) -> Tensor:
    act = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[activation]
    h = x
    for k, (W, b) in enumerate(layers):
        h = h @ W + b
        if (k < len(layers) - 1 and mistake != "no_activation") or mistake == "output_activation":
            h = act(h)
    return h


def _init_mlp(sizes: list[int], generator: torch.Generator) -> list:
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / math.sqrt(fan_in)
        W = (2 * torch.rand(fan_in, fan_out, generator=generator) - 1) * bound
        b = (2 * torch.rand(fan_out, generator=generator) - 1) * bound
        layers.append((W, b))
    return layers


def simulate(X_train: Tensor, y_train: Tensor, X_test: Tensor, y_test: Tensor, hidden: int,
             activation: str, epochs: int, lr: float, generator: torch.Generator,
             mistake: str | None = None) -> list[float]:
    """The four scores of compare_models with one mistake (None: the contract), KEYS' order."""
    g = fresh(generator)
    d = X_train.shape[1]
    if mistake == "linear_random":
        linear = _init_mlp([d, 1], g)
    else:
        linear = [(torch.zeros(d, 1), torch.zeros(1))]
    if mistake == "mlp_from_zeros":
        mlp = [(torch.zeros(d, hidden), torch.zeros(hidden)), (torch.zeros(hidden, 1), torch.zeros(1))]
    else:
        mlp = _init_mlp([d, hidden, 1], g)
    fit_X, fit_y = (X_test, y_test) if mistake == "trained_on_test" else (X_train, y_train)
    score_X, score_y = (X_train, y_train) if mistake == "test_on_train" else (X_test, y_test)
    scores = []
    for start in (linear, mlp):
        layers = [(W.clone().requires_grad_(True), b.clone().requires_grad_(True)) for W, b in start]
        params = [t for layer in layers for t in layer]
        for _ in range(epochs + (mistake == "one_extra_epoch")):
            err = (_forward(fit_X, layers, activation, mistake) - fit_y) ** 2
            loss = err.sum() if mistake == "sum_loss" else err.mean()
            loss.backward()
            with torch.no_grad():
                for t in params:
                    t -= lr * t.grad
                    if mistake != "no_zero_grad":
                        t.grad = None
        with torch.no_grad():
            scores.append(((_forward(X_train, layers, activation, mistake) - y_train) ** 2).mean().item())
            scores.append(((_forward(score_X, layers, activation, mistake) - score_y) ** 2).mean().item())
    if mistake == "swapped_models":
        scores = scores[2:] + scores[:2]
    if mistake == "swapped_sets":
        scores = [scores[1], scores[0], scores[3], scores[2]]
    return scores


FITS = Mistakes(MESSAGES, simulate)
