"""One result file per graded submission, written atomically.

A result is current when both the submission's digest and the digest of the
lesson's checks and reference match; anything else is graded again. Files are
written to a temporary name and renamed, so an interrupted run never leaves a
half-written result, and a resumed run picks up exactly where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from looplab.lessons import Lesson
from looplab.report import Report

NAME = "looplab-result.json"


def checks_digest(root: Path, lesson: Lesson) -> str:
    """Changes whenever the hidden checks or the reference solution change."""
    h = hashlib.sha256()
    files = sorted(lesson.checks_dir(root).rglob("*.py")) + sorted(lesson.checks_dir(root).glob("*.json"))
    for path in files + [lesson.solution(root)]:
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def folder(root: Path, lesson: Lesson, student: str) -> Path:
    return root / "autograded" / student / lesson.assignment


def path(root: Path, lesson: Lesson, student: str) -> Path:
    return folder(root, lesson, student) / NAME


def write_atomic(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def save(root: Path, lesson: Lesson, student: str, submission_digest: str, checks: str,
         report: Report) -> None:
    record = {"student": student, "assignment": lesson.assignment, "submission_digest": submission_digest,
              "checks_digest": checks, "report": report.to_dict()}
    write_atomic(path(root, lesson, student), json.dumps(record, indent=1))


def load(root: Path, lesson: Lesson, student: str) -> dict | None:
    try:
        return json.loads(path(root, lesson, student).read_text())
    except (OSError, ValueError):
        return None


def is_current(record: dict | None, submission_digest: str, checks: str) -> bool:
    return (bool(record) and record.get("submission_digest") == submission_digest
            and record.get("checks_digest") == checks)


def all_results(root: Path, lesson: Lesson) -> dict[str, dict]:
    """Every stored result of this assignment, by student (what `merge` folds in)."""
    found = {}
    for file in sorted((root / "autograded").glob(f"*/{lesson.assignment}/{NAME}")):
        try:
            found[file.parent.parent.name] = json.loads(file.read_text())
        except ValueError:
            continue
    return found
