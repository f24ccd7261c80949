"""The `looplab` command, called in-process through main(argv)."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from looplab.cli import main


def test_unknown_lesson_is_a_usage_error_that_lists_the_lessons(capsys, tmp_path):
    code = main(["check", "1.33", str(tmp_path / "x.py")])
    err = capsys.readouterr().err
    assert code == 2
    assert "error: unknown lesson '1.33'" in err
    assert "hint: did you mean 1.3?" in err and "lessons with assignments: " in err
    assert "1.3" in err.split("lessons with assignments: ")[1]


def test_missing_file_is_a_usage_error(capsys, tmp_path):
    assert main(["check", "1.3", str(tmp_path / "nope.ipynb")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_broken_notebook_is_a_usage_error_with_a_hint(capsys, tmp_path):
    bad = tmp_path / "broken.ipynb"
    bad.write_text("{not json")
    assert main(["check", "1.3", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not a valid Jupyter notebook" in err and "hint:" in err


def test_check_json_report_has_the_documented_shape(capsys):
    code = main(["check", "1.3", str(ROOT / "examples" / "lesson-1.3" / "buggy.py"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0  # a report was produced, whatever the score
    assert report["lesson"] == "1.3" and report["status"] == "ok"
    assert 0 < report["score"] < report["max_score"]
    assert list(report["tasks"]) == ["minibatch_indices", "train_batch", "train_stochastic",
                                     "train_minibatch", "epochs_to_target", "noise_floor"]
    task = report["tasks"]["train_batch"]
    assert set(task) == {"score", "max_score", "status", "checks"}
    check = task["checks"][0]
    assert set(check) == {"name", "passed", "points", "max_points", "message"}
    failed = [c for c in task["checks"] if not c["passed"]]
    assert failed and "recorded after the update" in failed[0]["message"]


def test_check_text_report_shows_score_and_failures(capsys):
    assert main(["check", "1.3", str(ROOT / "release" / "lesson-1.3" / "lesson-1.3.ipynb")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("lesson 1.3: 0/25")
    assert out.count("not implemented") >= 6


def test_lessons_lists_every_declared_lesson(capsys):
    from looplab.lessons import LESSONS
    assert main(["lessons"]) == 0
    out = capsys.readouterr().out
    assert "1.3  Batch vs stochastic" in out
    assert [line.split()[0] for line in out.splitlines()] == list(LESSONS)


@pytest.mark.parametrize("argv", [[], ["frobnicate"]])
def test_bad_command_exits_2(argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_check_html_writes_the_feedback_page(capsys, tmp_path):
    page = tmp_path / "feedback.html"
    assert main(["check", "1.3", str(ROOT / "examples" / "lesson-1.3" / "buggy.py"), "--html", str(page)]) == 0
    html = page.read_text()
    assert "lesson-1.3" in html and "likely mistake" in html
    assert "feedback page:" in capsys.readouterr().err
