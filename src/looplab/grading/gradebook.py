"""Fold stored results into nbgrader's gradebook, so formgrader, `nbgrader
export` and `nbgrader generate_feedback` see looplab's scores.

Every task's score goes to its test cell's grade (`test_<task>`), whatever the
submitted notebook contains, so a resubmission replaces every old score. Each
student's grades are committed in one transaction; running it again is
harmless (it sets the same values). `looplab grade` writes each result as it comes
in (`Writer`), and its merge writes the rest.
"""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path

from looplab.errors import UsageError
from looplab.lessons import Lesson


def nbgrader_api():
    """`nbgrader.api`, imported about 1 s faster than a plain import.

    nbgrader imports nbformat, whose jsonschema registers a checker for every string format
    it can; for "iri" it imports rfc3987_syntax, which builds an Earley parser from a grammar
    at import time: about 1 s of the 1.9 s `import nbgrader.api` takes on a 2-core machine.
    No notebook or gradebook schema uses that format, so it is kept out while nbgrader loads
    (a None in sys.modules makes the import fail, and jsonschema skips that one checker), and
    allowed again afterwards.
    """
    if "nbgrader.api" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None
        try:
            import nbgrader.api
        finally:
            if sys.modules.get("rfc3987_syntax", 0) is None:
                del sys.modules["rfc3987_syntax"]
    import nbgrader.api
    return nbgrader.api


def db_url(root: Path) -> str:
    return f"sqlite:///{root / 'gradebook.db'}"


def _timestamp(root: Path, lesson: Lesson, student: str) -> str | None:
    stamp = root / "submitted" / student / lesson.assignment / "timestamp.txt"
    return stamp.read_text().strip() if stamp.is_file() else None


def require_assignment(root: Path, lesson: Lesson) -> None:
    """UsageError unless the gradebook exists and knows the assignment (checked before grading).

    Read with sqlite3 directly, read-only: importing nbgrader costs seconds, and grading can
    start without it (`grading.run` imports it in the background for the merge)."""
    import sqlite3
    hint = (f"run `uv run nbgrader generate_assignment {lesson.assignment} --force` in {root} "
            f"once; it records the assignment's graded cells")
    path = root / "gradebook.db"
    if not path.is_file():
        raise UsageError(f"{path} does not exist", hint)
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            found = db.execute("SELECT 1 FROM assignment WHERE name = ?", (lesson.assignment,)).fetchone()
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{path} is not an nbgrader gradebook ({exc})", hint) from None
    if found is None:
        raise UsageError(f"the gradebook has no assignment {lesson.assignment}", hint)


def write(root: Path, lesson: Lesson, records: dict[str, dict]) -> int:
    """Write every record's task scores; return how many students were written."""
    import warnings

    api = nbgrader_api()
    with warnings.catch_warnings(), api.Gradebook(db_url(root)) as gb:
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy warnings
        try:
            gb.find_assignment(lesson.assignment)
        except api.MissingEntry:
            raise UsageError(f"the gradebook has no assignment {lesson.assignment}",
                             f"run `uv run nbgrader generate_assignment {lesson.assignment} --force` "
                             f"once; it records the assignment's graded cells") from None
        for student, record in sorted(records.items()):
            _write_student(gb, root, lesson, student, record)
    return len(records)


def _write_student(gb, root: Path, lesson: Lesson, student: str, record: dict) -> None:
    """One student's task scores, committed together."""
    gb.update_or_create_student(student)
    stamp = _timestamp(root, lesson, student)
    gb.update_or_create_submission(lesson.assignment, student, **({"timestamp": stamp} if stamp else {}))
    tasks = record["report"]["tasks"]
    for task in lesson.tasks:
        grade = gb.find_grade(f"test_{task}", lesson.assignment, lesson.assignment, student)
        grade.auto_score = float(tasks.get(task, {}).get("score", 0.0))
        grade.needs_manual_grade = False
    gb.db.commit()


class Writer:
    """Writes results into the gradebook from a background thread while a class is graded.

    The thread first imports nbgrader (about a second), then writes each result `add`ed, at
    the lowest CPU priority (a Linux thread has its own nice value): it takes only what the
    grading workers leave idle, typically while the last submissions finish. `finish()`
    waits for it and returns the students it wrote; the merge writes the others, so a
    failure here only moves the work back to the merge. Start it only after forking: a fork
    while another thread imports can deadlock the child.
    """

    def __init__(self, root: Path, lesson: Lesson) -> None:
        import queue
        import threading
        self.root, self.lesson = root, lesson
        self.written: set[str] = set()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="gradebook", daemon=True)
        self._thread.start()

    def add(self, student: str, record: dict) -> None:
        self._queue.put((student, record))

    def finish(self) -> set[str]:
        self._queue.put(None)
        self._thread.join()
        return set(self.written)

    def _run(self) -> None:
        import os
        import threading
        import warnings
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        except (AttributeError, OSError):
            pass
        done = False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                api = nbgrader_api()
                with api.Gradebook(db_url(self.root)) as gb:
                    while (item := self._queue.get()) is not None:
                        student, record = item
                        _write_student(gb, self.root, self.lesson, student, record)
                        self.written.add(student)
                    done = True
        except Exception:  # noqa: BLE001 - the merge writes whatever was not written here
            pass
        finally:
            while not done and self._queue.get() is not None:  # finish() returns after a failure too
                pass
