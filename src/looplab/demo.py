"""`looplab demo`: check example submissions of a lesson and print their reports.

The examples come from the lesson's catalogue (`tests/hidden/lM_L/catalogue.py`: the entries
marked `example=`), so they always differ from the reference by exactly what they claim:
correct (written differently from the reference), buggy, slow where the lesson has one, and
untouched (the released notebook as students receive it).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from looplab import catalogue, lessons
from looplab.errors import UsageError


def examples(lesson: lessons.Lesson, root: Path) -> list[tuple[str, str | Path]]:
    """(kind, source text or file) for each example, the untouched release last."""
    found: list[tuple[str, str | Path]] = list(catalogue.examples(lesson, root))
    if lesson.release_notebook(root).exists():
        found.append(("untouched", lesson.release_notebook(root)))
    return found


def demo(lesson_id: str, *, as_json: bool = False, root: Path | None = None) -> int:
    from looplab.check import Checker
    from looplab.report import render_text

    lesson = lessons.get(lesson_id)
    root = root or lessons.course_root()
    if not (lesson.checks_dir(root) / "catalogue.py").exists():
        raise UsageError(f"lesson {lesson.id} has no catalogue of examples",
                         f"add {lesson.checks_dir(root).relative_to(root)}/catalogue.py (see docs/authoring-a-lesson.md)")
    chosen = examples(lesson, root)
    checker = Checker(root)
    try:
        with tempfile.TemporaryDirectory(prefix="looplab-demo-") as tmp:
            for i, (kind, source) in enumerate(chosen, 1):
                path = source if isinstance(source, Path) else Path(tmp) / f"{kind}.py"
                if not isinstance(source, Path):
                    path.write_text(source)
                shown = path.relative_to(root) if path.is_relative_to(root) else f"{kind}.py (from the catalogue)"
                print(f"[{i}/{len(chosen)}] checking the {kind} example...", file=sys.stderr, flush=True)
                report = checker.check(lesson.id, path)
                if as_json:
                    print(json.dumps({"example": kind, **report.to_dict()}))
                else:
                    print(f"\n=== {kind}: {shown} ===")
                    print(render_text(report), flush=True)
    finally:
        checker.close()
    return 0
