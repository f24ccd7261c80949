"""Speed against the reference, measured from the checker's side.

Both functions run in sandboxed processes of the same kind and are timed by the checker
around the whole call, so a student cannot touch the clock. Runs are interleaved (reference
first on even rounds, student first on odd ones), every round gets fresh inputs (no caching
across rounds), and medians are compared with a wide margin, because shared machines are noisy.

Rounds stop as soon as the verdict is clear: after one round when the student is well inside
the allowance (at most half of it) or far outside (more than twice it), after three rounds
otherwise, and up to five rounds when the medians sit within a quarter of the boundary.
The first student call is even stopped once it runs past twice the allowance: by then that
round's verdict (fail) is settled, so waiting for the call to finish would change nothing
but the grading time.
"""

from __future__ import annotations

import statistics
from typing import Callable

from looplab.checks.compare import roughly_equal
from looplab.checks.expect import fail
from looplab.checks.student import Student
from looplab.sandbox.runner import StudentTimeout

CLEAR = 2.0  # a ratio to the allowance this far from 1 decides after one round
NEAR = 1.25  # within this ratio of the allowance, spend up to MAX_ROUNDS
ROUNDS, MAX_ROUNDS = 3, 5


def assert_not_much_slower(student: Student, reference: Student, name: str,
                           make_args: Callable[[int], tuple], *, factor: float = 8.0,
                           slack: float = 0.03, workload: str = "", hint: str = "") -> None:
    """Fail if the student's median time exceeds factor x reference + slack seconds."""
    ref_times: list[float] = []
    stu_times: list[float] = []
    wrong = 0
    for r in range(MAX_ROUNDS):
        args = make_args(r)
        answers = {}
        for who in (("ref", "stu") if r % 2 == 0 else ("stu", "ref")):
            if who == "ref":
                seconds, answers["ref"] = reference.timed(name, *args, timeout=60)
                ref_times.append(seconds)
            else:
                seconds, answers["stu"] = _timed_student(student, name, args, ref_times, factor,
                                                         slack, workload, hint, first=r == 0)
                stu_times.append(seconds)
        wrong += not roughly_equal(answers["stu"], answers["ref"])
        if _decided(r + 1, statistics.median(stu_times) / _allowance(ref_times, factor, slack)):
            break
    if wrong:
        fail(f"{name}'s results on {workload} differ from the reference's on the same inputs, "
             f"so its speed cannot be credited: a fast wrong answer is not fast (fix the results first)")
    ref, stu = statistics.median(ref_times), statistics.median(stu_times)
    student.speeds.append(stu / max(ref, 1e-9))
    if stu > factor * ref + slack:
        fail(f"{name} took {stu * 1000:.1f} ms (median) on {workload}; the reference takes "
             f"{ref * 1000:.1f} ms, and up to {factor:g}x that plus {slack * 1000:.0f} ms is accepted"
             + (f"\n{hint}" if hint else ""))


def _allowance(ref_times: list[float], factor: float, slack: float) -> float:
    return factor * statistics.median(ref_times or [1.0]) + slack


def _decided(rounds: int, ratio: float) -> bool:
    """Whether the rounds so far settle the verdict, given the student's median / allowance."""
    if ratio <= 1 / CLEAR or ratio > CLEAR:
        return True
    if rounds < ROUNDS:
        return False
    return not (1 / NEAR <= ratio <= NEAR)


def _timed_student(student: Student, name: str, args: tuple, ref_times: list[float],
                   factor: float, slack: float, workload: str, hint: str,
                   first: bool = False) -> tuple[float, object]:
    """Time one student call. Later rounds wait up to four allowances (at least 2 s), so a
    single hiccup cannot decide a median. The first round runs after one reference call and
    decides alone when the student is past CLEAR allowances (`_decided`), so it is stopped
    there: a call that would have run on fails exactly as it would have after finishing."""
    allowance = _allowance(ref_times, factor, slack)
    limit = max(4 * allowance, 2.0)
    if first and ref_times:
        limit = min(limit, CLEAR * allowance)
    try:
        return student.timed(name, *args, timeout=limit)
    except StudentTimeout:
        ref = statistics.median(ref_times or [0.0])
        student.speeds.append(limit / max(ref, 1e-9))  # a lower bound: the call was stopped
        fail(f"{name} is far too slow: one call on {workload} was stopped after {limit:.2f} s, "
             f"{limit / allowance:.1f}x what is accepted (up to {factor:g}x the reference's "
             f"{ref * 1000:.1f} ms plus {slack * 1000:.0f} ms)" + (f"\n{hint}" if hint else ""))
