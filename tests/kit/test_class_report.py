"""`looplab report`: the class summary from stored results, its page, and a real graded class."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REFERENCE_1_3, ROOT, example
from looplab import lessons
from looplab.checks.compare import likely, named_mistakes
from looplab.class_page import SECTIONS, render_page
from looplab.class_report import render_text, summarise
from looplab.cli import main

LESSON = lessons.get("1.3")
HOSTILE = '<script>alert("x")</script>'
AFTER = "the loss is recorded after the update instead of just before it"


def check(name: str, points: float, max_points: float, message: str = "", **extra) -> dict:
    return {"name": name, "passed": points == max_points, "points": points, "max_points": max_points,
            "message": message, **extra}


def record(tasks: dict[str, list[dict]], status: str = "ok", total: float = 1.0) -> dict:
    """A stored result as `looplab grade` writes it, with only the fields the report reads."""
    built = {t: {"score": sum(c["points"] for c in cs), "max_score": sum(c["max_points"] for c in cs),
                 "status": status, "checks": cs} for t, cs in tasks.items()}
    return {"report": {"lesson": "1.3", "status": status, "tasks": built, "timings": {"total": total},
                       "score": sum(t["score"] for t in built.values()),
                       "max_score": sum(t["max_score"] for t in built.values())}}


def test_named_mistakes_reads_back_what_likely_wrote():
    assert named_mistakes("epoch 0 loss 1, reference 2" + likely(AFTER)) == [AFTER]
    assert named_mistakes("got 3" + likely(["a", "b"]) + "\nsee the notes") == ["a", "b"]
    assert named_mistakes("no mistake named here\n  - nor here") == []
    assert named_mistakes("x\nlikely mistake: by hand\nmore text") == ["by hand"]


def test_a_mistake_counts_once_per_student_and_the_most_common_comes_first():
    named = check("one feature", 0, 2, "x" + likely(AFTER), mistakes=[AFTER])
    passed = check("several", 2, 2, mistakes=[])
    records = {
        "ada": record({"train_batch": [named, dict(named, name="several")]}),
        "ben": record({"train_batch": [named, passed], "train_minibatch": [check("m", 0, 1, "y" + likely("rare"))]}),
        "cy": record({"train_batch": [dict(passed, name="one feature"), passed]}),
    }
    summary = summarise(LESSON, records)
    assert [(m.message, m.tasks, m.students) for m in summary.mistakes] == [
        (AFTER, ["train_batch"], ["ada", "ben"]), ("rare", ["train_minibatch"], ["ben"])]
    batch = next(t for t in summary.tasks if t.name == "train_batch")
    assert (batch.max_points, batch.mean, round(batch.pass_rate, 6)) == (4.0, 2.0, round(1 / 3, 6))
    assert "    2 student(s)  train_batch: " + AFTER in render_text(summary)


def test_statuses_most_severe_first_and_slowest_by_speed_ratio():
    records = {
        "ada": record({"train_batch": [check("speed", 1, 1, speed=0.9)]}),
        "ben": record({"train_batch": [check("speed", 0, 1, "far too slow", speed=31.0),
                                       check("speed 2", 1, 1, speed=2.0)]}, status="timeout"),
        "cy": record({"train_batch": [check("a", 0, 1, "not implemented")]}, status="not_implemented"),
        "dee": record({"train_batch": [check("a", 0, 1)]}, status="missing"),
    }
    summary = summarise(LESSON, records)
    assert list(summary.statuses.items()) == [("timeout", ["ben"]), ("missing", ["dee"]),
                                              ("not_implemented", ["cy"]), ("ok", ["ada"])]
    assert [(s.student, s.ratio, s.where) for s in summary.slowest] == [
        ("ben", 31.0, "train_batch: speed"), ("ada", 0.9, "train_batch: speed")]


def test_without_speed_checks_the_slowest_compare_with_full_mark_submissions():
    records = {"ada": record({"t": [check("a", 1, 1)]}, total=2.0),
               "ben": record({"t": [check("a", 1, 1)]}, total=4.0),
               "cy": record({"t": [check("a", 0, 1)]}, total=9.0)}
    summary = summarise(LESSON, records)
    assert [(s.student, s.ratio) for s in summary.slowest] == [("cy", 3.0), ("ben", 4 / 3), ("ada", 2 / 3)]
    assert "median of the 2 full-mark submission(s) (3.00 s)" in summary.slow_basis


def test_page_escapes_what_students_wrote_and_embeds_its_plots():
    records = {HOSTILE: record({"train_batch": [check("a", 0, 1, "x" + likely(HOSTILE), mistakes=[HOSTILE])]},
                               status="error")}
    page = render_page(summarise(LESSON, records))
    assert "<script" not in page.lower() and page.count("&lt;script&gt;") >= 3
    assert len(re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]+"', page)) == 2
    assert all(f'<section id="{key}">' in page for key in SECTIONS)
    assert "http://" not in page and "https://" not in page


def test_nothing_graded_yet_is_an_error_with_a_hint(tmp_path, capsys):
    (tmp_path / "submitted" / "ada" / LESSON.assignment).mkdir(parents=True)
    assert main(["report", "1.3", "--course", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"error: nothing of {LESSON.assignment} is graded yet" in err
    assert f"hint: grade the class first: `uv run looplab grade {LESSON.assignment} --course {tmp_path}`" in err
    assert not (tmp_path / "exports").exists()


# -- a real class, graded by `looplab grade` (one shard: no gradebook needed) ----------------

CLASS = {"ada": ("submission.py", REFERENCE_1_3), "ben": ("submission.py", example("1.3", "buggy")),
         "cy": (f"{LESSON.assignment}.ipynb", (ROOT / "release" / LESSON.assignment
                                                / f"{LESSON.assignment}.ipynb").read_text()),
         "dee": None}  # a folder without a notebook


def _grade_and_report(course: Path) -> dict:
    for student, submitted in CLASS.items():
        folder = course / "submitted" / student / LESSON.assignment
        folder.mkdir(parents=True)
        if submitted:
            (folder / submitted[0]).write_text(submitted[1])
    run = [sys.executable, "-m", "looplab"]
    subprocess.run(run + ["grade", LESSON.assignment, "--shard", "1/1", "-j", "2", "--course", str(course)],
                   check=True, capture_output=True, timeout=600)
    done = subprocess.run(run + ["report", "1.3", "--course", str(course), "-o", str(course / "class.html")],
                          capture_output=True, text=True, timeout=300)
    return {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, worker_id) -> tuple[Path, dict]:
    """A course with a correct, a buggy, an untouched and a missing submission, graded; and
    `looplab report`'s run on it. Graded once per test run: xdist workers share it through
    their common temporary folder, under a lock (the recipe of pytest-xdist's docs)."""
    from filelock import FileLock
    shared = tmp_path_factory.mktemp("one") if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    course, ran = shared / "graded-class", shared / "graded-class.json"
    with FileLock(str(shared / "graded-class.lock")):
        if not ran.exists():
            course.mkdir()
            ran.write_text(json.dumps(_grade_and_report(course)))
    return course, json.loads(ran.read_text())


def test_report_of_a_graded_class_names_its_mistake_statuses_and_speeds(graded):
    course, report = graded
    assert report["returncode"] == 0, report["stderr"]
    assert report["stdout"].startswith(f"{LESSON.assignment}: 4 graded submission(s), mean ")
    assert "statuses: missing 1, not_implemented 1, ok 2" in report["stdout"]
    assert f"    1 student(s)  train_batch: {AFTER}" in report["stdout"]
    assert f"class report: {course / 'class.html'}" in report["stderr"]
    stored = json.loads((course / "autograded" / "ada" / LESSON.assignment / "looplab-result.json").read_text())
    speeds = [c["speed"] for t in stored["report"]["tasks"].values() for c in t["checks"] if c["speed"]]
    assert len(speeds) == 3 and all(0 < s < 8 for s in speeds)  # lesson 1.3's three speed checks
    assert re.search(r"slowest against the reference: (ada|ben) \d+\.\dx \(train_", report["stdout"])


@pytest.mark.browser
def test_class_page_in_chromium_shows_every_section_and_its_plots_load(graded, in_chromium):
    course, _ = graded
    page = (course / "class.html").read_text()
    seen = in_chromium(page)
    assert all(seen["sections"].get(key, 0) > 0 for key in SECTIONS), seen["sections"]
    assert seen["headings"] == ["Score distribution", "Tasks", "Most common named mistakes", "Statuses",
                                "Slowest against the reference"]
    assert [(i["loaded"], i["width"], i["height"]) for i in seen["images"]] == [(True, 800, 450)] * 2
    assert seen["fetched"] == seen["external"] == []  # nothing from the network or disk: it works offline
