"""Known mistakes for lesson 1.1, recomputed in float64, so a failed check can name one.

Each `diagnose_*` returns the description of the first known mistake that
reproduces what the student returned, or None.
"""

from __future__ import annotations

import math

from torch import Tensor

LOSS = {
    "sum": ("the squared errors are summed instead of averaged: divide by N (use .mean())",
            lambda r: (r ** 2).sum()),
    "rmse": ("this is the square root of the mean squared error (RMSE); the loss is the mean "
             "squared error itself, no square root", lambda r: (r ** 2).mean().sqrt()),
    "half": ("the loss has an extra factor 1/2; the contract's loss is the plain mean of the "
             "squared errors", lambda r: (r ** 2).mean() / 2),
    "abs": ("this is the mean absolute error: square the errors instead of taking their "
            "absolute value", lambda r: r.abs().mean()),
    "square_of_mean": ("the mean error is squared; square each error first, then average",
                       lambda r: r.mean() ** 2),
}

GRADIENT = {
    "no_two": ("the factor 2 from differentiating the square is missing",
               lambda r, x: (r * x).mean()),
    "sum": ("the gradient sums over the samples instead of averaging: divide by N, as the loss does",
            lambda r, x: 2 * (r * x).sum()),
    "sign": ("the sign is flipped: the derivative of (w * x - y)**2 is 2 * (w * x - y) * x, "
             "with the residual w * x - y, not y - w * x", lambda r, x: -2 * (r * x).mean()),
    "no_x": ("the factor x_i from the chain rule is missing: the derivative of w * x_i with "
             "respect to w is x_i", lambda r, x: 2 * r.mean()),
}

STEP = {
    "ascent": ("the update adds the gradient instead of subtracting it (gradient ascent climbs "
               "the loss)", lambda w, g, lr: w + lr * g),
    "lr_twice": ("the learning rate is applied twice (lr * lr * grad)", lambda w, g, lr: w - lr * lr * g),
    "no_lr": ("the learning rate is missing: the step is w - lr * grad", lambda w, g, lr: w - g),
    "delta": ("this is the change lr * grad (or its negative), not the new parameter "
              "w - lr * grad", lambda w, g, lr: -lr * g),
    "divided": ("the gradient is divided by the learning rate instead of multiplied",
                lambda w, g, lr: w - g / lr),
}

TRAIN = {
    "ascent": "w moves uphill: the update adds the gradient instead of subtracting it "
              "(or the gradient's sign is flipped)",
    "record_after": "the loss is recorded after the step instead of just before it",
    "lr_twice": "the learning rate is applied twice (e.g. gradient_step(w, lr * grad, lr))",
    "no_two": "the gradient misses the factor 2",
    "grad_sum": "the gradient sums over the samples instead of averaging",
    "no_x": "the gradient misses the factor x_i from the chain rule",
    "loss_sum": "the recorded loss sums the squared errors instead of averaging them",
    "extra_update": "one update too many is made (the loop runs steps + 1 times)",
    "missing_update": "one update too few is made (the loop runs steps - 1 times)",
}


def _close(a: float, b: float, rtol: float = 2e-3) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= 1e-7 + rtol * abs(b)


def diagnose_loss(got: float, w: float, x: Tensor, y: Tensor) -> str | None:
    r = w * x.double() - y.double()
    return next((text for text, f in LOSS.values() if _close(got, f(r).item())), None)


def diagnose_gradient(got: float, w: float, x: Tensor, y: Tensor) -> str | None:
    x64 = x.double()
    r = w * x64 - y.double()
    return next((text for text, f in GRADIENT.values() if _close(got, f(r, x64).item())), None)


def diagnose_step(got: float, w: float, grad: float, lr: float) -> str | None:
    for text, f in STEP.values():
        try:
            if _close(got, f(w, grad, lr)):
                return text
        except ZeroDivisionError:
            continue
    return None


def simulate(w0: float, x: Tensor, y: Tensor, lr: float, steps: int,
             mistake: str | None = None) -> tuple[float, list[float]]:
    """train with one mistake switched on: final w and the recorded losses."""
    x, y = x.double(), y.double()

    def loss(w: float) -> float:
        r = w * x - y
        return ((r ** 2).sum() if mistake == "loss_sum" else (r ** 2).mean()).item()

    def grad(w: float) -> float:
        r = w * x - y
        if mistake == "no_two":
            return (r * x).mean().item()
        if mistake == "grad_sum":
            return 2 * (r * x).sum().item()
        if mistake == "no_x":
            return 2 * r.mean().item()
        return 2 * (r * x).mean().item()

    updates = steps + {"extra_update": 1, "missing_update": -1}.get(mistake, 0)
    w, history = float(w0), []
    for k in range(max(updates, 0)):
        if mistake != "record_after":
            history.append(loss(w))
        g = grad(w)
        w = w + lr * g if mistake == "ascent" else w - (lr * lr if mistake == "lr_twice" else lr) * g
        if mistake == "record_after":
            history.append(loss(w))
    return w, history[:steps]


def diagnose_train(w: float, history: list[float], **setting) -> str | None:
    """The first known mistake whose final w and (first `steps`) losses match the student's."""
    for name, text in TRAIN.items():
        try:
            w_sim, h_sim = simulate(mistake=name, **setting)
        except (OverflowError, ValueError, RuntimeError):
            continue
        if len(h_sim) == len(history) and _close(w, w_sim) and all(map(_close, history, h_sim)):
            return text
    return None
