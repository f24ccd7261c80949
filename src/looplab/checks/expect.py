"""The two primitives every check fails with: `fail(message)` and `expect(condition, message)`."""

from __future__ import annotations

import pytest


def fail(message: str) -> None:
    """End the check as failed with `message` (what was tried, expected, got, likely cause)."""
    pytest.fail(message, pytrace=False)


def expect(condition: bool, message: str) -> None:
    if not condition:
        fail(message)
