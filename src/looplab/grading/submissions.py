"""Find the submissions of one assignment in nbgrader's layout.

`submitted/<student>/<assignment>/` holds what `nbgrader collect` (or a zip
import) left: the lesson's notebook, or any single notebook or .py file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from looplab.errors import UsageError
from looplab.lessons import Lesson


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path | None  # None when the folder holds nothing gradable
    submission_digest: str  # sha256 of the file: a resubmission changes it


def _pick(folder: Path, lesson: Lesson) -> Path | None:
    preferred = folder / f"{lesson.assignment}.ipynb"
    if preferred.is_file():
        return preferred
    candidates = sorted(folder.glob("*.ipynb")) or sorted(folder.glob("*.py"))
    return candidates[0] if len(candidates) == 1 else None


def find(root: Path, lesson: Lesson) -> list[Submission]:
    """Every student folder that has this assignment, sorted by student id."""
    base = root / "submitted"
    if not base.is_dir():
        raise UsageError(f"{base} does not exist",
                         "collect submissions first (`nbgrader collect` or `nbgrader zip_collect`)")
    found = []
    for folder in sorted(p for p in base.glob(f"*/{lesson.assignment}") if p.is_dir()):
        path = _pick(folder, lesson)
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path else ""
        found.append(Submission(folder.parent.name, path, digest))
    return found


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N' with 1 <= K <= N, or a UsageError."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text!r} is not of the form K/N", "e.g. --shard 2/8") from None
    if not 1 <= k <= n:
        raise UsageError(f"--shard {text}: K must be between 1 and N", "e.g. --shard 2/8")
    return k, n


def shard(submissions: list[Submission], k: int, n: int) -> list[Submission]:
    """The K-th of N disjoint slices; together the slices cover every submission."""
    return [s for i, s in enumerate(sorted(submissions, key=lambda s: s.student)) if i % n == k - 1]
