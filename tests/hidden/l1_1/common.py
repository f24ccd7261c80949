"""Helpers shared by the checks of lesson 1.1: reading results, comparing runs."""

from __future__ import annotations

import math
from typing import Any

import torch

from looplab.checks import expect, fail

from .data import describe, make_data
from .mistakes import diagnose_train

GLOBAL_SEED = 1101  # the student process is seeded; nothing in this lesson is random


def _kind(v: Any) -> str:
    t = type(v)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__.split('.')[0]}.{t.__name__}"


def _scalar_like(v: Any) -> bool:
    shape = getattr(v, "shape", None)
    return (shape is not None and tuple(shape) in ((), (1,))
            and type(v).__module__.startswith(("torch", "numpy")))


def as_float(value: Any, what: str, *, strict: bool = False) -> float:
    """A returned number as a float. A one-element tensor is accepted unless `strict`,
    so that a forgotten `.item()` costs only the check that asks for a Python float."""
    if type(value) is float:
        return value
    if type(value) is int and not strict:
        return float(value)
    if _scalar_like(value) and not strict:
        return float(value)
    hint = " (call .item() on the tensor)" if _scalar_like(value) else ""
    fail(f"{what} is a {_kind(value)}; the contract asks for a Python float{hint}")


def as_history(value: Any, what: str, *, strict: bool = False) -> list[float]:
    if not isinstance(value, list if strict else (list, tuple)):
        fail(f"{what} is a {_kind(value)}; the contract asks for a list of Python floats, "
             f"one loss per step")
    return [as_float(v, f"{what}: entry {i}", strict=strict) for i, v in enumerate(value)]


def run_train(student, *args, strict: bool = False, return_args: bool = False):
    """Call the student's train; return (w, history), plus the arguments after the call."""
    reply = student.call("train", *args, global_seed=GLOBAL_SEED, return_args=return_args)
    result = reply["result"]
    if not isinstance(result, tuple if strict else (tuple, list)) or len(result) != 2:
        shape = f"a {_kind(result)}" + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
        fail(f"train returned {shape}; the contract asks for a tuple (w, history): the final "
             f"parameter and the list of losses")
    w = as_float(result[0], "the w that train returned", strict=strict)
    history = as_history(result[1], "the history that train returned", strict=strict)
    return (w, history, reply["args_after"]) if return_args else (w, history)


def close(a: float, b: float, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= atol + rtol * abs(b)


def length_hint(got: list[float], steps: int, w_got: float, x, y) -> str:
    """Why a history has the wrong length, when it is recognisable."""
    if len(got) == steps + 1:
        last = ((w_got * x.double() - y.double()) ** 2).mean().item()
        moving = len(got) < 2 or not close(got[-1], got[-2], rtol=1e-3)
        if moving and close(got[-1], last, rtol=2e-3):
            return ("\nlikely mistake: the loss after the last update is appended too; record "
                    "only the loss before each update")
        if moving:
            return "\nlikely mistake: the loop runs steps + 1 times (off by one): use range(steps)"
        return ("\nlikely mistake: one entry too many: either the loop runs steps + 1 times "
                "(use range(steps)) or the loss after the last update is appended too")
    if len(got) == steps - 1:
        return "\nlikely mistake: the loop runs steps - 1 times (off by one): use range(steps)"
    if len(got) < steps:
        return ("\nlikely mistake: the loop stopped early; the contract asks for exactly `steps` "
                "updates, with no stopping when the loss gets small")
    return ""


def losses(n: int) -> str:
    return f"{n} loss" if n == 1 else f"{n} losses"


def expect_history_length(history: list[float], steps: int, w: float, x, y, setting: str) -> None:
    expect(len(history) == steps,
           f"train returned a history of {losses(len(history))} for steps={steps} ({setting}); "
           f"expected exactly {steps}, one per update, each recorded before that update"
           + length_hint(history, steps, w, x, y))


def expect_reference(student, reference, *, n: int, seed: int, w0: float, lr: float,
                     steps: int, w_true: float = 2.0, noise: float = 0.5) -> None:
    """The student's final w and history equal the reference's on one setting."""
    x, y = make_data(n, seed, w_true, noise)
    setting = describe(N=n, w0=w0, lr=lr, steps=steps)
    w, history = run_train(student, w0, x, y, lr, steps)
    want_w, want_history = reference.train(w0, x, y, lr, steps)
    mistake = lambda: diagnose_train(w, history, w0=w0, x=x, y=y, lr=lr, steps=steps)  # noqa: E731
    expect_history_length(history, steps, w, x, y, setting)
    for k, (g, r) in enumerate(zip(history, want_history)):
        if not close(g, r):
            fail(f"train: the loss recorded at step {k} is {g:.6g}, the reference records {r:.6g} "
                 f"({setting})" + _named(mistake()))
    if not close(w, want_w):
        fail(f"train returned w = {w:.6g} after {steps} steps, the reference reaches {want_w:.6g} "
             f"({setting})" + _named(mistake()))


def _named(mistake: str | None) -> str:
    return f"\nlikely mistake: {mistake}" if mistake else ""


def expect_inputs_unchanged(student, name: str, *args) -> None:
    """The tensors among `args` (x and y) are the same after the call."""
    after = student.call(name, *args, global_seed=GLOBAL_SEED, return_args=True)["args_after"]
    for i, (b, a) in enumerate(zip(args, after)):
        if not isinstance(b, torch.Tensor):
            continue
        label = {1: "x", 2: "y"}.get(i, f"argument {i + 1}")
        same = isinstance(a, torch.Tensor) and a.shape == b.shape and torch.equal(a.to(b.dtype), b)
        expect(same, f"{name} changed its input `{label}` in place (an in-place operation such as "
                     f"{label}.mul_(...), {label} -= ... or {label}[...] = ...); compute new tensors "
                     f"instead, e.g. w * x - y, so the caller's data stays as it was")
