"""Helpers shared by the checks of lesson 1.5: reading results and naming mistakes."""

from __future__ import annotations

import math
from typing import Any, Callable

import torch
from torch import Tensor

from looplab.checks import expect, fail

from .functions import Scalar


def rel(a: Tensor, b: Tensor) -> float:
    """The lesson's relative error: max |a - b| / max (|a| + |b|), 0.0 for two zero tensors."""
    a, b = a.detach().double(), b.detach().double()
    scale = (a.abs() + b.abs()).max().item()
    return 0.0 if scale == 0 else (a - b).abs().max().item() / scale


def describe(x: Tensor) -> str:
    return f"x of shape {tuple(x.shape)} ({str(x.dtype).removeprefix('torch.')})"


def gradient_tensor(value: Any, x: Tensor, what: str, *, strict: bool = False) -> Tensor:
    """The student's gradient as a tensor of x's values; strict also asks for x's shape and dtype.

    Without `strict`, a tensor with x's number of entries but another shape or dtype
    is read in x's layout: the check that asks for the shape and dtype judges those.
    """
    if not isinstance(value, Tensor):
        kind = type(value).__name__
        fail(f"{what} returned a {kind}; the contract asks for a tensor of x's shape and dtype "
             f"(fill a tensor made with torch.empty_like(x) or torch.zeros_like(x))"
             + (" rather than a list of numbers" if kind in ("list", "tuple") else ""))
    if strict:
        expect(tuple(value.shape) == tuple(x.shape),
               f"{what} on {describe(x)} returned a tensor of shape {tuple(value.shape)}; the "
               f"gradient must have x's shape, entry for entry (do not flatten it)")
        expect(value.dtype == x.dtype,
               f"{what} on {describe(x)} returned a {str(value.dtype).removeprefix('torch.')} tensor; "
               f"the gradient must have x's dtype"
               + ("; torch.zeros(x.shape) is always float32, torch.zeros_like(x) keeps the dtype"
                  if value.dtype == torch.float32 else ""))
    if value.numel() != x.numel():
        fail(f"{what} on {describe(x)} returned a tensor of shape {tuple(value.shape)} with "
             f"{value.numel()} entries; expected one entry per entry of x ({x.numel()})")
    return value.detach().reshape(x.shape)


# --- known mistakes in numerical_gradient, simulated in float64 -----------------------

MISTAKES = {
    "forward": "forward differences (f(x + h e_i) - f(x)) / h, whose error shrinks only like h; "
               "use central differences (f(x + h e_i) - f(x - h e_i)) / (2h)",
    "backward": "backward differences (f(x) - f(x - h e_i)) / h, whose error shrinks only like h; "
                "use central differences (f(x + h e_i) - f(x - h e_i)) / (2h)",
    "over_h": "the difference f(x + h e_i) - f(x - h e_i) is divided by h instead of 2h, so every "
              "entry is twice the gradient",
    "all_at_once": "every entry of x is moved by h at once; perturb one entry at a time (x + h e_i)",
    "not_restored": "a perturbed entry is not put back before the next one is perturbed",
    "reversed": "the difference is taken the wrong way round, f(x - h e_i) - f(x + h e_i)",
}


def simulate(f: Callable[[Tensor], Any], x: Tensor, h: float, mistake: str) -> Tensor:
    """numerical_gradient with one mistake switched on, in float64."""
    x = x.detach().double().clone()
    flat = x.view(-1)
    grad = torch.empty_like(flat)
    if mistake == "all_at_once":
        return torch.full_like(x, (float(f(x + h)) - float(f(x - h))) / (2 * h))
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + h
        plus = float(f(x))
        flat[i] = old - h
        minus = float(f(x))
        if mistake != "not_restored":
            flat[i] = old
        if mistake == "forward":
            grad[i] = (plus - float(f(x))) / h
        elif mistake == "backward":
            grad[i] = (float(f(x)) - minus) / h
        elif mistake == "over_h":
            grad[i] = (plus - minus) / h
        elif mistake == "reversed":
            grad[i] = (minus - plus) / (2 * h)
        else:
            grad[i] = (plus - minus) / (2 * h)
    return grad.reshape(x.shape)


def diagnose(got: Tensor, f: Scalar, x: Tensor, h: float) -> str:
    """'\\nlikely mistake: ...' when `got` is what a known mistake gives, else ''."""
    local = f.local()
    for name, text in MISTAKES.items():
        try:
            if rel(got, simulate(local, x, h, name)) <= 1e-7:
                return f"\nlikely mistake: {text}"
        except (RuntimeError, ValueError):
            continue
    return ""


def expect_accurate(student, f: Scalar, x: Tensor, h: float, limit: float) -> None:
    """The student's numerical gradient of f at x is within `limit` of autograd's."""
    got = gradient_tensor(student.numerical_gradient(f.remote(x), x, h), x, "numerical_gradient")
    exact = f.gradient(x)
    err = rel(got, exact)
    if not err <= limit:  # also catches nan
        fail(f"numerical_gradient with {f.label}, {describe(x)}, h={h:g}: relative error "
             f"{err:.2e} against the exact gradient (autograd), expected below {limit:.0e}"
             + diagnose(got, f, x, h))


def changed_entries_hint(before: Tensor, after: Tensor, h: float) -> str:
    """Why x came back different: entries left perturbed, or last digits lost."""
    if before.shape != after.shape or before.dtype != after.dtype:
        return (f" (it came back with shape {tuple(after.shape)} and dtype {after.dtype})")
    diff = (after.double() - before.double()).abs()
    changed = int((diff > 0).sum())
    if torch.allclose(after.double(), before.double(), rtol=1e-5 if before.dtype == torch.float32
                      else 1e-12, atol=0.0):
        return (f": {changed} entries differ in their last digits. Adding h and then subtracting "
                f"it again does not always give back the same floating-point number; save the "
                f"entry before perturbing it and put the saved value back")
    if math.isclose(diff.max().item(), h, rel_tol=1e-3):
        return (f": {changed} entries were left moved by h; put each perturbed entry back (to "
                f"its saved value) before perturbing the next one")
    return f": {changed} entries changed"
