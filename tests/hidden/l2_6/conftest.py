"""Lesson 2.6's checks train small reference networks in the checker's process (the reference's
train_mlp and overfitting_gap, torch.optim.SGD, the mistake simulators): on one thread, as the
student process does (`looplab.checks.one_thread`). On a busy machine, threads spinning over
tensors of a few hundred entries cost many times the work itself."""

import pytest

from looplab.checks import one_thread


@pytest.fixture(autouse=True)
def _checker_on_one_thread():
    with one_thread():
        yield
