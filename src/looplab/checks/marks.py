"""The `points` mark: which task a check belongs to and what it is worth."""

import pytest

MARK = "looplab"


def points(task: str, n: float):
    """Mark a check as worth `n` points of `task` (the function's name)."""
    return getattr(pytest.mark, MARK)(task=task, points=n)
