"""`looplab start M.L`: copy a lesson's student notebook into a directory to work in.

The notebook comes from the lessons' files (`lessons.data_root()`: the checkout's
release/, or the copy inside an installed looplab). An existing file is never
overwritten: it may hold the student's work.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from looplab import lessons
from looplab.errors import UsageError


def start(lesson_id: str, directory: Path | None = None) -> Path:
    """Copy lesson `lesson_id`'s student notebook into `directory` (default: the current
    directory) and return its path. UsageError for an unknown lesson, a missing directory,
    or a file of that name already there."""
    lesson = lessons.get(lesson_id)
    source = lesson.release_notebook(lessons.data_root())
    where = directory or Path.cwd()
    if not where.is_dir():
        raise UsageError(f"{where} is not a directory", "create it first, or start in another one")
    target = where / source.name
    try:
        with source.open("rb") as src, target.open("xb") as dst:  # "x": never overwrite
            shutil.copyfileobj(src, dst)
    except FileExistsError:
        raise UsageError(f"{target} exists already; looplab start never overwrites it, "
                         f"it may hold your work",
                         f"open it and carry on (`looplab check {lesson.id} {source.name}` "
                         f"to check it), or start afresh in another directory") from None
    return target


def next_steps(lesson_id: str, notebook: Path) -> str:
    """What to do after `start`, as the lines to print."""
    lesson = lessons.get(lesson_id)
    name = notebook.name
    lines = [f"created {name} in {notebook.parent}: lesson {lesson.id}, {lesson.title}",
             "next:",
             f"  1. open it in Jupyter:   jupyter lab {name}",
             "  2. write each function where it says NotImplementedError, and run the check cell "
             "under it",
             f"  3. check it:             looplab check {lesson.id} {name}"]
    missing = _not_on_path(("jupyter", "looplab"))
    if "UV" in os.environ:  # uv sets it for what it runs (`uvx`, `uv run`); a later shell lacks it
        lines.append(f"you ran looplab through uv: run both commands the same way, e.g. "
                     f"`uvx --from ./dist/looplab-*.whl jupyter lab {name}`, "
                     f"or `uv run jupyter lab {name}` in a checkout")
    elif missing:
        lines.append(f"not on your PATH: this looplab's {' and '.join(missing)}; run them from "
                     f"{os.path.dirname(sys.executable)}, or the way you ran this command")
    return "\n".join(lines)


def _not_on_path(commands: tuple[str, ...]) -> list[str]:
    """The commands that PATH does not find in this Python environment's bin/."""
    bindir = os.path.realpath(os.path.dirname(sys.executable))
    return [c for c in commands if (found := shutil.which(c)) is None
            or os.path.dirname(os.path.realpath(found)) != bindir]
