"""Lesson 2.4's checks train small reference networks and run float64 simulations in the
checker's process: on one thread, as the student process does (`looplab.checks.one_thread`)."""

import pytest

from looplab.checks import one_thread


@pytest.fixture(autouse=True)
def _checker_on_one_thread():
    with one_thread():
        yield
