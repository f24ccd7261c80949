"""The pytest plugin that runs a lesson's hidden checks on one submission.

It provides the `student`, `reference` and `reference_process` fixtures and
turns every check's outcome into a `CheckResult` on the right task. Checks run
in this (the checker's) process; only plain data comes back from the student.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from looplab.checks.compare import likely, named_mistakes
from looplab.checks.faults import known_cause
from looplab.checks.marks import MARK
from looplab.checks.student import Student
from looplab.report import CheckResult, Curve, Report, TaskResult
from looplab.sandbox.runner import StudentError, StudentFault
from looplab.status import ERROR, MISSING, NOT_IMPLEMENTED, worst


class CheckSession:
    def __init__(self, report: Report, student: Student, reference: ModuleType,
                 reference_student: Student, *, only: set[str] | None = None,
                 calls: dict[str, set[str]] | None = None) -> None:
        self.report, self._student = report, student
        self._reference, self._reference_student = reference, reference_student
        self._only = only  # run only these tasks' checks (None: all)
        self._calls = calls  # when given: task -> the student's names its checks called
        self._faults: dict[str, list[str | None]] = {}  # per check: the own fault's status, or None

    # -- fixtures ------------------------------------------------------------
    @pytest.fixture
    def student(self) -> Student:
        return self._student

    @pytest.fixture
    def reference(self) -> ModuleType:
        return self._reference

    @pytest.fixture
    def reference_process(self) -> Student:
        return self._reference_student

    @pytest.fixture
    def record_curve(self):
        """`record_curve(task, title, student, reference)`: keep two curves for the feedback plot."""
        def record(task: str, title: str, student: list[float], reference: list[float]) -> None:
            if len(self.report.curves) < 12:
                self.report.curves.append(Curve(task, title, [float(v) for v in student],
                                                [float(v) for v in reference]))
        return record

    # -- hooks ---------------------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", f"{MARK}(task, points): a graded check")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if self._only is None:
            return
        keep = [i for i in items if _task(i) in self._only]
        config.hook.pytest_deselected(items=[i for i in items if _task(i) not in self._only])
        items[:] = keep

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        if self._calls is None:
            yield
            return
        self._student.called = set()
        try:
            yield
        finally:
            self._calls.setdefault(_task(item), set()).update(self._student.called)
            self._student.called = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
        """Record the check's result; build a cheap TestReport instead of pytest's.

        pytest's own report formats a traceback with source for every failure,
        which costs more than most checks; the report's message is ours anyway.
        """
        failed = call.excinfo is not None
        mark = item.get_closest_marker(MARK)
        if mark is not None and (call.when == "call" or failed):
            task, pts = mark.kwargs["task"], float(mark.kwargs["points"])
            message = self._message(task, call.excinfo) if failed else ""
            result = self.report.tasks.setdefault(task, TaskResult())
            speeds, self._student.speeds[:] = list(self._student.speeds), []
            result.add(CheckResult(_title(item), not failed, 0.0 if failed else pts, pts, message,
                                   named_mistakes(message), max(speeds, default=None)))
        return pytest.TestReport(item.nodeid, item.location, {}, "failed" if failed else "passed",
                                 str(call.excinfo.value)[:500] if failed else None, call.when,
                                 duration=call.duration, start=call.start, stop=call.stop)

    def _message(self, task: str, excinfo: pytest.ExceptionInfo | None) -> str:
        if excinfo is None:
            return "failed"
        exc = excinfo.value
        faults = self._faults.setdefault(task, [])
        if isinstance(exc, StudentFault):
            own = exc.function in (None, task)
            faults.append(fault_status(exc) if own else None)
            if own and exc.status != ERROR:
                self._set_status(task, exc.status)
            prefix = "" if own else f"your {exc.function} failed here: "
            return prefix + _fault_message(exc)
        cause = exc.__cause__
        own_cause = isinstance(cause, StudentFault) and cause.function in (None, task)
        faults.append(fault_status(cause) if own_cause else None)
        if isinstance(exc, pytest.fail.Exception):
            return str(exc.msg)
        if isinstance(exc, AssertionError):
            return str(exc).split("\nassert ")[0]
        return f"the check itself failed on your result ({type(exc).__name__}: {exc})"

    def _set_status(self, task: str, status: str) -> None:
        result = self.report.tasks.setdefault(task, TaskResult())
        result.status = worst(result.status, status)

    def finish(self) -> None:
        """A task whose every check hit a fault in its own code takes the faults' status
        (`not_implemented`, `missing` or `error`); the report takes its tasks' worst."""
        for task, result in self.report.tasks.items():
            faults = self._faults.get(task, [])
            if result.checks and len(faults) == len(result.checks) and all(faults):
                result.status = worst(result.status, *faults)
        self.report.status = worst(self.report.status, *(t.status for t in self.report.tasks.values()))


def fault_status(exc: StudentFault) -> str:
    """The status word for one fault of the student's code."""
    if isinstance(exc, StudentError) and exc.status == ERROR:
        if exc.type == "NotImplementedError":
            return NOT_IMPLEMENTED
        if exc.kind == "missing":
            return MISSING
    return exc.status


def _task(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker(MARK)
    return mark.kwargs["task"] if mark is not None else None


def _title(item: pytest.Item) -> str:
    name = item.name.removeprefix("test_")
    return name.replace("_", " ")


def _fault_message(exc: StudentFault) -> str:
    if isinstance(exc, StudentError):
        if exc.type == "NotImplementedError":
            return "not implemented: the function still raises NotImplementedError"
        if exc.kind == "missing":
            return f"not defined: {exc.message.split(': ', 1)[-1]}; keep the function's name from the stub"
        tail = _last_frames(exc.detail)
        return (f"your code raised {exc.message}" + (f"\n{tail}" if tail else "")
                + likely(known_cause(exc)))
    return f"{exc.status}: {exc.message}"


def _last_frames(traceback_text: str, n: int = 4) -> str:
    lines = [ln for ln in traceback_text.strip().splitlines() if ln.strip()]
    return "\n".join(lines[-n:-1]) if len(lines) > 1 else ""
