"""`looplab demo`: check the bundled example submissions and print their reports.

The examples show the four kinds of submission an instructor meets: correct
(written differently from the reference), buggy, slow, and untouched (the
released notebook as students receive it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from looplab import lessons
from looplab.errors import UsageError


def examples(lesson: lessons.Lesson, root: Path) -> list[tuple[str, Path]]:
    folder = lesson.examples_dir(root)
    order = {"correct": 0, "buggy": 1, "slow": 2}
    files = sorted(folder.glob("*.py"), key=lambda p: (order.get(p.stem, 9), p.stem)) if folder.is_dir() else []
    found = [(p.stem, p) for p in files]
    found.append(("untouched", lesson.release_notebook(root)))
    return [(name, path) for name, path in found if path.exists()]


def demo(lesson_id: str, *, as_json: bool = False, root: Path | None = None) -> int:
    from looplab.check import Checker
    from looplab.report import render_text

    lesson = lessons.get(lesson_id)
    root = root or lessons.course_root()
    chosen = examples(lesson, root)
    if not chosen:
        raise UsageError(f"lesson {lesson.id} has no example submissions",
                         f"add some to {lesson.examples_dir(root).relative_to(root)}/")
    checker = Checker(root)
    try:
        for i, (name, path) in enumerate(chosen, 1):
            print(f"[{i}/{len(chosen)}] checking the {name} example ({path.relative_to(root)})...",
                  file=sys.stderr, flush=True)
            report = checker.check(lesson.id, path)
            if as_json:
                print(json.dumps({"example": name, **report.to_dict()}))
            else:
                print(f"\n=== {name}: {path.relative_to(root)} ===")
                print(render_text(report), flush=True)
    finally:
        checker.close()
    return 0
