"""Speed against the reference, measured from the checker's side.

Both functions run in sandboxed processes of the same kind and are timed by
the checker around the whole call, so a student cannot touch the clock. Runs
are interleaved (reference first on even rounds, student first on odd ones),
every round gets fresh inputs (no caching across rounds), and the medians are
compared with a wide margin, because shared machines are noisy.
"""

from __future__ import annotations

import statistics
from typing import Callable

from looplab.checks.compare import roughly_equal
from looplab.checks.expect import fail
from looplab.checks.student import Student
from looplab.sandbox.runner import StudentTimeout


def assert_not_much_slower(student: Student, reference: Student, name: str,
                           make_args: Callable[[int], tuple], *, rounds: int = 3,
                           factor: float = 8.0, slack: float = 0.03, workload: str = "",
                           hint: str = "") -> None:
    """Fail if the student's median time exceeds factor x reference + slack seconds."""
    ref_times: list[float] = []
    stu_times: list[float] = []
    wrong = 0
    for r in range(rounds):
        args = make_args(r)
        order = ("ref", "stu") if r % 2 == 0 else ("stu", "ref")
        answers = {}
        for who in order:
            if who == "ref":
                seconds, answers["ref"] = reference.timed(name, *args, timeout=60)
                ref_times.append(seconds)
                continue
            limit = factor * statistics.median(ref_times or [1.0]) + slack
            try:
                seconds, answers["stu"] = student.timed(name, *args, timeout=max(4 * limit, 2.0))
                stu_times.append(seconds)
            except StudentTimeout:
                fail(f"{name} is far too slow: one call on {workload} did not finish in "
                     f"{max(4 * limit, 2.0):.2f} s; the reference needs {statistics.median(ref_times or [0]):.3f} s"
                     + (f"\n{hint}" if hint else ""))
        wrong += not roughly_equal(answers["stu"], answers["ref"])
        if stu_times[-1] > 4 * limit and len(ref_times) >= 1:
            break  # clearly too slow: no need to spend more time
    if wrong:
        fail(f"{name}'s results on {workload} differ from the reference's on the same inputs, "
             f"so its speed cannot be credited: a fast wrong answer is not fast (fix the results first)")
    ref, stu = statistics.median(ref_times), statistics.median(stu_times)
    if stu > factor * ref + slack:
        fail(f"{name} took {stu * 1000:.1f} ms (median) on {workload}; the reference takes "
             f"{ref * 1000:.1f} ms, and up to {factor:g}x that plus {slack * 1000:.0f} ms is accepted"
             + (f"\n{hint}" if hint else ""))
