"""The instructor's course directory: the current directory (it holds nbgrader_config.py),
as with nbgrader, unless `--course` names another; never where looplab's code lives."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from looplab import lessons
from looplab.cli import main
from looplab.course import course_dir
from looplab.errors import UsageError


def _course(place: Path) -> Path:
    """A course directory with a config and a submission, but no gradebook yet."""
    (place / "submitted" / "ada" / "lesson-1.3").mkdir(parents=True)
    (place / "nbgrader_config.py").write_text("c = get_config()\n")
    return place


@pytest.mark.parametrize("command", ["grade", "merge", "report"])
def test_a_directory_without_nbgrader_config_is_not_a_course(command, tmp_path, monkeypatch, capsys):
    (tmp_path / "submitted").mkdir()  # looks like a course, but nbgrader would not take it either
    monkeypatch.chdir(tmp_path)
    assert main([command, "lesson-1.3"]) == 2
    err = capsys.readouterr().err
    assert err.count("error: ") == 1 and f"{tmp_path} is not a course directory" in err
    assert "hint: cd into your course directory" in err and "--course" in err


@pytest.mark.parametrize("command", ["grade", "merge"])
def test_the_current_directory_is_the_course(command, tmp_path, monkeypatch, capsys):
    course = _course(tmp_path)
    monkeypatch.chdir(course)
    assert main([command, "1.3"]) == 2  # it got as far as the gradebook, in this directory
    err = capsys.readouterr().err
    assert f"{course / 'gradebook.db'} does not exist" in err, err


def test_course_option_overrides_the_current_directory(tmp_path, monkeypatch, capsys):
    course = _course(tmp_path / "course")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert main(["grade", "1.3", "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert "not a course directory" not in err and f"{course / 'gradebook.db'} does not exist" in err


def test_course_dir_contract(tmp_path):
    assert course_dir(tmp_path) == tmp_path  # --course needs no config: nbgrader's own may live elsewhere
    with pytest.raises(UsageError, match="does not exist"):
        course_dir(tmp_path / "nowhere")
    with pytest.raises(UsageError, match="has no nbgrader_config.py"):
        course_dir(cwd=tmp_path)
    assert course_dir(cwd=_course(tmp_path)) == tmp_path


def test_a_checkout_uses_its_own_live_lesson_files():
    here = Path(__file__).resolve().parents[2]
    assert lessons.checkout() == here == ROOT and lessons.data_root() == here


@pytest.mark.parametrize("argv", [["release", "--check"], ["new", "9.1", "A title", "f"]])
def test_authoring_commands_need_a_checkout(argv, monkeypatch, capsys):
    monkeypatch.setattr(lessons, "checkout", lambda: None)  # as in an installed looplab
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"error: looplab {argv[0]} edits the course's source files" in err and "hint: " in err
