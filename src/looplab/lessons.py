"""The registry of lessons: ids, titles, tasks, limits and where files live.

Each lesson declares itself in `tests/hidden/l<M>_<L>/lesson.json` (id, title, its
tasks in report order, limits that differ from the defaults, and "warm": modules the
sandbox imports before forking students' processes because graded calls use them, such as
matplotlib.pyplot for a lesson that grades a plot; see `looplab.sandbox.zygote.PRELOAD`).

The lessons' files (release/, solutions/, tests/hidden/) live under `data_root()`: the
source checkout when looplab runs from one (authors edit them in place), else the copy
that the wheel carries inside the package, `looplab/_data/`. An instructor's course
directory (submitted/, the gradebook) is another place: see `looplab.course`.

One task id everywhere: a task is the name of the function the student writes.
The assignment for lesson M.L is called `lesson-M.L` in every nbgrader folder.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from looplab.errors import UsageError
from looplab.sandbox.limits import Limits


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    tasks: tuple[str, ...]
    limits: Limits = field(default_factory=Limits)
    warm: tuple[str, ...] = ()

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


def _discover(root: Path) -> dict[str, Lesson]:
    """Lessons declared by `tests/hidden/<package>/lesson.json`, sorted by id."""
    found = []
    for path in sorted((root / "tests" / "hidden").glob("*/lesson.json")):
        meta = json.loads(path.read_text())
        found.append(Lesson(meta["id"], meta["title"], tuple(meta["tasks"]),
                            replace(Limits(), **meta.get("limits", {})), tuple(meta.get("warm", ()))))
    found.sort(key=lambda lesson: tuple(int(part) for part in lesson.id.split(".")))
    return {lesson.id: lesson for lesson in found}


_PACKAGE = Path(__file__).resolve().parent


def checkout() -> Path | None:
    """The source checkout this package runs from (`src/looplab` in it), or None when installed."""
    root = _PACKAGE.parents[1]
    if _PACKAGE.parent.name == "src" and (root / "pyproject.toml").is_file() \
            and (root / "tests" / "hidden").is_dir():
        return root
    return None


def data_root() -> Path:
    """Where the lessons' files live: the checkout's own, else the installed package's `_data/`.

    Raises RuntimeError when neither holds the lessons (a wheel built without them).
    """
    root = checkout() or _PACKAGE / "_data"
    if not (root / "tests" / "hidden").is_dir():
        raise RuntimeError(f"looplab's lessons are missing: no tests/hidden/ in {root}; "
                           f"reinstall looplab from a wheel built with `uv build`")
    return root


def require_checkout(what: str) -> Path:
    """The checkout, or a UsageError saying that `what` edits one and needs one."""
    root = checkout()
    if root is None:
        raise UsageError(f"{what} edits the course's source files, and this looplab is installed "
                         f"from a wheel, without them",
                         "run it in a clone of looplab's repository (`uv run looplab ...` there)")
    return root


LESSONS: dict[str, Lesson] = _discover(data_root())


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

