"""The speed check's rounds and limits (`looplab.checks.timing`), with simulated calls.

The simulated processes report a fixed time per call instead of running anything, so the
verdicts are exact: a student inside the allowance passes, one outside fails, and the
first round stops a call once it is past CLEAR allowances, where it would fail anyway.
"""

from __future__ import annotations

import pytest

from looplab.checks import timing
from looplab.sandbox.runner import StudentTimeout

REF = 0.010  # seconds per reference call
FACTOR, SLACK = 8.0, 0.03
ALLOWANCE = FACTOR * REF + SLACK


class Simulated:
    """A Student stand-in whose every call takes `seconds` and returns 1.0."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.limits, self.speeds = seconds, [], []

    def timed(self, name, *args, timeout):
        self.limits.append(timeout)
        if self.seconds > timeout:
            raise StudentTimeout(f"{name} did not finish within {timeout:.1f} s")
        return self.seconds, 1.0


def verdict(ratio: float) -> tuple[bool, Simulated, str]:
    student = Simulated(ratio * ALLOWANCE)
    try:
        timing.assert_not_much_slower(student, Simulated(REF), "train", lambda r: (r,),
                                      factor=FACTOR, slack=SLACK, workload="w")
    except pytest.fail.Exception as failure:
        return False, student, str(failure)
    return True, student, ""


@pytest.mark.parametrize("ratio", [0.3, 0.9, 1.0, 1.1, 1.9, 2.01, 2.5, 6.0, 40.0])
def test_the_verdict_is_the_allowance_whatever_the_rounds_and_limits(ratio):
    passed, student, _ = verdict(ratio)
    assert passed == (ratio <= 1.0)


@pytest.mark.parametrize("ratio", [2.5, 6.0, 40.0])
def test_a_first_call_past_clear_allowances_is_stopped_there(ratio):
    passed, student, message = verdict(ratio)
    assert not passed
    assert student.limits == [pytest.approx(timing.CLEAR * ALLOWANCE)], "one call, cut at CLEAR allowances"
    assert "was stopped after" in message and "8x the reference's 10.0 ms plus 30 ms" in message
    assert student.speeds == [pytest.approx(timing.CLEAR * ALLOWANCE / REF)]  # a lower bound


def test_a_call_just_past_the_allowance_runs_to_the_end_and_its_time_is_reported():
    passed, student, message = verdict(1.9)
    assert not passed and "took" in message and "(median)" in message
    assert student.speeds and student.speeds[0] == pytest.approx(1.9 * ALLOWANCE / REF)


def test_later_rounds_keep_the_generous_limit_so_one_hiccup_cannot_decide():
    passed, student, _ = verdict(1.1)  # near the boundary: every round is spent
    assert len(student.limits) == timing.MAX_ROUNDS
    assert student.limits[0] == pytest.approx(timing.CLEAR * ALLOWANCE)
    assert all(limit >= 2.0 for limit in student.limits[1:])


def test_clearly_fast_and_clearly_slow_students_take_one_round():
    for ratio in (0.3, 2.5):
        _, student, _ = verdict(ratio)
        assert len(student.limits) == 1
