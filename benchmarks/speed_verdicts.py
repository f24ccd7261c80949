"""How often a speed check's verdict flips between two runs, near its boundary.

`looplab.checks.timing.assert_not_much_slower` passes a student whose median time is at
most factor x the reference's + slack. Its rounds used to be fixed (three, interleaved);
now they stop as soon as the verdict is clear and spend more rounds near the boundary, and
a first student call past twice the allowance is stopped there (the round fails either way).
This script measures whether that made verdicts near the boundary less repeatable.

The reference and "student" are two sandboxed processes from one zygote, as in grading.
The reference repeats a small matrix product R times; a student repeats it k x R times,
for k at several fractions of the allowance (factor 8, slack 30 ms; k near 8 sits on the
boundary). For each k the check runs --runs times under each policy, the two policies
interleaved run by run; a flip is two consecutive runs of one policy with different
verdicts. Printed per k and policy: pass rate, flip rate, and the median rounds and time
one check took.

Run:  uv run python benchmarks/speed_verdicts.py [--runs 20] [--fractions 0.6 0.9 1.0 1.1 1.5 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

FACTOR, SLACK = 8.0, 0.03
REPS = 40  # the reference's products per call: a few milliseconds

SOURCE = '''
import torch

def work(x: torch.Tensor, reps: int) -> float:
    y = x
    for _ in range(reps):
        y = torch.tanh(x @ y)
    return float(x.shape[0])  # the same answer for any reps: only the time differs
'''


def main() -> int:
    import torch  # noqa: F401 - before the zygote, as the checker does

    from looplab.checks import timing
    from looplab.checks.student import Student
    from looplab.sandbox.limits import Limits
    from looplab.sandbox.runner import StudentProcess
    from looplab.sandbox.zygote import Zygote

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="checks per policy and fraction (default 20)")
    parser.add_argument("--fractions", type=float, nargs="*", default=[0.6, 0.9, 1.0, 1.1, 1.5, 3.0],
                        help="student work as a fraction of the allowance (default 0.6 0.9 1.0 1.1 1.5 3)")
    args = parser.parse_args()

    zygote = Zygote(str(ROOT))
    cells = [{"name": "work", "source": SOURCE, "answer": True}]
    limits = Limits(total_seconds=10_000)
    reference_process = StudentProcess(zygote, cells, limits)
    student_process = StudentProcess(zygote, cells, limits)
    adaptive, clear = timing._decided, timing.CLEAR

    def fixed(rounds: int, ratio: float) -> bool:  # the old policy: always three rounds
        return rounds >= timing.ROUNDS

    # (when rounds stop, CLEAR): the old policy never cut a first call short, which the
    # adaptive one does past CLEAR allowances (an infinite CLEAR turns that off)
    policies = {"fixed 3 rounds": (fixed, float("inf")), "adaptive 1-5": (adaptive, clear)}
    try:
        reference, student = Student(reference_process), Student(student_process)

        def make_args(reps: int):
            return lambda r: (torch.randn(64, 64, generator=torch.Generator().manual_seed(r)) / 8, reps)

        # calibrate: the reference's median time, then the student's time as a line in reps
        # (a fixed cost per call, mostly the round trip, plus a cost per product)
        ref_times = [reference.timed("work", *make_args(REPS)(r), timeout=60)[0] for r in range(7)]
        allowance = FACTOR * statistics.median(ref_times) + SLACK
        few, many = REPS, REPS * 40
        t_few = statistics.median(student.timed("work", *make_args(few)(r), timeout=60)[0] for r in range(7))
        t_many = statistics.median(student.timed("work", *make_args(many)(r), timeout=60)[0] for r in range(7))
        per_rep = (t_many - t_few) / (many - few)
        fixed_cost = max(0.0, t_few - per_rep * few)
        print(f"reference call: {statistics.median(ref_times) * 1000:.1f} ms; allowance "
              f"{allowance * 1000:.0f} ms (x{FACTOR:g} + {SLACK * 1000:.0f} ms); a student call costs "
              f"{fixed_cost * 1000:.1f} ms + {per_rep * 1e6:.0f} us per product\n")
        print(f"{'fraction':>8}  {'policy':<15} {'pass rate':>9} {'flip rate':>9} {'rounds':>6} {'check s':>7}")
        for fraction in args.fractions:
            student_reps = max(1, round((fraction * allowance - fixed_cost) / per_rep))
            verdicts: dict[str, list[bool]] = {name: [] for name in policies}
            rounds: dict[str, list[int]] = {name: [] for name in policies}
            seconds: dict[str, list[float]] = {name: [] for name in policies}
            for run in range(args.runs):
                for name in (list(policies) if run % 2 == 0 else list(reversed(policies))):
                    decided, timing.CLEAR = policies[name]
                    timing._decided = _counting(decided, rounds[name])
                    start, counted = time.perf_counter(), len(rounds[name])
                    try:
                        _check(timing, student, reference, REPS, student_reps, make_args)
                        verdicts[name].append(True)
                    except AssertionError:
                        verdicts[name].append(False)
                    seconds[name].append(time.perf_counter() - start)
                    if len(rounds[name]) == counted:  # the first call was stopped: one round
                        rounds[name].append(1)
            for name in policies:
                v = verdicts[name]
                flips = sum(a != b for a, b in zip(v, v[1:])) / max(1, len(v) - 1)
                print(f"{fraction:8.2f}  {name:<15} {sum(v) / len(v):9.2f} {flips:9.2f} "
                      f"{statistics.median(rounds[name]):6.0f} {statistics.median(seconds[name]):7.2f}")
    finally:
        timing._decided, timing.CLEAR = adaptive, clear
        student_process.stop()
        reference_process.stop()
        zygote.close()
    return 0


def _counting(policy, record: list[int]):
    """The policy, noting how many rounds each check ended after."""
    def decided(rounds: int, ratio: float) -> bool:
        done = policy(rounds, ratio) or rounds >= 5
        if done:
            record.append(rounds)
        return done
    return decided


class _Failed(AssertionError):
    pass


def _check(timing, student, reference, ref_reps: int, student_reps: int, make_args) -> None:
    """One speed check: the reference's `work` with ref_reps, the student's with student_reps."""
    class Both:  # each side's own reps, the same matrices
        def __init__(self, who, reps):
            self.who, self.reps = who, reps

        def timed(self, name, x, _reps, timeout):
            return self.who.timed(name, x, self.reps, timeout=timeout)

        def __getattr__(self, name):  # anything else (the recorded speeds) is the side's own
            return getattr(self.who, name)

    original_fail = timing.fail

    def fail(message: str):
        raise _Failed(message)

    timing.fail = fail
    try:
        timing.assert_not_much_slower(Both(student, student_reps), Both(reference, ref_reps), "work",
                                      make_args(ref_reps), factor=FACTOR, slack=SLACK, workload="the probe")
    finally:
        timing.fail = original_fail


if __name__ == "__main__":
    sys.exit(main())
