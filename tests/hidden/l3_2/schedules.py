"""PyTorch's own schedulers as the oracle for lr_at, and lr_at's known mistakes, simulated.

`torch_rates(schedule, n)` steps a real torch.optim.SGD and the matching
torch.optim.lr_scheduler object n times in PyTorch's order (optimizer.step(), then
scheduler.step()) and records the rate each update used. `student_rates` evaluates the
student's lr_at at many steps in one call (a driver run in the student process).
`LR_AT.diagnose` names the mistake whose simulated rates reproduce the student's.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch.optim.lr_scheduler import (CosineAnnealingLR, ExponentialLR, LinearLR, SequentialLR,
                                      StepLR)

from looplab.checks import Mistakes, as_float_list, drive

TORCH_NAME = {"step": "StepLR", "exponential": "ExponentialLR", "cosine": "CosineAnnealingLR",
              "warmup_cosine": "LinearLR + CosineAnnealingLR in SequentialLR"}


def torch_scheduler(optimiser: torch.optim.Optimizer, schedule: dict) -> Any:
    kind = schedule["kind"]
    if kind == "step":
        return StepLR(optimiser, schedule["step_size"], schedule["gamma"])
    if kind == "exponential":
        return ExponentialLR(optimiser, schedule["gamma"])
    if kind == "cosine":
        return CosineAnnealingLR(optimiser, schedule["T_max"], schedule["eta_min"])
    warmup = LinearLR(optimiser, schedule["start_factor"], 1.0, schedule["warmup_steps"])
    cosine = CosineAnnealingLR(optimiser, schedule["T_max"], schedule["eta_min"])
    return SequentialLR(optimiser, [warmup, cosine], [schedule["warmup_steps"]])


def torch_rates(schedule: dict, n: int) -> list[float]:
    """The rate each of n updates uses under PyTorch's scheduler, stepped after the optimiser."""
    p = torch.zeros(1, requires_grad=True)
    optimiser = torch.optim.SGD([p], lr=schedule["lr"])
    if schedule["kind"] == "constant":
        return [float(schedule["lr"])] * n
    scheduler = torch_scheduler(optimiser, schedule)
    rates = []
    for _ in range(n):
        rates.append(float(optimiser.param_groups[0]["lr"]))
        optimiser.step()
        scheduler.step()
    return rates


def rates_of(schedule, steps):
    """Driver, run in the student process: the student's lr_at at each step, in one call."""
    return [lr_at(schedule, t) for t in steps]  # noqa: F821 - the student's lr_at


def student_rates(student: Any, schedule: dict, n: int) -> list[float]:
    return as_float_list(drive(student, "lr_at", rates_of, dict(schedule), list(range(n))), "lr_at")


# --- lr_at's mistakes, simulated ----------------------------------------------------------

def _cosine(lr: float, t: float, T: float, eta_min: float) -> float:
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / T)) / 2


def mistaken_rate(schedule: dict, step: int, mistake: str) -> float:
    kind, lr = schedule["kind"], schedule["lr"]
    if mistake == "one_step_early":
        step = step + 1
    if mistake == "one_step_late":
        step = max(step - 1, 0)
    if kind == "constant":
        return lr
    if kind == "step":
        k = step / schedule["step_size"] if mistake == "no_staircase" else step // schedule["step_size"]
        if mistake == "decays_from_start":
            k = step // schedule["step_size"] + 1
        return lr * schedule["gamma"] ** k
    if kind == "exponential":
        if mistake == "exp_of_gamma":
            return lr * math.exp(-schedule["gamma"] * step)
        return lr * schedule["gamma"] ** step
    T, eta = schedule["T_max"], schedule["eta_min"]
    if mistake == "eta_min_ignored":
        eta = 0.0
    warmup = schedule.get("warmup_steps", 0) if kind == "warmup_cosine" else 0
    if step < warmup:
        start = schedule["start_factor"]
        if mistake == "warmup_from_zero":
            return lr * step / warmup
        if mistake == "warmup_peaks_early":
            return lr * (start + (1 - start) * step / max(warmup - 1, 1))
        if mistake == "warmup_plus_one":
            return lr * (start + (1 - start) * (step + 1) / warmup)
        return lr * (start + (1 - start) * step / warmup)
    t = step if mistake == "cosine_not_restarted" else step - warmup
    if mistake == "cosine_clamped":
        t = min(t, T)
    if mistake == "cosine_T_minus_one":
        T = max(T - 1, 1)
    if mistake == "eta_min_added":
        return eta + lr * (1 + math.cos(math.pi * t / T)) / 2
    return _cosine(lr, t, T, eta)


LR_AT = Mistakes({
    "one_step_early": "every rate is one step early: step t returned PyTorch's rate for step t + 1, "
                      "the off-by-one of stepping the schedule before the optimiser (update t "
                      "uses the rate of step t, and step 0 uses the base rate)",
    "one_step_late": "every rate is one step late: step t returned the rate of step t - 1",
    "no_staircase": "step decay without the staircase: gamma ** (step / step_size) decays a little "
                    "every step; StepLR multiplies by gamma only at multiples of step_size "
                    "(use step // step_size)",
    "decays_from_start": "step decay applies gamma from step 0; StepLR keeps lr for the first "
                         "step_size steps (gamma ** (step // step_size))",
    "exp_of_gamma": "exponential decay written as lr * exp(-gamma * step); ExponentialLR multiplies "
                    "by gamma at every step: lr * gamma ** step",
    "eta_min_ignored": "eta_min is ignored: the cosine must fall to eta_min, not to 0",
    "eta_min_added": "eta_min is added on top of lr * (1 + cos) / 2, so the rate starts at lr + "
                     "eta_min; the cosine spans lr - eta_min: eta_min + (lr - eta_min) * (1 + cos) / 2",
    "cosine_clamped": "the rate is held at eta_min past T_max; PyTorch's CosineAnnealingLR keeps "
                      "following the cosine and climbs back up after T_max",
    "cosine_T_minus_one": "the cosine reaches eta_min at step T_max - 1; it reaches it at step T_max "
                          "(angle pi * t / T_max)",
    "warmup_from_zero": "the warm-up starts from 0; LinearLR starts at start_factor * lr (it refuses "
                        "start_factor = 0)",
    "warmup_peaks_early": "the warm-up reaches lr at step warmup_steps - 1; LinearLR reaches it at "
                          "step warmup_steps, the milestone, where the cosine starts at lr",
    "warmup_plus_one": "the warm-up is one step ahead ((step + 1) / warmup_steps): step 0 must use "
                       "start_factor * lr",
    "cosine_not_restarted": "after the warm-up the cosine is evaluated at the global step; "
                            "SequentialLR starts it from its own step 0 at the milestone "
                            "(use step - warmup_steps)",
}, lambda schedule, n, mistake: [mistaken_rate(schedule, t, mistake) for t in range(n)])

NAMES = {
    "step": ("one_step_early", "one_step_late", "no_staircase", "decays_from_start"),
    "exponential": ("one_step_early", "one_step_late", "exp_of_gamma"),
    "cosine": ("one_step_early", "one_step_late", "eta_min_ignored", "eta_min_added", "cosine_clamped",
               "cosine_T_minus_one"),
    "warmup_cosine": ("one_step_early", "one_step_late", "warmup_from_zero", "warmup_peaks_early",
                      "warmup_plus_one", "cosine_not_restarted", "eta_min_ignored", "eta_min_added",
                      "cosine_clamped", "cosine_T_minus_one"),
}


def rates_agree(got: list[float], want: list[float]) -> bool:
    return len(got) == len(want) and all(
        math.isclose(g, w, rel_tol=1e-6, abs_tol=1e-12) for g, w in zip(got, want))
