"""`looplab start M.L`: the student notebook, copied into the current directory."""

from __future__ import annotations

from conftest import ROOT
from looplab import lessons
from looplab.cli import main

LESSON = lessons.get("1.3")


def test_start_copies_the_release_notebook_and_says_what_next(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["start", "lesson-1.3"]) == 0
    assert (tmp_path / "lesson-1.3.ipynb").read_bytes() == LESSON.release_notebook(ROOT).read_bytes()
    out = capsys.readouterr().out
    assert out.startswith(f"created lesson-1.3.ipynb in {tmp_path}: lesson 1.3, {LESSON.title}")
    assert "jupyter lab lesson-1.3.ipynb" in out and "looplab check 1.3 lesson-1.3.ipynb" in out


def test_start_never_overwrites_a_notebook_that_is_there(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lesson-1.3.ipynb").write_text("my work")
    assert main(["start", "1.3"]) == 2
    err = capsys.readouterr().err
    assert "error: " in err and "exists already" in err and "hint: open it and carry on" in err
    assert (tmp_path / "lesson-1.3.ipynb").read_text() == "my work"


def test_start_of_an_unknown_lesson_suggests_one(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["start", "1.33"]) == 2
    assert "did you mean 1.3?" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_start_tells_how_to_run_the_next_commands_where_plain_ones_would_not_work(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("UV", "uv")  # run by `uvx` or `uv run`
    assert main(["start", "1.3"]) == 0
    assert "you ran looplab through uv: run both commands the same way" in capsys.readouterr().out
    monkeypatch.delenv("UV")
    monkeypatch.setenv("PATH", str(tmp_path))  # neither jupyter nor looplab on PATH
    (tmp_path / "lesson-1.3.ipynb").unlink()
    assert main(["start", "1.3"]) == 0
    assert "not on your PATH: this looplab's jupyter and looplab; run them from" in capsys.readouterr().out
