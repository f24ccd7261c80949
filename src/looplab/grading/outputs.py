"""What grading leaves where instructors look.

Per submission (written by the worker): `autograded/<student>/<assignment>/`
gets `results.json` in Gradescope's format and `feedback.html`, the page a
student reads. Per class (written by `merge`): nbgrader's gradebook and
`exports/<assignment>/grades.csv`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from looplab.grading.results import folder, write_atomic
from looplab.lessons import Lesson
from looplab.report import Report


def gradescope(report: Report) -> dict:
    """Gradescope's autograder results.json for one report: the same format, one test per
    task, that `looplab gradescope`'s autograder writes on Gradescope itself."""
    from looplab.gradescope.results import results
    sandbox = report.sandbox or "none"
    protection = ("bubblewrap sandbox" if sandbox == "bubblewrap"
                  else f"no sandbox ({sandbox})")
    return results(report, protection=protection, checked=report.file or "the submission",
                   seconds=report.timings.get("total", 0.0))


def autograded_notebook(submitted: Path, report: Report) -> str:
    """The submitted notebook with each task's result as its test cell's output.

    nbgrader's formgrader and `generate_feedback` read this file; the scores
    themselves come from the gradebook.
    """
    notebook = json.loads(submitted.read_text())
    for cell in notebook.get("cells", []):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        task = report.tasks.get(grade_id.removeprefix("test_")) if grade_id.startswith("test_") else None
        if task is None or cell.get("cell_type") != "code":
            continue
        lines = [f"{grade_id.removeprefix('test_')}: {task.score:g}/{task.max_score:g} ({task.status})"]
        lines += [f"x {c.name}: {c.message}" for c in task.checks if not c.passed]
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "\n".join(lines) + "\n"}]
    return json.dumps(notebook, indent=1)


def per_submission(root: Path, lesson: Lesson, student: str, report: Report,
                   submitted: Path | None = None) -> None:
    out = folder(root, lesson, student)
    write_atomic(out / "results.json", json.dumps(gradescope(report), indent=1))
    if submitted is not None and submitted.suffix == ".ipynb":
        try:
            write_atomic(out / f"{lesson.assignment}.ipynb", autograded_notebook(submitted, report))
        except (ValueError, AttributeError, TypeError):
            pass  # not a notebook we can annotate; the scores are stored anyway
    try:
        from looplab.feedback import render_html
    except ImportError:  # feedback pages are optional
        return
    write_atomic(out / "feedback.html", render_html(report, student=student, assignment=lesson.assignment))


def grades_csv(root: Path, lesson: Lesson, records: dict[str, dict]) -> Path:
    """One row per student: total, status and the score of every task."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", "assignment", "score", "max_score", "status", *lesson.tasks])
    for student, record in sorted(records.items()):
        report = record["report"]
        writer.writerow([student, lesson.assignment, report["score"], report["max_score"],
                         report["status"], *(report["tasks"].get(t, {}).get("score", 0) for t in lesson.tasks)])
    target = root / "exports" / lesson.assignment / "grades.csv"
    write_atomic(target, buffer.getvalue())
    return target
