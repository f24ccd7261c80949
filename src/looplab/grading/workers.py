"""Worker processes: each imports torch and the checks once, then grades many.

The parent imports torch before forking the pool, so workers start with it;
each worker keeps one `Checker` (one sandboxed zygote) for its whole life. A
submission's result and its per-submission files are written by the worker
that graded it, atomically, before the parent hears about it.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass
from pathlib import Path

from looplab.errors import UsageError
from looplab.check import zero_report
from looplab.report import Report
from looplab.status import ERROR

_CHECKER = None


@dataclass(frozen=True)
class Job:
    course: str
    lesson: str
    student: str
    path: str
    submission_digest: str
    checks: str


_SETUP: tuple = ()
# Handles on the zygote the parent started before forking the pool (`start_zygotes`), so that
# its torch import overlapped the parent's; each worker takes one by the index it gets.
ZYGOTES: list = []


def start_zygotes(root: str, course: str, sandbox: bool, n: int, warm: tuple[str, ...] = ()) -> list:
    """Start one sandboxed zygote for n workers now, in the parent, without waiting for it:
    one torch import instead of n, while the parent and then the workers start up."""
    from looplab.sandbox.zygote import Zygote
    ZYGOTES[:] = Zygote(root, sandbox=sandbox, also_hide=(course,), clients=n,
                         warm=warm).handles()
    return ZYGOTES


def release_zygotes() -> None:
    """The parent's side, once every worker has forked: drop its copies of their sockets."""
    for zygote in ZYGOTES:
        zygote.forget()
    ZYGOTES.clear()


def init(root: str, course: str, sandbox: bool, lesson: str, slots=None) -> None:
    """Pool initializer: ignore Ctrl-C (the parent handles it), take a zygote (or start
    one), and warm the checker up for `lesson` before the first submission arrives."""
    global _SETUP
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _SETUP = (root, course, sandbox, lesson)
    zygote = None
    if slots is not None and ZYGOTES:
        mine = slots.get()
        for index, other in enumerate(ZYGOTES):
            if index != mine:
                other.forget()  # another worker's: this process must not hold it open
        zygote = ZYGOTES[mine]
    ZYGOTES.clear()
    _restart(zygote)
    try:
        _CHECKER.warm(lesson)
    except Exception:  # noqa: BLE001 - the first submission will meet (and report) it
        pass


def _restart(zygote=None) -> None:
    global _CHECKER
    from looplab.check import Checker
    if _CHECKER is not None:
        try:
            _CHECKER.close()
        except Exception:  # noqa: BLE001 - it is being replaced because it broke
            pass
    from looplab import lessons
    root, course, sandbox, lesson = _SETUP
    _CHECKER = Checker(Path(root), sandbox=sandbox, also_hide=(course,), zygote=zygote,
                       warm=lessons.get(lesson).warm)


def _check(job: Job) -> Report:
    """Check one submission; if the checker itself breaks (its sandbox died, say),
    start a fresh one and try once more, so one failure never poisons the rest."""
    try:
        return _CHECKER.check(job.lesson, Path(job.path))
    except UsageError:
        raise
    except Exception:  # noqa: BLE001 - anything but a student fault is the checker's
        _restart()
        return _CHECKER.check(job.lesson, Path(job.path))


def grade(job: Job) -> tuple[str, dict]:
    """Grade one submission, store its files; return (student, report dict)."""
    from looplab import lessons
    from looplab.grading import outputs, results
    start = time.perf_counter()
    lesson = lessons.get(job.lesson)
    try:
        report = _check(job)
    except UsageError as err:
        report = zero_report(Report(lesson.id, sandbox=_CHECKER.sandbox), lesson, _CHECKER.root,
                             ERROR, f"{err.message} ({err.hint})")
    outputs.per_submission(Path(job.course), lesson, job.student, report, Path(job.path))
    # everything this worker spent on the submission; minus timings["total"] (the check
    # itself) it is the per-submission overhead of class grading
    report.timings["worker"] = time.perf_counter() - start
    # the result file goes last: it marks the submission as graded for a resumed run
    results.save(Path(job.course), lesson, job.student, job.submission_digest, job.checks, report)
    return job.student, report.to_dict()
