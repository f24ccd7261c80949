"""`check`: grade one submission of one lesson and return its Report.

Pipeline: read the submission's cells -> fork a student process and a
reference process from a clean zygote -> run the lesson's hidden checks with
pytest in this process -> collect results into a Report.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

from looplab import lessons
from looplab.deferred import builtins_deferring
from looplab.report import CheckResult, Report, TaskResult
from looplab.sandbox.limits import Limits
from looplab.sandbox.runner import StudentFault, StudentProcess
from looplab.status import NOT_IMPLEMENTED
from looplab.submission import load_cells

_REFERENCES: dict[Path, ModuleType] = {}


def load_reference(path: Path) -> ModuleType:
    """Import a reference solution file once per process (trusted code). Its matplotlib
    import is deferred until something plots (`looplab.deferred`): no check draws."""
    if path not in _REFERENCES:
        spec = importlib.util.spec_from_file_location(f"looplab_reference_{len(_REFERENCES)}", path)
        module = importlib.util.module_from_spec(spec)
        module.__builtins__ = builtins_deferring()
        spec.loader.exec_module(module)
        _REFERENCES[path] = module
    return _REFERENCES[path]


def prepare(lesson_id: str, root: Path) -> None:
    """Do a checking process's share of the start-up, so that it overlaps the zygote's own
    torch import: import pytest, the check library (torch) and the reference solution, and
    count the lesson's points. Idempotent and cheap once done. Class grading runs it in the
    parent before forking its workers, so they inherit the work instead of each repeating it."""
    lesson = lessons.get(lesson_id)
    import pytest  # noqa: F401

    import looplab.checks  # noqa: F401 - imports torch
    load_reference(lesson.solution(root))
    max_points(lesson, root)


class Checker:
    """Reusable grading context: one zygote, forked before any tensor work.

    Create it early (right after `import torch`) and reuse it for many
    submissions; `close()` stops the zygote and everything it started.
    """

    def __init__(self, root: Path | None = None, sandbox: bool = True,
                 also_hide: tuple[str, ...] = (), zygote=None, warm: tuple[str, ...] = ()) -> None:
        """`zygote`: one already started (class grading starts them early, so their torch
        import overlaps the grader's own start-up); by default a fresh one is started, which
        imports `warm` (the lessons' `Lesson.warm`) before forking students' processes."""
        from looplab.sandbox.zygote import Zygote
        self.root = root or lessons.data_root()
        self.zygote = zygote or Zygote(str(self.root), sandbox=sandbox, also_hide=also_hide, warm=warm)
        self.sandbox = "bubblewrap" if self.zygote.sandboxed else self.zygote.why_not
        self._references: dict[str, StudentProcess] = {}

    def prepare(self, lesson_id: str) -> None:
        """`prepare(lesson_id, root)` for this checker's lessons; `check` calls it first."""
        prepare(lesson_id, self.root)

    def warm(self, lesson_id: str) -> None:
        """`prepare`, then start the lesson's reference process, so that the first
        submission a worker grades costs no more than the next ones."""
        lesson = lessons.get(lesson_id)
        self.prepare(lesson_id)
        self._reference(lesson, lesson.limits).start()

    def close(self) -> None:
        for process in self._references.values():
            process.stop()
        self.zygote.close()

    def _reference(self, lesson: lessons.Lesson, limits: Limits) -> StudentProcess:
        """The lesson's reference in a student-like process, kept for the checker's life.

        It is trusted code, so one process serves every submission; its time
        budget is reset for each. A dead one restarts on its next call.
        """
        process = self._references.get(lesson.id)
        if process is None or process.limits != limits:
            process = StudentProcess(self.zygote, load_cells(lesson.solution(self.root)), limits)
            self._references[lesson.id] = process
        process.used = 0.0
        return process

    def check(self, lesson_id: str, path: Path, limits: Limits | None = None, *,
              tasks: set[str] | None = None, calls: dict[str, set[str]] | None = None) -> Report:
        """Grade one submission. `tasks` limits grading to those tasks' checks; `calls`, when
        given, is filled with the student names each task's checks called (the kit's tests
        use both to grade a catalogued mistake only where it can reach)."""
        lesson = lessons.get(lesson_id)
        cells = load_cells(path)
        limits = limits or lesson.limits
        self.prepare(lesson.id)  # overlaps the zygote's start-up, if it is still starting
        report = Report(lesson=lesson.id, sandbox=self.sandbox, file=path.name)
        clock = time.perf_counter()
        student = StudentProcess(self.zygote, cells, limits)
        reference = self._reference(lesson, limits)
        try:
            try:
                student.start()
            except StudentFault as fault:
                return zero_report(report, lesson, self.root, fault.status,
                                   f"the submission could not be loaded: {fault.status}: {fault.message}")
            report.timings["load"] = time.perf_counter() - clock
            # start-up, not checking: the zygote may still be importing torch when asked
            report.timings["spawn"] = student.spawn_seconds
            report.notes += [c.note() for c in student.cell_outcomes if c.note()]
            _run_checks(report, lesson, self.root, student, reference, tasks, calls)
            report.notes[:0] = _whole_file_notes(report, lesson, path, student.defined)
            report.timings["student_code"] = student.used
            return report
        finally:
            student.stop()
            report.output = student.output.text()
            report.timings["total"] = time.perf_counter() - clock


def _whole_file_notes(report: Report, lesson: lessons.Lesson, path: Path, defined: list[str]) -> list[str]:
    """One note for a file with nothing to grade, instead of one line per task only."""
    graded = [report.tasks[t] for t in lesson.tasks if t in report.tasks]
    if report.notes:  # a cell raised or was stopped: that note says why
        return []
    if not any(task in defined for task in lesson.tasks):
        return [f"{path.name} defines none of lesson {lesson.id}'s functions "
                f"({', '.join(lesson.tasks)}): is it the right file for this lesson?"]
    if graded and all(t.status == NOT_IMPLEMENTED for t in graded):
        return [f"none of lesson {lesson.id}'s functions is written yet: each still raises "
                f"NotImplementedError, as in the untouched notebook"]
    return []


def _pytest_args(lesson: lessons.Lesson, root: Path) -> list[str]:
    sys.dont_write_bytecode = True  # never leave __pycache__ in the course directory
    unused = ("cacheprovider", "terminal", "warnings", "unraisableexception", "threadexception",
              "logging", "faulthandler", "doctest", "junitxml", "pastebin", "stepwise", "debugging")
    return [str(lesson.checks_dir(root)), *(f"-pno:{name}" for name in unused), "--assert=plain",
            "-c", str(Path(__file__).with_name("checks") / "pytest.ini"), "--rootdir", str(root / "tests")]


def _run_checks(report: Report, lesson: lessons.Lesson, root: Path, student: StudentProcess,
                reference: StudentProcess, tasks: set[str] | None = None,
                calls: dict[str, set[str]] | None = None) -> None:
    import pytest

    from looplab.checks.memo import memoised
    from looplab.checks.plugin import CheckSession
    from looplab.checks.student import Student
    from looplab.checks.threads import one_thread

    session = CheckSession(report, Student(student), memoised(load_reference(lesson.solution(root))),
                           Student(reference), only=tasks, calls=calls)
    for task in lesson.tasks:  # report tasks in the lesson's order
        if tasks is None or task in tasks:
            report.tasks[task] = TaskResult()
    with one_thread():  # the checks' own small-tensor work, on one thread like the student's
        code = pytest.main(_pytest_args(lesson, root), plugins=[session])
    if code not in (0, 1):
        raise RuntimeError(f"the hidden checks for lesson {lesson.id} could not run (pytest exit {code})")
    session.finish()


def zero_report(report: Report, lesson: lessons.Lesson, root: Path, status: str,
                message: str) -> Report:
    """Fill `report` with zero on every task, all with one status and message
    (a submission that could not be loaded, is missing or is unreadable)."""
    report.status = status
    report.notes.append(message)
    maxima = max_points(lesson, root)
    for task in lesson.tasks:
        result = report.tasks[task] = TaskResult(status=status)
        result.add(CheckResult("submission", False, 0.0, maxima.get(task, 0.0), message))
    return report


class _PointsCollector:
    def __init__(self) -> None:
        self.totals: dict[str, float] = {}

    def pytest_configure(self, config) -> None:
        from looplab.checks.marks import MARK
        config.addinivalue_line("markers", f"{MARK}(task, points): a graded check")

    def pytest_collection_modifyitems(self, items) -> None:
        from looplab.checks.marks import MARK
        for item in items:
            mark = item.get_closest_marker(MARK)
            if mark is not None:
                task = mark.kwargs["task"]
                self.totals[task] = self.totals.get(task, 0.0) + float(mark.kwargs["points"])


_MAX_POINTS: dict[tuple[str, Path], dict[str, float]] = {}


def max_points(lesson: lessons.Lesson, root: Path) -> dict[str, float]:
    """Points per task, from collecting the hidden checks without running them."""
    import pytest
    key = (lesson.id, root)
    if key not in _MAX_POINTS:
        collector = _PointsCollector()
        pytest.main(_pytest_args(lesson, root) + ["--collect-only"], plugins=[collector])
        _MAX_POINTS[key] = collector.totals
    return dict(_MAX_POINTS[key])


def check(lesson_id: str, path: Path, root: Path | None = None) -> Report:
    """Check one submission with a checker of its own."""
    checker = Checker(root, warm=lessons.get(lesson_id).warm)
    try:
        return checker.check(lesson_id, path)
    finally:
        checker.close()
