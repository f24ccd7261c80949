"""The registry of lessons: ids, titles, tasks, limits and where files live.

One task id everywhere: a task is the name of the function the student writes.
The assignment for lesson M.L is called `lesson-M.L` in every nbgrader folder.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from looplab.errors import UsageError
from looplab.sandbox.limits import Limits


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    tasks: tuple[str, ...]
    limits: Limits = field(default_factory=Limits)

    @property
    def assignment(self) -> str:
        return f"lesson-{self.id}"

    def source_notebook(self, root: Path) -> Path:
        return root / "source" / self.assignment / f"{self.assignment}.ipynb"

    def release_notebook(self, root: Path) -> Path:
        return root / "release" / self.assignment / f"{self.assignment}.ipynb"

    def solution(self, root: Path) -> Path:
        return root / "solutions" / f"{self.assignment}.py"

    def checks_dir(self, root: Path) -> Path:
        return root / "tests" / "hidden" / f"l{self.id.replace('.', '_')}"

    def examples_dir(self, root: Path) -> Path:
        return root / "examples" / self.assignment


LESSONS: dict[str, Lesson] = {
    lesson.id: lesson for lesson in [
        Lesson("1.3", "Batch vs stochastic vs mini-batch gradient descent",
               ("minibatch_indices", "train_batch", "train_stochastic",
                "train_minibatch", "epochs_to_target", "noise_floor")),
    ]
}


def get(lesson_id: str) -> Lesson:
    """The lesson with this id, or a UsageError that lists the ones that exist."""
    lesson_id = lesson_id.removeprefix("lesson-")
    if lesson_id in LESSONS:
        return LESSONS[lesson_id]
    known = ", ".join(LESSONS)
    close = difflib.get_close_matches(lesson_id, LESSONS, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise UsageError(f"unknown lesson {lesson_id!r}",
                     f"{hint}lessons with assignments: {known} (see `looplab lessons`)")


def course_root() -> Path:
    """The course directory: the checkout that holds this package."""
    return Path(__file__).resolve().parents[2]
