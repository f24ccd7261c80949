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
from looplab.report import CheckResult, Report, TaskResult
from looplab.sandbox.limits import Limits
from looplab.sandbox.runner import StudentFault, StudentProcess
from looplab.submission import load_cells

_REFERENCES: dict[Path, ModuleType] = {}


def load_reference(path: Path) -> ModuleType:
    """Import a reference solution file once per process (trusted code)."""
    if path not in _REFERENCES:
        spec = importlib.util.spec_from_file_location(f"looplab_reference_{len(_REFERENCES)}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _REFERENCES[path] = module
    return _REFERENCES[path]


class Checker:
    """Reusable grading context: one zygote, forked before any tensor work.

    Create it early (right after `import torch`) and reuse it for many
    submissions; `close()` stops the zygote and everything it started.
    """

    def __init__(self, root: Path | None = None) -> None:
        from looplab.sandbox.zygote import Zygote
        self.root = root or lessons.course_root()
        self.zygote = Zygote(str(self.root))

    def close(self) -> None:
        self.zygote.close()

    def check(self, lesson_id: str, path: Path, limits: Limits | None = None) -> Report:
        lesson = lessons.get(lesson_id)
        cells = load_cells(path)
        limits = limits or lesson.limits
        report = Report(lesson=lesson.id)
        clock = time.perf_counter()
        student = StudentProcess(self.zygote, cells, limits)
        reference = StudentProcess(self.zygote, load_cells(lesson.solution(self.root)), limits)
        try:
            try:
                student.start()
            except StudentFault as fault:
                return _unloadable(report, lesson, fault, self.root)
            report.timings["load"] = time.perf_counter() - clock
            report.notes += [f"{c.name} raised {c.error}" for c in student.cell_outcomes if c.error]
            _run_checks(report, lesson, self.root, student, reference)
            report.timings["student_code"] = student.used
            return report
        finally:
            student.stop()
            reference.stop()
            report.output = student.output.text()
            report.timings["total"] = time.perf_counter() - clock


def _run_checks(report: Report, lesson: lessons.Lesson, root: Path,
                student: StudentProcess, reference: StudentProcess) -> None:
    import pytest

    from looplab.checks.plugin import CheckSession
    from looplab.checks.student import Student

    session = CheckSession(report, Student(student), load_reference(lesson.solution(root)),
                           Student(reference))
    for task in lesson.tasks:  # report tasks in the lesson's order
        report.tasks[task] = TaskResult()
    sys.dont_write_bytecode = True
    args = [str(lesson.checks_dir(root)), "-p", "no:cacheprovider", "-p", "no:terminal",
            "-p", "no:warnings", "-c", str(Path(__file__).with_name("checks") / "pytest.ini"),
            "--rootdir", str(root / "tests")]
    code = pytest.main(args, plugins=[session])
    if code not in (0, 1):
        raise RuntimeError(f"the hidden checks for lesson {lesson.id} could not run (pytest exit {code})")
    session.finish()


def _unloadable(report: Report, lesson: lessons.Lesson, fault: StudentFault, root: Path) -> Report:
    """Every task scores zero with the load failure's status."""
    report.status = fault.status
    report.notes.append(f"the submission could not be loaded: {fault.message}")
    maxima = _max_points(lesson, root)
    for task in lesson.tasks:
        result = report.tasks[task] = TaskResult(status=fault.status)
        result.add(CheckResult("submission loads", False, 0.0, maxima.get(task, 0.0),
                               f"{fault.status}: {fault.message}"))
    return report


def _max_points(lesson: lessons.Lesson, root: Path) -> dict[str, float]:
    """Points per task, read from the hidden checks' marks without running them."""
    import ast
    totals: dict[str, float] = {}
    for path in sorted(lesson.checks_dir(root).glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "points"
                    and len(node.args) == 2 and all(isinstance(a, ast.Constant) for a in node.args)):
                task, pts = node.args[0].value, float(node.args[1].value)
                totals[task] = totals.get(task, 0.0) + pts
    return totals


def check(lesson_id: str, path: Path, root: Path | None = None) -> Report:
    """Check one submission with a checker of its own."""
    checker = Checker(root)
    try:
        return checker.check(lesson_id, path)
    finally:
        checker.close()
