"""Fixtures for the kit's own tests.

`checker` is one grading context for the whole session (torch imported once,
one zygote); `grade` checks a source string as if a student had submitted it.
"""

from __future__ import annotations

import os

# One xdist worker per core: each worker, and the kernels it starts, computes on one thread,
# so that workers do not fight over the cores (the student processes already use one).
os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

import pytest  # noqa: E402

from looplab import lessons  # noqa: E402
from looplab.report import Report  # noqa: E402

ROOT = lessons.course_root()
REFERENCE_1_3 = lessons.get("1.3").solution(ROOT).read_text()


@pytest.fixture(scope="session")
def checker():
    from looplab.check import Checker
    c = Checker(ROOT)
    yield c
    c.close()


@pytest.fixture
def grade(checker, tmp_path: Path) -> Callable[..., Report]:
    def run(source: str, lesson: str = "1.3", name: str = "submission.py", limits=None,
            **options) -> Report:
        path = tmp_path / name
        path.write_text(source)
        return checker.check(lesson, path, limits=limits, **options)
    return run


def example(lesson_id: str, kind: str) -> str:
    """The source of a lesson's `looplab demo` example of this kind (from its catalogue)."""
    from looplab import catalogue
    return dict(catalogue.examples(lessons.get(lesson_id), ROOT))[kind]


def mutate(source: str, old: str, new: str, count: int = 1) -> str:
    """Replace `old` (which must occur exactly `count` times) with `new`."""
    assert source.count(old) == count, f"{old!r} occurs {source.count(old)} times, not {count}"
    return source.replace(old, new)


def failed_messages(report: Report, task: str) -> str:
    return "\n".join(c.message for c in report.tasks[task].checks if not c.passed)
