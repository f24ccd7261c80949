"""Shared pieces of the mistake catalogues (tests/kit/test_l*_mistakes.py).

A `Mistake` is a whole mistaken submission plus what must happen when it is
graded: its task loses points, a failure message there names the mistake, and
the tasks it cannot touch keep full marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import pytest

from conftest import failed_messages
from looplab.report import Report, render_text


@dataclass(frozen=True)
class Mistake:
    id: str
    task: str  # the task that must lose points
    source: str  # the whole mistaken submission
    named: str  # a distinctive piece of the failure message that names the mistake
    intact: tuple[str, ...]  # tasks that must keep full marks
    gap: str = ""  # why the checks miss this mistake today (the test is then a strict xfail)
    elsewhere: tuple[tuple[str, str], ...] = ()  # (task, substring): knock-on failures, named too

    def param(self):
        marks = [pytest.mark.xfail(strict=True, reason=self.gap)] if self.gap else []
        return pytest.param(self, id=f"{self.task}-{self.id}", marks=marks)


def others_of(tasks: tuple[str, ...]) -> Callable[..., tuple[str, ...]]:
    """`others(*affected)`: every task of the lesson except `affected`."""
    return lambda *affected: tuple(t for t in tasks if t not in affected)


def replace_function(source: str, name: str, new_def: str) -> str:
    """Replace the top-level `def name(...)` of `source` with `new_def`."""
    match = re.search(rf"^def {name}\(.*?(?=^\S|\Z)", source, flags=re.M | re.S)
    assert match, f"no top-level def {name} in the source"
    return source[:match.start()] + new_def.strip("\n") + "\n\n\n" + source[match.end():]


def replace_body(source: str, name: str, body: str) -> str:
    """Replace the code after the docstring of the top-level `def name(...)` with `body`."""
    match = re.search(rf'^def {name}\(.*?"""\n(.*?)(?=^\S|\Z)', source, flags=re.M | re.S)
    assert match, f"no top-level def {name} with a docstring in the source"
    return source[:match.start(1)] + body.strip("\n") + "\n\n\n" + source[match.end():]


def assert_caught(report: Report, mistake: Mistake) -> None:
    shown = render_text(report)
    task = report.tasks[mistake.task]
    assert task.score < task.max_score, f"{mistake.id}: {mistake.task} kept full marks\n{shown}"
    assert mistake.named in failed_messages(report, mistake.task), (
        f"{mistake.id}: no failure message on {mistake.task} names the mistake "
        f"(looked for {mistake.named!r})\n{shown}")
    for other, named in mistake.elsewhere:
        assert named in failed_messages(report, other), (
            f"{mistake.id}: the knock-on failure on {other} does not say {named!r}\n{shown}")
    for other in mistake.intact:
        result = report.tasks[other]
        assert result.score == result.max_score, (
            f"{mistake.id}: {other} lost points although the mistake does not touch it\n{shown}")
