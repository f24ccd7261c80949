"""nbgrader itself works on the repository: generate_assignment, autograde, the gradebook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from looplab import lessons
from looplab.release import MARKERS

LESSON = lessons.get("1.3")


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def _completed(release: dict, source: dict) -> dict:
    """The release notebook with every answer cell filled in from the source's solution."""
    answers = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in source["cells"]
               if c["metadata"].get("nbgrader", {}).get("solution")}
    done = json.loads(json.dumps(release))
    for cell in done["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if cell["metadata"].get("nbgrader", {}).get("solution") and grade_id in answers:
            text = "".join(answers[grade_id])
            cell["source"] = "\n".join(l for l in text.splitlines() if l.strip() not in MARKERS)
    return done


def test_generate_assignment_and_autograde_score_a_class(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source", course / "source")
    _nbgrader(course, "generate_assignment", LESSON.assignment, "--force")
    released = course / "release" / LESSON.assignment / f"{LESSON.assignment}.ipynb"
    assert json.loads(released.read_text()) == json.loads(LESSON.release_notebook(ROOT).read_text())

    completed = _completed(json.loads(released.read_text()),
                           json.loads(LESSON.source_notebook(ROOT).read_text()))
    buggy = json.loads(json.dumps(completed))
    for cell in buggy["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "train_batch":
            text = "".join(cell["source"])
            assert "losses.append(loss.item())" in text
            cell["source"] = text.replace("losses.append(loss.item())",
                                          "losses.append(loss.item() * 1.5)")
    submissions = {
        "ada": json.dumps(completed),
        "bob": released.read_text(),  # untouched
        "cal": json.dumps(buggy),  # fails train_batch's visible checks: partial credit still flows
    }
    for student, text in submissions.items():
        folder = course / "submitted" / student / LESSON.assignment
        folder.mkdir(parents=True)
        (folder / released.name).write_text(text)
    _nbgrader(course, "autograde", LESSON.assignment)

    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(LESSON.assignment, s).score for s in submissions}
        max_score = gb.find_assignment(LESSON.assignment).max_score
    from looplab.check import check, max_points
    full = sum(max_points(LESSON, lessons.data_root()).values())
    assert max_score == full  # the graded cells' points are the hidden checks' points
    cal = check(LESSON.id, course / "submitted" / "cal" / LESSON.assignment / released.name)
    assert 0 < cal.score < full
    assert scores == {"ada": full, "bob": 0, "cal": cal.score}


def test_validate_fails_on_an_untouched_notebook_and_passes_a_completed_one(tmp_path):
    """nbgrader's own Validate (the button, `nbgrader validate`): each graded cell's visible
    `written(task)` fails while the task is a stub. Demonstrations are left out for speed."""
    release = json.loads(LESSON.release_notebook(ROOT).read_text())
    release["cells"] = [c for c in release["cells"] if "demo" not in c["metadata"].get("tags", [])]
    (tmp_path / "untouched.ipynb").write_text(json.dumps(release))
    completed = _completed(release, json.loads(LESSON.source_notebook(ROOT).read_text()))
    (tmp_path / "completed.ipynb").write_text(json.dumps(completed))
    out = _nbgrader(tmp_path, "validate", "untouched.ipynb", "completed.ipynb").stdout
    failed, passed = out.split("Success! Your notebook passes all the tests.")
    assert f"VALIDATION FAILED ON {len(LESSON.tasks)} CELL(S)" in failed and not passed.strip()
    for task in LESSON.tasks:
        assert f"NotWritten: {task} is not written yet" in failed
