"""`looplab grade` and `looplab merge` on a class, run as a user runs them (subprocesses)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REFERENCE_1_3, ROOT, example
from looplab import lessons

LESSON = lessons.get("1.3")
MARKER = "8462"  # `sleep 8462.5` marks processes a submission left behind


def _without(source: str, name: str) -> str:
    start = source.index(f"def {name}(")
    end = source.find("\ndef ", start + 1)
    return source[:start] + (source[end + 1:] if end != -1 else "")


HOSTILE_SIGNATURE = "def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):"
CLASS = {
    "ada": REFERENCE_1_3,
    "ben": example("1.3", "buggy"),
    "cy": _without(REFERENCE_1_3, "epochs_to_target") + f"\n{HOSTILE_SIGNATURE}\n    while True:\n        pass\n",
    "dee": "import os\nos._exit(1)\n",
    "eve": _without(REFERENCE_1_3, "epochs_to_target") + (
        f"\nimport torch\n{HOSTILE_SIGNATURE}\n"
        "    return [torch.empty(256, 1024, 1024) for _ in range(64)]\n"),
    "fox": REFERENCE_1_3 + f'''
import os, subprocess
for target in ["{ROOT}/HACKED", os.path.expanduser("~/HACKED"), "/tmp/HACKED-{MARKER}"]:
    try:
        open(target, "w").write("x")
    except OSError:
        pass
subprocess.Popen(["sleep", "{MARKER}.5"], start_new_session=True)
''',
}


@pytest.fixture(scope="session")
def gradebook_template(tmp_path_factory) -> Path:
    """A gradebook that knows lesson 1.3, made by nbgrader itself (once per session)."""
    course = tmp_path_factory.mktemp("template")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / LESSON.assignment, course / "source" / LESSON.assignment)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", LESSON.assignment, "--force"],
                   cwd=course, env=env, check=True, capture_output=True)
    return course / "gradebook.db"


def _course(tmp_path: Path, template: Path, members: dict[str, str]) -> Path:
    course = tmp_path / "course"
    for student, source in members.items():
        folder = course / "submitted" / student / LESSON.assignment
        folder.mkdir(parents=True)
        (folder / "submission.py").write_text(source)
    shutil.copy(template, course / "gradebook.db")
    return course


def _looplab(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "looplab", *args], capture_output=True, text=True,
                          timeout=900, **kwargs)


def _gradebook_scores(course: Path) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in gb.students:
            try:
                sub = gb.find_submission(LESSON.assignment, student.id)
            except Exception:  # noqa: BLE001 - no submission for this student
                continue
            scores[student.id] = {t: gb.find_grade(f"test_{t}", LESSON.assignment, LESSON.assignment,
                                                   student.id).score for t in LESSON.tasks}
            scores[student.id]["total"] = sub.score
    return scores


def _leftovers() -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f"{MARKER}.5".encode() in f.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


def test_a_mixed_class_gets_a_row_and_a_status_each(tmp_path, gradebook_template):
    course = _course(tmp_path, gradebook_template, CLASS)
    proc = _looplab("grade", LESSON.assignment, "--course", str(course), "--json", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {r["student"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert set(rows) == set(CLASS)
    full = rows["ada"]["max_score"]
    assert rows["ada"]["score"] == full and rows["ada"]["status"] == "ok"
    assert 0 < rows["ben"]["score"] < full
    assert rows["cy"]["tasks"]["epochs_to_target"]["status"] == "timeout"
    assert rows["cy"]["tasks"]["train_batch"]["score"] == rows["cy"]["tasks"]["train_batch"]["max_score"]
    assert rows["dee"]["status"] == "crashed" and rows["dee"]["score"] == 0
    assert rows["eve"]["tasks"]["epochs_to_target"]["status"] == "memory"
    assert rows["fox"]["score"] == full  # its mischief is contained, its answers are right
    # nothing written outside its scratch directory, nothing left running
    assert not (ROOT / "HACKED").exists() and not Path("~/HACKED").expanduser().exists()
    assert not Path(f"/tmp/HACKED-{MARKER}").exists()
    assert _leftovers() == []
    # the gradebook, read back through nbgrader's own API, holds the same scores
    scores = _gradebook_scores(course)
    assert {s: v["total"] for s, v in scores.items()} == {s: r["score"] for s, r in rows.items()}
    # per-submission files and the class export
    out = course / "autograded" / "ben" / LESSON.assignment
    gradescope = json.loads((out / "results.json").read_text())
    assert gradescope["score"] == rows["ben"]["score"] and gradescope["tests"]
    # the format `looplab gradescope`'s autograder writes: one test per task, plain text
    assert [t["name"] for t in gradescope["tests"]] == list(LESSON.tasks)
    assert gradescope["output_format"] == "text" and "protection:" in gradescope["output"]
    assert "likely mistake" in (out / "feedback.html").read_text()
    with open(course / "exports" / LESSON.assignment / "grades.csv") as f:
        table = {row["student"]: row for row in csv.DictReader(f)}
    assert float(table["ben"]["score"]) == rows["ben"]["score"] and table["dee"]["status"] == "crashed"


def test_rerun_is_idempotent_and_a_resubmission_replaces_every_score(tmp_path, gradebook_template):
    course = _course(tmp_path, gradebook_template, {"ada": REFERENCE_1_3, "ben": REFERENCE_1_3})
    assert _looplab("grade", "1.3", "--course", str(course)).returncode == 0
    first = _gradebook_scores(course)
    again = _looplab("grade", "1.3", "--course", str(course))
    assert "0 to grade, 2 already graded" in again.stderr
    assert _gradebook_scores(course) == first
    # ben resubmits a notebook-less file that only defines one function
    (course / "submitted" / "ben" / LESSON.assignment / "submission.py").write_text(
        REFERENCE_1_3.split("def train_batch")[0])
    assert _looplab("grade", "1.3", "--course", str(course)).returncode == 0
    ben = _gradebook_scores(course)["ben"]
    assert ben["minibatch_indices"] == first["ben"]["minibatch_indices"]
    assert ben["train_batch"] == 0 and ben["epochs_to_target"] == 0 and ben["total"] < first["ben"]["total"]
    assert _gradebook_scores(course)["ada"] == first["ada"]


def test_a_killed_run_resumes_without_losing_or_repeating_work(tmp_path, gradebook_template):
    members = {f"s{i:02d}": REFERENCE_1_3 for i in range(6)}
    course = _course(tmp_path, gradebook_template, members)
    proc = subprocess.Popen([sys.executable, "-m", "looplab", "grade", "1.3", "--course", str(course),
                             "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    result_files = lambda: sorted(course.glob("autograded/*/lesson-1.3/looplab-result.json"))
    deadline = time.monotonic() + 300
    while len(result_files()) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = {p: p.stat().st_mtime_ns for p in result_files()}
    assert 2 <= len(done) < len(members)
    resumed = _looplab("grade", "1.3", "--course", str(course))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"{len(members) - len(done)} to grade, {len(done)} already graded" in resumed.stderr
    assert all(p.stat().st_mtime_ns == t for p, t in done.items())  # not graded twice
    totals = {s: v["total"] for s, v in _gradebook_scores(course).items()}
    assert set(totals) == set(members) and len(set(totals.values())) == 1


def test_shards_merged_equal_one_unsharded_run(tmp_path, gradebook_template):
    members = {"ada": REFERENCE_1_3, "ben": CLASS["ben"], "dee": CLASS["dee"],
               "gus": example("1.3", "correct")}
    whole = _course(tmp_path / "whole", gradebook_template, members)
    sharded = _course(tmp_path / "sharded", gradebook_template, members)
    assert _looplab("grade", "1.3", "--course", str(whole)).returncode == 0
    for k in (1, 2, 3):
        proc = _looplab("grade", "1.3", "--course", str(sharded), "--shard", f"{k}/3")
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert not _gradebook_scores(sharded)  # shards only store results
    assert _looplab("merge", "1.3", "--course", str(sharded)).returncode == 0
    assert _gradebook_scores(sharded) == _gradebook_scores(whole)
    read = lambda c: (c / "exports" / "lesson-1.3" / "grades.csv").read_text()
    assert read(sharded) == read(whole)


def test_ctrl_c_stops_at_once_keeps_results_and_the_rerun_resumes(tmp_path, gradebook_template):
    members = {f"s{i:02d}": REFERENCE_1_3 for i in range(4)}
    course = _course(tmp_path, gradebook_template, members)
    proc = subprocess.Popen([sys.executable, "-m", "looplab", "grade", "1.3", "--course", str(course),
                             "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    results = lambda: list(course.glob("autograded/*/lesson-1.3/looplab-result.json"))
    deadline = time.monotonic() + 300
    while not results() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted: results so far are stored" in err
    kept = len(results())
    assert 1 <= kept < len(members)
    resumed = _looplab("grade", "1.3", "--course", str(course))
    assert f"{len(members) - kept} to grade, {kept} already graded" in resumed.stderr


@pytest.mark.parametrize("lesson_id", ["2.5", "3.5"])
def test_grade_works_on_later_modules_as_on_module_1(tmp_path, lesson_id):
    """Module 2 and 3 lessons go through the same class pipeline: the gradebook made by nbgrader,
    a completed reference and an untouched release (2.5 grades classes of the student's own,
    3.5 a two-rank torch.distributed run)."""
    lesson = lessons.get(lesson_id)
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / lesson.assignment, course / "source" / lesson.assignment)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", lesson.assignment, "--force"],
                   cwd=course, env=env, check=True, capture_output=True)
    for student, path in {"ada": lesson.solution(ROOT), "bob": lesson.release_notebook(ROOT)}.items():
        folder = course / "submitted" / student / lesson.assignment
        folder.mkdir(parents=True)
        shutil.copy(path, folder / path.name)
    proc = _looplab("grade", lesson.assignment, "--course", str(course), "--json", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {r["student"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert rows["ada"]["score"] == rows["ada"]["max_score"] > 0 and rows["ada"]["status"] == "ok"
    assert rows["bob"]["score"] == 0 and rows["bob"]["status"] == "not_implemented"
    with (course / "exports" / lesson.assignment / "grades.csv").open() as f:
        table = {row["student"]: row for row in csv.DictReader(f)}
    assert float(table["ada"]["score"]) == rows["ada"]["max_score"]


def _record(scores: dict[str, float]) -> dict:
    return {"report": {"tasks": {task: {"score": score} for task, score in scores.items()}}}


def test_the_background_writer_fills_the_gradebook_and_the_merge_does_the_rest(tmp_path, gradebook_template, monkeypatch):
    """`grade` writes each result into the gradebook as it arrives (`gradebook.Writer`) and
    the merge writes only the others; when the writer fails, the merge writes them all."""
    from looplab.grading import gradebook, results
    from looplab.grading.run import merge

    course = _course(tmp_path, gradebook_template, {"ada": "", "ben": ""})
    writer = gradebook.Writer(course, LESSON)
    writer.add("ada", _record({"minibatch_indices": 3.0, "train_batch": 2.0}))
    assert writer.finish() == {"ada"}
    assert _gradebook_scores(course)["ada"]["train_batch"] == 2.0
    # the merge leaves ada's row alone (written above) and writes ben's stored result
    def stored(score: float) -> dict:
        return {"report": {"lesson": LESSON.id, "score": score, "max_score": 24.0, "status": "ok",
                           "tasks": {"train_batch": {"score": score}}}}
    monkeypatch.setattr(results, "all_results", lambda *args: {"ada": stored(1.0), "ben": stored(4.0)})
    assert merge(LESSON.id, course=course, quiet=True, written={"ada"}) == 0
    scores = _gradebook_scores(course)
    assert scores["ada"]["train_batch"] == 2.0 and scores["ben"]["train_batch"] == 4.0

    monkeypatch.setattr(gradebook, "nbgrader_api", lambda: (_ for _ in ()).throw(ImportError("no nbgrader")))
    broken = gradebook.Writer(course, LESSON)
    broken.add("ben", _record({"train_batch": 5.0}))
    assert broken.finish() == set()  # it returns, having written nothing: the merge will
