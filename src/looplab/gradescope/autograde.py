"""What `run_autograder` runs for every submission on Gradescope.

`python -m looplab.gradescope.autograde 1.3` reads the autograder root from
`LOOPLAB_AUTOGRADER_ROOT` (default `/autograder`), checks the notebook or `.py` the student
uploaded under `<root>/submission` against the lesson's hidden checks (as `looplab check`
does: student code in a process of its own, under the lesson's time limits), and writes
`<root>/results/results.json`. It always writes that file: an empty upload scores 0 with a
message saying what to upload, an unreadable notebook 0 with why, and a failure of the
autograder itself 0 with the error (its traceback goes to stdout, which Gradescope shows
the instructor only). The course files (solutions, hidden checks) are those of the
looplab package that runs, i.e. `<root>/source`.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

from looplab import lessons
from looplab.gradescope import results
from looplab.report import Report
from looplab.status import ERROR, MISSING

ROOT_ENV = "LOOPLAB_AUTOGRADER_ROOT"
DEFAULT_ROOT = "/autograder"
SUFFIXES = (".ipynb", ".py")
IGNORED = {"__MACOSX", "__pycache__", ".ipynb_checkpoints"}  # zip and editor leftovers


def autograder_root() -> Path:
    return Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)


def candidates(submission: Path, lesson: lessons.Lesson) -> list[Path]:
    """The notebooks and Python files uploaded (at any depth), best first: one named after
    the assignment, then notebooks before `.py` files, then shallower, then by name.
    Hidden files and editor or zip leftovers are never candidates."""
    found = []
    for path in sorted(submission.rglob("*")) if submission.is_dir() else []:
        parts = path.relative_to(submission).parts
        if path.suffix in SUFFIXES and path.is_file() \
                and not any(part.startswith(".") or part in IGNORED for part in parts):
            found.append(path)
    return sorted(found, key=lambda p: (p.stem != lesson.assignment, p.suffix != ".ipynb",
                                        len(p.parts), str(p)))


def lock_away(course: Path) -> bool:
    """As root, make the reference solution and the hidden checks readable by root only.

    Student code drops to `nobody` when it starts as root (`looplab.sandbox.limits.apply`),
    so without bubblewrap this is what keeps them out of its reach. True when it applies.
    """
    from looplab.sandbox.limits import can_drop_root
    if os.geteuid() != 0 or not can_drop_root():
        return False
    for secret in (course / "solutions", course / "tests" / "hidden"):
        if secret.is_dir():
            secret.chmod(0o700)
    return True


def protection(sandbox: str, locked: bool) -> str:
    """Which protection applied, in words, for the summary a student and instructor read."""
    if sandbox == "bubblewrap":
        return ("bubblewrap sandbox inside Gradescope's per-submission container: your code "
                "saw neither the course files nor the network")
    why = f"bubblewrap could not run: {sandbox}"
    if locked:
        return (f"Gradescope's per-submission container alone ({why}); your code ran as "
                f"`nobody`, with the reference solution and hidden checks readable by root only")
    return f"Gradescope's per-submission container alone ({why})"


def _nothing_uploaded(submission: Path) -> str:
    others = sorted(str(p.relative_to(submission)) for p in submission.rglob("*")
                    if p.is_file()) if submission.is_dir() else []
    found = f"; the upload holds only {', '.join(others[:5])}" if others else ""
    return (f"nothing to grade: no notebook (.ipynb) or Python file (.py) was uploaded{found}. "
            f"Upload your notebook and submit again.")


def grade(lesson_id: str, root: Path) -> tuple[dict, str]:
    """(results.json, the text report for the autograder's stdout) for the upload under `root`."""
    from looplab.check import Checker, zero_report
    from looplab.errors import UsageError
    from looplab.report import render_text
    start = time.perf_counter()
    lesson, course = lessons.get(lesson_id), lessons.data_root()
    submission = root / "submission"
    files = candidates(submission, lesson)
    if not files:
        report = zero_report(Report(lesson.id), lesson, course, MISSING, _nothing_uploaded(submission))
        data = results.results(report, protection="no code ran", checked="nothing",
                               seconds=time.perf_counter() - start)
        return data, render_text(report)
    locked = lock_away(course)
    chosen = files[0]
    checker = Checker(course)
    try:
        try:
            report = checker.check(lesson.id, chosen)
        except UsageError as err:  # e.g. a notebook that is not valid JSON
            report = zero_report(Report(lesson.id, sandbox=checker.sandbox, file=chosen.name),
                                 lesson, course, ERROR, f"{err.message} ({err.hint})")
    finally:
        checker.close()
    checked = str(chosen.relative_to(submission))
    if files[1:]:
        checked += f" (also uploaded, not checked: {', '.join(str(p.relative_to(submission)) for p in files[1:])})"
    data = results.results(report, protection=protection(report.sandbox, locked), checked=checked,
                           seconds=time.perf_counter() - start)
    return data, render_text(report)


def write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=1))
    os.replace(partial, path)


def main(lesson_id: str) -> int:
    """Grade the upload and write results.json; 0 whenever that file was written."""
    start = time.perf_counter()
    root = autograder_root()
    print(f"looplab: lesson {lesson_id}, course files from {lessons.data_root()}, "
          f"autograder root {root}", flush=True)
    try:
        data, text = grade(lesson_id, root)
        print(text, flush=True)
    except Exception as exc:  # noqa: BLE001 - whatever broke, the student gets a results.json
        traceback.print_exc(file=sys.stdout)
        data = results.failure(lesson_id, f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
    write(root / "results" / "results.json", data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
