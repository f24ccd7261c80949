"""Assertions whose failure messages say what was tried and what was expected."""

from __future__ import annotations

import math
from typing import Any, Callable

import pytest


def fail(message: str) -> None:
    pytest.fail(message, pytrace=False)


def expect(condition: bool, message: str) -> None:
    if not condition:
        fail(message)


def as_float_list(value: Any, what: str, *, strict: bool = False) -> list[float]:
    """Read a returned trajectory as floats.

    0-d tensors and numpy scalars are accepted unless `strict`, so that a
    forgotten `.item()` costs only the check that asks for plain floats.
    """
    if not isinstance(value, (list, tuple)):
        fail(f"{what} returned a {_kind(value)}; the contract asks for a list of Python floats")
    out = []
    for i, v in enumerate(value):
        if type(v) in (float, int) and type(v) is not bool:
            out.append(float(v))
        elif not strict and _scalar_like(v):
            out.append(float(v))
        else:
            hint = " (call .item() on the loss)" if _scalar_like(v) else ""
            fail(f"{what}: entry {i} is a {_kind(v)}, not a Python float{hint}")
    return out


def _scalar_like(v: Any) -> bool:
    shape = getattr(v, "shape", None)
    return shape is not None and tuple(shape) in ((), (1,)) and type(v).__module__.startswith(("torch", "numpy"))


def _kind(v: Any) -> str:
    t = type(v)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__.split('.')[0]}.{t.__name__}"


def close(a: float, b: float, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= atol + rtol * abs(b)


def roughly_equal(got: Any, want: Any, rtol: float = 1e-2) -> bool:
    """Loose structural agreement of two decoded results (tensors, arrays, numbers,
    lists, dicts): enough to tell a real answer from garbage, lenient about float
    precision and about 0-d tensors standing in for numbers."""
    import numpy as np
    import torch
    got, want = _as_plain(got), _as_plain(want)
    if isinstance(want, (torch.Tensor, np.ndarray)) or isinstance(got, (torch.Tensor, np.ndarray)):
        try:
            a, b = torch.as_tensor(np.asarray(got)).double(), torch.as_tensor(np.asarray(want)).double()
        except (TypeError, ValueError, RuntimeError):
            return False
        if a.shape != b.shape:
            return False
        scale = float(b.abs().nan_to_num(posinf=0, neginf=0).max()) if b.numel() else 0.0
        return bool(torch.allclose(a, b, rtol=rtol, atol=rtol * max(scale, 1e-6), equal_nan=True))
    if isinstance(want, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(want)
                and all(roughly_equal(g, w, rtol) for g, w in zip(got, want)))
    if isinstance(want, dict):
        return (isinstance(got, dict) and got.keys() == want.keys()
                and all(roughly_equal(got[k], want[k], rtol) for k in want))
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        return (isinstance(got, (int, float)) and not isinstance(got, bool)
                and (math.isclose(got, want, rel_tol=rtol, abs_tol=1e-9)
                     or (math.isnan(got) and math.isnan(want))))
    return got == want


def _as_plain(value: Any) -> Any:
    """0-d tensors and numpy scalars as Python numbers."""
    if type(value).__module__.startswith(("torch", "numpy")) and getattr(value, "shape", None) == ():
        return value.item()
    return value


def same_trajectory(got: list[float], want: list[float], rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    return len(got) == len(want) and all(close(g, w, rtol, atol) for g, w in zip(got, want))


def assert_trajectory(got: list[float], want: list[float], *, what: str, setting: str,
                      diagnose: Callable[[], str | None] | None = None,
                      rtol: float = 1e-4, atol: float = 1e-6, against: str = "reference") -> None:
    """Fail unless `got` matches `want` entry by entry.

    The message names the first epoch that differs, the setting tried, and,
    when `diagnose` recognises the trajectory, the likely mistake.
    """
    if len(got) != len(want):
        msg = (f"{what} returned {len(got)} losses, expected {len(want)} ({setting}): "
               f"one entry per epoch, recorded before that epoch's updates")
        fail(msg + _diagnosis(diagnose))
    for epoch, (g, w) in enumerate(zip(got, want)):
        if not close(g, w, rtol, atol):
            msg = (f"{what}: epoch {epoch} loss {g:.6g}, {against} {w:.6g} ({setting})")
            fail(msg + _diagnosis(diagnose))


def _diagnosis(diagnose: Callable[[], str | None] | None) -> str:
    if diagnose is None:
        return ""
    mistake = diagnose()
    return f"\nlikely mistake: {mistake}" if mistake else ""


def not_mutated(before: list, after: list, names: list[str], what: str) -> None:
    """Fail if any argument tensor changed during the call."""
    import torch
    for name, b, a in zip(names, before, after):
        if isinstance(b, torch.Tensor) and isinstance(a, torch.Tensor):
            if b.shape != a.shape or not torch.equal(b.to(a.dtype), a):
                fail(f"{what} changed its input `{name}` in place; never modify an argument: "
                     f"work on copies (e.g. `w = w0.clone()`) so the caller's tensors stay as they were")
