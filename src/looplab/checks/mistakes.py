"""Naming a student's likely mistake by reproducing it.

A lesson declares its known mistakes once, each with the message a student reads and a way
to simulate it (usually one simulator with a switch per mistake, e.g. `looplab.checks.loops`).
When a check fails, `diagnose` runs the candidates on the same setting and returns the message
of the first one whose result matches the student's, or None. Messages go into failures
through `looplab.checks.likely`, so every lesson words "likely mistake:" the same way.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable

SIMULATION_ERRORS = (RuntimeError, ValueError, OverflowError, ZeroDivisionError, IndexError)


def loosely_same(got: Any, want: Any, rtol: float = 2e-3) -> bool:
    """Two trajectories (or numbers) agree to simulation accuracy: float64 simulations against
    float32 student runs. NaNs match NaNs and infinities match themselves."""
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        got, want = [got], [want]
    if not isinstance(got, (list, tuple)) or not isinstance(want, (list, tuple)) or len(got) != len(want):
        return False
    for x, y in zip(got, want):
        if not isinstance(x, (int, float)) or not isinstance(y, (int, float)):
            return False
        if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
            if not ((math.isnan(x) and math.isnan(y)) or x == y):
                return False
        elif abs(x - y) > 1e-6 + rtol * abs(y):
            return False
    return True


def diagnose(got: Any, candidates: Iterable[tuple[str, Callable[[], Any]]], *,
             same: Callable[[Any, Any], bool] = loosely_same,
             unless: Callable[[], Any] | None = None) -> str | None:
    """The message of the first candidate whose simulation reproduces `got`, else None.

    `candidates` are (message, simulation) pairs, tried in order; a simulation that raises is
    skipped. With `unless` (the correct result's simulation), a candidate that gives the
    correct result in this setting is never named: it changes nothing here.
    """
    correct = None
    if unless is not None:
        try:
            correct = unless()
        except SIMULATION_ERRORS:
            correct = None
    for message, simulation in candidates:
        try:
            result = simulation()
        except SIMULATION_ERRORS:
            continue
        if same(got, result) and not (correct is not None and same(result, correct)):
            return message
    return None


class Mistakes:
    """A lesson's known mistakes: `name -> message`, and one simulator with a switch per mistake.

    `simulate(**setting, mistake=name)` returns what a submission with that mistake returns.
    """

    def __init__(self, messages: dict[str, str], simulate: Callable[..., Any]) -> None:
        self.messages = messages
        self.simulate = simulate

    def __getitem__(self, name: str) -> str:
        return self.messages[name]

    def diagnose(self, got: Any, names: Iterable[str], *, same: Callable[[Any, Any], bool] = loosely_same,
                 **setting: Any) -> str | None:
        """The message of the first mistake in `names` that reproduces `got` in `setting`."""
        candidates = ((self.messages[n], _bind(self.simulate, n, setting)) for n in names)
        return diagnose(got, candidates, same=same)


def _bind(simulate: Callable[..., Any], name: str, setting: dict) -> Callable[[], Any]:
    return lambda: simulate(mistake=name, **setting)
