"""The `looplab` command, called in-process through main(argv)."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, example
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


def test_check_json_report_has_the_documented_shape(capsys, tmp_path):
    buggy = tmp_path / "buggy.py"
    buggy.write_text(example("1.3", "buggy"))
    code = main(["check", "1.3", str(buggy), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0  # a report was produced, whatever the score
    assert report["lesson"] == "1.3" and report["status"] == "ok"
    assert 0 < report["score"] < report["max_score"]
    assert list(report["tasks"]) == ["minibatch_indices", "train_batch", "train_stochastic",
                                     "train_minibatch", "epochs_to_target"]
    task = report["tasks"]["train_batch"]
    assert set(task) == {"score", "max_score", "status", "checks"}
    check = task["checks"][0]
    assert set(check) == {"name", "passed", "points", "max_points", "message", "mistakes", "speed"}
    failed = [c for c in task["checks"] if not c["passed"]]
    assert failed and "recorded after the update" in failed[0]["message"]
    assert failed[0]["mistakes"] == ["the loss is recorded after the update instead of just before it"]
    speeds = [c["speed"] for t in report["tasks"].values() for c in t["checks"] if c["speed"] is not None]
    assert len(speeds) == 2 and all(s > 0 for s in speeds)  # train_batch's is wrong: not timed
    timings = report["timings"]  # benchmarks/check_latency.py splits a check's time with these
    assert set(timings) == {"load", "spawn", "student_code", "total"}
    assert 0 <= timings["spawn"] <= timings["load"] <= timings["total"]


def test_check_text_report_shows_score_and_failures(capsys):
    assert main(["check", "1.3", str(ROOT / "release" / "lesson-1.3" / "lesson-1.3.ipynb")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("lesson 1.3: 0/24  [not_implemented]")
    # one line per task, plus one note for the whole file, not one line per check
    assert out.count("not implemented: the function still raises NotImplementedError") == 5
    assert "note: none of lesson 1.3's functions is written yet" in out


def test_readme_sample_report_is_what_check_prints(capsys, tmp_path):
    """The README's sample (the demo's buggy example, cut short) and its --json numbers."""
    import re
    readme = (ROOT / "README.md").read_text()
    sample = readme.split("```\nlesson 1.3: ")[1].split("```")[0]
    buggy = tmp_path / "buggy.py"
    buggy.write_text(example("1.3", "buggy"))
    assert main(["check", "1.3", str(buggy)]) == 0
    lines = iter(capsys.readouterr().out.splitlines())
    for line in ("lesson 1.3: " + sample).strip().splitlines():
        assert any(got == line for got in lines), f"README line not in the report, in order: {line!r}"
    total, task = re.search(r"lesson 1.3: (\d+)/24\n.*?train_batch +(\d+)/5", "lesson 1.3: " + sample, re.S).groups()
    assert f'"score": {total}.0, "max_score": 24.0' in readme
    assert f'"train_batch": {{"score": {task}.0, "max_score": 5.0' in readme


def test_a_directory_is_a_usage_error_that_says_so(capsys, tmp_path):
    assert main(["check", "1.3", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"error: {tmp_path} is a directory" in err and "does not exist" not in err


def test_help_describes_looplab_to_its_users(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "Learn the Training Loop with PyTorch" in out and "parse arguments" not in out


def test_grade_stops_before_any_work_with_one_error_and_hint(capsys, tmp_path):
    cases = {"no course": (tmp_path / "nowhere", "does not exist"),
             "no gradebook": (tmp_path / "fresh", "gradebook.db does not exist")}
    (tmp_path / "fresh" / "submitted").mkdir(parents=True)
    for name, (course, error) in cases.items():
        assert main(["grade", "lesson-1.3", "--course", str(course)]) == 2, name
        err = capsys.readouterr().err
        assert err.count("error: ") == 1 and error in err and "hint: " in err, (name, err)
        assert "student" not in err, name  # no summary table was printed
    (tmp_path / "fresh" / "gradebook.db").write_text("not a database")
    assert main(["grade", "lesson-1.3", "--course", str(tmp_path / "fresh")]) == 2
    err = capsys.readouterr().err
    assert "is not an nbgrader gradebook" in err and "generate_assignment" in err, err
    (tmp_path / "fresh" / "gradebook.db").unlink()
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{tmp_path / 'fresh' / 'gradebook.db'}"):
        pass  # a gradebook that does not know the assignment
    assert main(["grade", "lesson-1.3", "--course", str(tmp_path / "fresh")]) == 2
    err = capsys.readouterr().err
    assert "error: the gradebook has no assignment lesson-1.3" in err and "generate_assignment" in err
    with Gradebook(f"sqlite:///{tmp_path / 'fresh' / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment("lesson-1.3")  # known now, but nothing was collected
    assert main(["grade", "lesson-1.3", "--course", str(tmp_path / "fresh")]) == 2
    err = capsys.readouterr().err
    assert "error: no submissions of lesson-1.3 in" in err and "hint: collect them first" in err


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
    page, buggy = tmp_path / "feedback.html", tmp_path / "buggy.py"
    buggy.write_text(example("1.3", "buggy"))
    assert main(["check", "1.3", str(buggy), "--html", str(page)]) == 0
    html = page.read_text()
    assert "lesson-1.3" in html and "likely mistake" in html
    assert "feedback page:" in capsys.readouterr().err


def test_demo_checks_the_catalogue_examples_and_the_untouched_release(capsys):
    assert main(["demo", "1.3", "--json"]) == 0
    reports = {r["example"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert list(reports) == ["correct", "buggy", "slow", "untouched"]
    assert reports["correct"]["score"] == reports["correct"]["max_score"] > 0
    assert 0 < reports["buggy"]["score"] < reports["buggy"]["max_score"]
    assert 0 < reports["slow"]["score"] < reports["slow"]["max_score"]
    assert reports["untouched"]["score"] == 0


def test_new_scaffolds_a_lesson_that_nbgrader_can_release(capsys, tmp_path):
    import shutil

    from looplab.lessons import Lesson
    from looplab.release import solution_source, student_notebook
    from looplab.scaffold import new
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    made = new("9.1", "A scaffolded lesson", ["alpha", "beta"], root=tmp_path)
    rel = sorted(str(p.relative_to(tmp_path)) for p in made)
    assert rel == ["source/lesson-9.1/lesson-9.1.ipynb", "tests/hidden/l9_1/__init__.py",
                   "tests/hidden/l9_1/catalogue.py", "tests/hidden/l9_1/lesson.json",
                   "tests/hidden/l9_1/test_alpha.py", "tests/hidden/l9_1/test_beta.py"]
    lesson = Lesson("9.1", "A scaffolded lesson", ("alpha", "beta"))
    released = student_notebook(lesson, tmp_path)
    assert "NotImplementedError" in released and "BEGIN SOLUTION" not in released
    assert "hidden_score" not in released
    assert "def alpha(" in solution_source(lesson, tmp_path)
    with pytest.raises(Exception, match="exists already"):
        new("9.1", "again", ["alpha"], root=tmp_path)


def test_new_rejects_more_than_five_tasks(capsys):
    assert main(["new", "9.2", "too big", "a", "b", "c", "d", "e", "f"]) == 2
    assert "1 to 5 graded tasks" in capsys.readouterr().err


def test_an_unexpected_failure_says_looplab_failed_and_how_to_see_the_traceback(capsys, monkeypatch):
    import looplab.release
    def broken(*args, **kwargs):
        raise KeyError("boom")
    monkeypatch.setattr(looplab.release, "release", broken)
    assert main(["release", "--check"]) == 1
    err = capsys.readouterr().err
    assert "error: looplab failed: KeyError: 'boom'" in err and "hint: rerun with -v" in err
    assert "Traceback" not in err
    assert main(["-v", "release", "--check"]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_statuses_say_what_happened_untouched_missing_and_raising(capsys, tmp_path):
    """An untouched stub is `not_implemented`, an absent function `missing`, code that raises on
    every check `error`; the submission takes its tasks' worst status, never `ok` for these."""
    source = (ROOT / "solutions" / "lesson-1.6.py").read_text()
    stub = source.split("def fixed_train(")[0] + (
        "def fixed_train(X, y, w0, b0, batch_size, epochs, lr, generator):\n"
        "    raise NotImplementedError('fixed_train')\n")
    cases = {"stub": (stub, "not_implemented"),
             "absent": (source.split("def fixed_train(")[0], "missing"),
             "raises": (stub.replace("NotImplementedError('fixed_train')", "KeyError('w')"), "error")}
    for name, (text, status) in cases.items():
        path = tmp_path / f"{name}.py"
        path.write_text(text)
        assert main(["check", "1.6", str(path), "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["tasks"]["fixed_train"]["status"] == status, name
        assert report["tasks"]["quiz_answers"]["status"] == "ok", name
        assert report["status"] == status, name


def test_readme_lesson_table_lists_every_lesson_with_its_title_and_tasks():
    from looplab.lessons import LESSONS
    readme = (ROOT / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| ") and "`lesson-" in line]
    expected = [f"| {lesson.id} {lesson.title} | `{lesson.assignment}` | "
                + ", ".join(f"`{task}`" for task in lesson.tasks) + " |" for lesson in LESSONS.values()]
    assert rows == expected


def test_run_as_the_program_it_exits_quickly_yet_like_python_flushing_and_running_atexit(tmp_path):
    """`looplab` as a process skips Python's slow module teardown (`cli._exit_quickly`) but
    keeps the rest of an exit: piped output arrives whole, atexit handlers run, the status
    is the command's, and a reader that stops early gets no traceback."""
    import subprocess
    import sys

    from looplab.lessons import LESSONS
    script = ("import atexit, sys\n"
              "marker = sys.argv[1]\n"
              "atexit.register(lambda: open(marker, 'w').write('ran'))\n"
              "sys.argv[1:] = sys.argv[2:]\n"
              "from looplab.cli import main\n"
              "main()\n"
              "print('not reached')\n")
    marker = tmp_path / "atexit"
    out = subprocess.run([sys.executable, "-c", script, str(marker), "lessons"], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 0 and "not reached" not in out.stdout
    assert len(out.stdout.splitlines()) == len(LESSONS)  # block-buffered into a pipe, yet complete
    assert marker.read_text() == "ran"
    out = subprocess.run([sys.executable, "-c", script, str(marker), "check", "9.9", "x.py"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and out.stderr.startswith("error: unknown lesson")
    head = subprocess.run(f"{sys.executable} -m looplab lessons | head -1", shell=True,
                          capture_output=True, text=True, cwd=ROOT)
    assert head.stdout.count("\n") == 1 and "Traceback" not in head.stderr and "Exception" not in head.stderr


def test_called_as_a_function_main_returns(capsys):
    assert main(["lessons"]) == 0  # in-process callers (tests, hooks) keep their interpreter
