"""The lesson's one-parameter model y_hat = w * x in float64: its data, its exact answers, and
its known mistakes, simulated so that a failed check can name the likely one."""

from __future__ import annotations

import torch
from torch import Tensor

from looplab.checks import Mistakes, gen


def data(n: int, seed: int, w_true: float = 2.0, noise: float = 0.5) -> tuple[Tensor, Tensor]:
    """x and y = w_true * x + noise, both float32 of shape (n,), from one seed."""
    g = gen(seed)
    x = torch.randn(n, generator=g)
    return x, w_true * x + noise * torch.randn(n, generator=g)


def exact_line(n: int, seed: int, w_true: float) -> tuple[Tensor, Tensor]:
    """Noise-free data: y is exactly w_true * x as float32 computes it, so w_true has loss 0."""
    x = torch.randn(n, generator=gen(seed))
    return x, w_true * x


def best_w(x: Tensor, y: Tensor) -> float:
    """The w with the lowest mean squared error: sum(x * y) / sum(x * x)."""
    x, y = x.double(), y.double()
    return ((x * y).sum() / (x * x).sum()).item()


def curvature(x: Tensor) -> float:
    """mean(x**2): the loss is curvature * (w - best_w)**2 + its minimum."""
    return (x.double() ** 2).mean().item()


def _loss(w: float, x: Tensor, y: Tensor, mistake: str) -> float:
    r = w * x.double() - y.double()
    return {"sum": lambda: (r ** 2).sum(), "rmse": lambda: (r ** 2).mean().sqrt(),
            "half": lambda: (r ** 2).mean() / 2, "abs": lambda: r.abs().mean(),
            "square_of_mean": lambda: r.mean() ** 2}[mistake]().item()


LOSS = Mistakes({
    "sum": "the squared errors are summed instead of averaged: divide by N (use .mean())",
    "rmse": "this is the square root of the mean squared error (RMSE); the loss is the mean "
            "squared error itself, no square root",
    "half": "the loss has an extra factor 1/2; the contract's loss is the plain mean of the "
            "squared errors",
    "abs": "this is the mean absolute error: square the errors instead of taking their "
           "absolute value",
    "square_of_mean": "the mean error is squared; square each error first, then average",
}, _loss)


def _gradient(w: float, x: Tensor, y: Tensor, mistake: str) -> float:
    x = x.double()
    r = w * x - y.double()
    return {"no_two": lambda: (r * x).mean(), "sum": lambda: 2 * (r * x).sum(),
            "sign": lambda: -2 * (r * x).mean(), "no_x": lambda: 2 * r.mean()}[mistake]().item()


GRADIENT = Mistakes({
    "no_two": "the factor 2 from differentiating the square is missing",
    "sum": "the gradient sums over the samples instead of averaging: divide by N, as the loss does",
    "sign": "the sign is flipped: the derivative of (w * x - y)**2 is 2 * (w * x - y) * x, "
            "with the residual w * x - y, not y - w * x",
    "no_x": "the factor x_i from the chain rule is missing: the derivative of w * x_i with "
            "respect to w is x_i",
}, _gradient)


def _step(w: float, grad: float, lr: float, mistake: str) -> float:
    return {"ascent": lambda: w + lr * grad, "lr_twice": lambda: w - lr * lr * grad,
            "no_lr": lambda: w - grad, "delta": lambda: -lr * grad,
            "divided": lambda: w - grad / lr}[mistake]()


STEP = Mistakes({
    "ascent": "the update adds the gradient instead of subtracting it (gradient ascent climbs "
              "the loss)",
    "lr_twice": "the learning rate is applied twice (lr * lr * grad)",
    "no_lr": "the learning rate is missing: the step is w - lr * grad",
    "delta": "this is the change lr * grad (or its negative), not the new parameter "
             "w - lr * grad",
    "divided": "the gradient is divided by the learning rate instead of multiplied",
}, _step)


def _train(w0: float, x: Tensor, y: Tensor, lr: float, steps: int, mistake: str) -> list[float]:
    """train with one mistake: [final w, *the first `steps` recorded losses]."""
    x, y = x.double(), y.double()

    def loss(w: float) -> float:
        r = w * x - y
        return ((r ** 2).sum() if mistake == "loss_sum" else (r ** 2).mean()).item()

    def grad(w: float) -> float:
        r = w * x - y
        scale = {"no_two": 1.0, "grad_sum": 2.0 * len(x)}.get(mistake, 2.0)
        return scale * (r.mean() if mistake == "no_x" else (r * x).mean()).item()

    updates = steps + {"extra_update": 1, "missing_update": -1}.get(mistake, 0)
    w, history = float(w0), []
    for _ in range(max(updates, 0)):
        if mistake != "record_after":
            history.append(loss(w))
        g = grad(w)
        w = w + lr * g if mistake == "ascent" else w - (lr * lr if mistake == "lr_twice" else lr) * g
        if mistake == "record_after":
            history.append(loss(w))
    return [w, *history[:steps]]


TRAIN = Mistakes({
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
}, _train)
