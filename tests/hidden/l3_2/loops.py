"""The lesson's training loop three ways: PyTorch's own (torch.optim.SGD and a
torch.optim.lr_scheduler object, stepped after the optimiser: the oracle), with a known
mistake (to name it), and the range test's mistakes.

Data and model are the lesson's: lesson 2.1's rings and a tanh MLP in its (W, b) format,
mini-batches as in lesson 1.3 (one randperm per pass, cut in order).
"""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from looplab.checks import Function, Mistakes, gen

from .schedules import torch_rates, torch_scheduler


def forward(x: Tensor, layers: list) -> Tensor:
    h = x
    for k, (W, b) in enumerate(layers):
        h = h @ W + b
        if k < len(layers) - 1:
            h = torch.tanh(h)
    return h


def problem(reference, n: int, seed: int, widths: list[int]) -> tuple[Tensor, Tensor, list]:
    X, y = reference.make_rings(n, gen(seed))
    return X, y, reference.init_mlp(widths, gen(seed + 1))


def full_loss(X: Tensor, y: Tensor, layers: list) -> float:
    with torch.no_grad():
        return F.binary_cross_entropy_with_logits(forward(X, layers), y).item()


def schedule_function(schedule: dict, steps: int) -> Function:
    """lr_of_step for the student: PyTorch's rates for this schedule, as a list lookup (steps
    beyond the run repeat its last rate, so an off-by-one shows as wrong numbers, not an error)."""
    rates = torch_rates(schedule, steps + 1)
    return Function(f"RATES = {rates!r}\n\n\ndef lr_of_step(step):\n"
                    f"    return RATES[min(step, len(RATES) - 1)]\n", "lr_of_step")


def batches(n: int, batch_size: int, steps: int, generator: torch.Generator, fresh_each: bool = False):
    """The indices of each update's batch: passes of one randperm each, cut in order."""
    made = 0
    while made < steps:
        if fresh_each:
            yield torch.randperm(n, generator=generator)[:batch_size]
            made += 1
            continue
        for idx in torch.randperm(n, generator=generator).split(batch_size):
            if made == steps:
                return
            yield idx
            made += 1


def torch_loop(X: Tensor, y: Tensor, layers0: list, schedule: dict, steps: int, batch_size: int,
               seed: int) -> tuple[list, list[float], list[float]]:
    """PyTorch's loop: torch.optim.SGD, the schedule's scheduler, optimizer.step() then
    scheduler.step(). Returns (layers, losses, lrs)."""
    params = [t.detach().clone().requires_grad_(True) for layer in layers0 for t in layer]
    optimiser = torch.optim.SGD(params, lr=schedule["lr"])
    scheduler = torch_scheduler(optimiser, schedule) if schedule["kind"] != "constant" else None
    layers = [(params[i], params[i + 1]) for i in range(0, len(params), 2)]
    losses, lrs = [], []
    for idx in batches(X.shape[0], batch_size, steps, gen(seed)):
        loss = F.binary_cross_entropy_with_logits(forward(X[idx], layers), y[idx])
        losses.append(loss.item())
        lrs.append(float(optimiser.param_groups[0]["lr"]))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if scheduler is not None:
            scheduler.step()
    return [(W.detach(), b.detach()) for W, b in layers], losses, lrs


def mistaken_loop(X: Tensor, y: Tensor, layers0: list, rate: Callable[[int], float], steps: int,
                  batch_size: int, seed: int, mistake: str) -> list[float]:
    """The losses of a train_with_schedule with `mistake`."""
    layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))
              for W, b in layers0]
    n = X.shape[0]
    per_pass = math.ceil(n / batch_size)
    losses = []
    stream = batches(n, batch_size, steps, gen(seed), fresh_each=mistake == "fresh_permutation")
    for t, idx in enumerate(stream):
        lr = {"one_step_early": lambda: rate(t + 1), "per_pass": lambda: rate(t // per_pass),
              "first_rate_only": lambda: rate(0)}.get(mistake, lambda: rate(t))()
        loss = F.binary_cross_entropy_with_logits(forward(X[idx], layers), y[idx])
        if mistake != "recorded_after":
            losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for W, b in layers:
                W -= lr * W.grad
                b -= lr * b.grad
                if mistake != "grads_kept":
                    W.grad, b.grad = None, None
        if mistake == "recorded_after":
            with torch.no_grad():
                losses.append(F.binary_cross_entropy_with_logits(forward(X[idx], layers), y[idx]).item())
    return losses


TRAIN = Mistakes({
    "one_step_early": "update t used the rate of step t + 1: the off-by-one of stepping the schedule "
                      "before the optimiser (PyTorch's order is optimizer.step(), then scheduler.step(), "
                      "so update 0 uses the base rate)",
    "per_pass": "the schedule advances once per pass over the data (epoch), not once per update",
    "first_rate_only": "the rate never changes: every update uses lr_of_step(0)",
    "recorded_after": "the loss is recorded after the update instead of just before it",
    "grads_kept": "gradients are never cleared, so they pile up from update to update",
    "fresh_permutation": "a fresh permutation is drawn for every batch; draw one per pass over the "
                         "data and cut it into consecutive batches (lesson 1.3)",
}, lambda mistake, **setting: mistaken_loop(mistake=mistake, **setting))


# --- the range test's mistakes --------------------------------------------------------------

def range_test(X: Tensor, y: Tensor, layers0: list, lr_min: float, lr_max: float, steps: int,
               batch_size: int, seed: int, mistake: str = "") -> tuple[list[float], list[float], float]:
    """The range test, or the range test with `mistake`: (lrs, losses, suggested)."""
    layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))
              for W, b in layers0]
    denominator = steps if mistake == "ramp_short" else steps - 1
    lrs, losses, smoothed = [], [], []
    avg = 0.0
    for t, idx in enumerate(batches(X.shape[0], batch_size, steps, gen(seed))):
        if mistake == "linear_ramp":
            lr = lr_min + (lr_max - lr_min) * t / denominator
        else:
            lr = lr_min * (lr_max / lr_min) ** (t / denominator)
        loss = F.binary_cross_entropy_with_logits(forward(X[idx], layers), y[idx])
        lrs.append(lr)
        losses.append(loss.item())
        avg = 0.9 * avg + 0.1 * loss.item()
        smoothed.append(avg if mistake == "no_bias_correction" else avg / (1 - 0.9 ** (t + 1)))
        if mistake != "never_stops" and (not math.isfinite(smoothed[-1]) or smoothed[-1] > 4 * min(smoothed)):
            break
        loss.backward()
        with torch.no_grad():
            for W, b in layers:
                W -= lr * W.grad
                b -= lr * b.grad
                W.grad, b.grad = None, None
    ranked = losses if mistake == "raw_minimum" else smoothed
    best = min(range(len(ranked)), key=lambda i: (not ranked[i] <= math.inf, ranked[i]))
    return lrs, losses, lrs[best] / (1 if mistake == "no_step_back" else 10)


RANGE = Mistakes({
    "linear_ramp": "the rate grows linearly; the range test raises it geometrically, "
                   "lr_min * (lr_max / lr_min) ** (t / (steps - 1)), so every decade gets as many steps",
    "ramp_short": "the ramp never reaches lr_max: the exponent is t / steps; it is t / (steps - 1)",
    "no_bias_correction": "the moving average is not bias-corrected: it starts at 0, so the first "
                          "smoothed losses are far too small (divide by 1 - 0.9 ** (t + 1), as Adam does)",
    "raw_minimum": "the suggestion comes from the minimum of the raw batch losses; use the smoothed losses",
    "no_step_back": "the suggestion is the rate at the minimum itself; step back one order of "
                    "magnitude (divide by 10)",
    "never_stops": "the run does not stop when the smoothed loss exceeds 4 times its lowest value",
}, lambda mistake, **setting: range_test(mistake=mistake, **setting))
