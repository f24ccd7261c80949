"""`looplab demo`: check example submissions of a lesson and print their reports.

The examples come from the lesson's catalogue (`tests/hidden/lM_L/catalogue.py`: the entries
marked `example=`), so they always differ from the reference by exactly what they claim:
correct (written differently from the reference), buggy, slow where the lesson has one, and
untouched (the released notebook as students receive it).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Iterator

from looplab import catalogue, lessons
from looplab.errors import UsageError
from looplab.report import Report


def examples(lesson: lessons.Lesson, root: Path) -> list[tuple[str, str | Path]]:
    """(kind, source text or file) for each example, the untouched release last."""
    found: list[tuple[str, str | Path]] = list(catalogue.examples(lesson, root))
    if lesson.release_notebook(root).exists():
        found.append(("untouched", lesson.release_notebook(root)))
    return found


def demo(lesson_id: str, *, root: Path | None = None) -> Iterator[tuple[str, str, Report]]:
    """Check each example; yield (kind, what was checked, report) as each one is done."""
    from looplab.check import Checker

    lesson = lessons.get(lesson_id)
    root = root or lessons.data_root()
    if not (lesson.checks_dir(root) / "catalogue.py").exists():
        raise UsageError(f"lesson {lesson.id} has no catalogue of examples",
                         f"add {lesson.checks_dir(root).relative_to(root)}/catalogue.py (see docs/authoring-a-lesson.md)")
    chosen = examples(lesson, root)
    checker = Checker(root)
    try:
        with tempfile.TemporaryDirectory(prefix="looplab-demo-") as tmp:
            for kind, source in chosen:
                path = source if isinstance(source, Path) else Path(tmp) / f"{kind}.py"
                if not isinstance(source, Path):
                    path.write_text(source)
                shown = str(path.relative_to(root)) if path.is_relative_to(root) else f"{kind}.py (from the catalogue)"
                yield kind, shown, checker.check(lesson.id, path)
    finally:
        checker.close()
