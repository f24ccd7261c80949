"""Comparing a student's results with the reference's: numbers, trajectories, tensors, inputs.

Every `assert_*` fails with the setting tried, what was expected and what came back; a
`diagnose` callable, when given, names the likely mistake (see `looplab.checks.mistakes`).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from looplab.checks.expect import fail

Diagnose = Callable[[], "str | None"]


def close(a: float, b: float, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    """|a - b| <= atol + rtol |b|; two NaNs are close, a NaN and a number are not."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= atol + rtol * abs(b)


def same_trajectory(got: Sequence[float], want: Sequence[float], rtol: float = 1e-4,
                    atol: float = 1e-6) -> bool:
    return len(got) == len(want) and all(close(g, w, rtol, atol) for g, w in zip(got, want))


def first_difference(got: Sequence[float], want: Sequence[float], *, rtol: float = 1e-4,
                     atol: float = 1e-6, unit: str = "epoch", against: str = "reference") -> str:
    """'' when the trajectories agree, else where they first part: `epoch 3 loss 0.41, reference 0.12`."""
    if len(got) != len(want):
        return (f"returned {len(got)} losses, expected {len(want)}: one per {unit}, each recorded "
                f"before that {unit}'s update")
    for i, (g, w) in enumerate(zip(got, want)):
        if not close(g, w, rtol, atol):
            return f"{unit} {i} loss {g:.6g}, {against} {w:.6g}"
    return ""


def likely(mistake: str | Sequence[str] | None) -> str:
    """The one way a message names a recognised mistake (empty when none is recognised).

    Several mistakes at once (a list) get one line each.
    """
    if not mistake:
        return ""
    if isinstance(mistake, str):
        return f"\nlikely mistake: {mistake}"
    if len(mistake) == 1:
        return f"\nlikely mistake: {mistake[0]}"
    lines = "\n".join(f"  - {m}" for m in mistake)
    return (f"\nlikely mistakes, {len(mistake)} at once (one bug can hide another, so check again "
            f"after fixing these):\n{lines}")


def named_mistakes(message: str) -> list[str]:
    """The mistakes a failure message names, in its order (the inverse of `likely`).

    Reads `likely mistake: X` lines (each to the end of its line, however the check wrote it)
    and the `  - X` lines under `likely mistakes, N at once`; [] when none is named.
    """
    named: list[str] = []
    listing = False
    for line in message.splitlines():
        if line.startswith("likely mistake: "):
            named.append(line.removeprefix("likely mistake: ").strip())
            listing = False
        elif line.startswith("likely mistakes, "):
            listing = True
        elif listing and line.startswith("  - "):
            named.append(line[4:].strip())
        else:
            listing = False
    return [m for m in named if m]


def assert_trajectory(got: Sequence[float], want: Sequence[float], *, what: str, setting: str,
                      diagnose: Diagnose | None = None, rtol: float = 1e-4, atol: float = 1e-6,
                      against: str = "reference", unit: str = "epoch") -> None:
    """Fail unless `got` matches `want` entry by entry, naming the first entry that differs."""
    difference = first_difference(got, want, rtol=rtol, atol=atol, unit=unit, against=against)
    if difference:
        fail(f"{what}: {difference} ({setting})" + likely(diagnose() if diagnose else None))


def assert_float(got: float, want: float, *, what: str, setting: str, rtol: float = 1e-4,
                 atol: float = 1e-6, diagnose: Diagnose | None = None) -> None:
    if not close(got, want, rtol, atol):
        fail(f"{what} returned {got:.6g}, expected {want:.6g} ({setting})"
             + likely(diagnose() if diagnose else None))


def assert_tensor(got: Any, want: Any, *, what: str, setting: str, rtol: float = 1e-5,
                  atol: float = 1e-6, diagnose: Diagnose | None = None) -> None:
    """Fail unless two tensors have the same shape and agree entry by entry (NaNs agree)."""
    import torch
    if tuple(got.shape) != tuple(want.shape):
        fail(f"{what} returned shape {tuple(got.shape)}, expected {tuple(want.shape)} ({setting})"
             + likely(diagnose() if diagnose else None))
    a, b = got.detach().double(), want.detach().double()
    if torch.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
        return
    bad = ~torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
    i = tuple(int(k) for k in bad.nonzero()[0])
    where = f" at index {i}" if i else ""
    fail(f"{what}: {bad.sum().item()} of {b.numel()} entries differ; first{where}: "
         f"{a[i].item():.6g}, expected {b[i].item():.6g} ({setting})"
         + likely(diagnose() if diagnose else None))


def roughly_equal(got: Any, want: Any, rtol: float = 1e-2) -> bool:
    """Loose structural agreement of two decoded results (tensors, arrays, numbers, lists,
    dicts): enough to tell a real answer from garbage, lenient about float precision and
    about 0-d tensors standing in for numbers."""
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


def expect_unchanged(student: Any, name: str, args: tuple, names: Sequence[str],
                     **kwargs: Any) -> dict:
    """Call `student.<name>(*args)` and fail if it changed any tensor argument in place.

    `names` names the leading arguments to compare (the rest are not compared). Returns the
    reply, so a check can go on to look at the result.
    """
    import torch
    reply = student.call(name, *args, return_args=True, **kwargs)
    for arg_name, before, after in zip(names, args, reply["args_after"]):
        if isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor):
            if before.shape != after.shape or not torch.equal(before.to(after.dtype), after):
                fail(f"{name} changed its input `{arg_name}` in place; never modify an argument: "
                     f"work on copies (e.g. `w = w0.clone()`) so the caller's tensors stay as they were")
    return reply
