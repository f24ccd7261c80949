"""Every check of lesson 3.2 trains small reference models and runs PyTorch's own loop in the
checker's process: on one thread, as the student process does (`looplab.checks.one_thread`)."""

import pytest

from looplab.checks import one_thread


@pytest.fixture(autouse=True)
def _checker_on_one_thread():
    with one_thread():
        yield
