"""An installed looplab: `uv build` makes a wheel that carries the lessons, and the wheel,
installed into a fresh environment outside the checkout, starts and checks a lesson from
any directory, sandbox included.

One build and one install per module (a few seconds: the environment's packages are
hard-linked from uv's cache, which `uv sync` filled, so nothing is downloaded).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REFERENCE_1_3, ROOT
from looplab import lessons
from looplab.sandbox import bwrap

LESSON = lessons.get("1.3")


def _uv(*args: str, cwd: Path = ROOT) -> None:
    subprocess.run(["uv", *args], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _uv("build", "--wheel", "-q", "-o", str(dist))
    (found,) = dist.glob("looplab-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> dict[str, str]:
    """The environment (PATH first) of a fresh venv with the wheel and the locked dependencies."""
    place = tmp_path_factory.mktemp("installed")
    venv = place / "env"
    _uv("venv", "-q", "--python", sys.executable, str(venv))
    _uv("export", "--frozen", "--no-dev", "--no-emit-project", "--format", "pylock.toml", "-q",
        "-o", str(place / "pylock.toml"))
    _uv("pip", "install", "-q", "--offline", "--python", str(venv / "bin" / "python"),
        "-r", str(place / "pylock.toml"))
    _uv("pip", "install", "-q", "--offline", "--no-deps", "--python", str(venv / "bin" / "python"), str(wheel))
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV")}  # as a shell has it
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def _run(env: dict[str, str], cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def learner(installed, tmp_path_factory) -> Path:
    """A directory outside the checkout where `looplab start 1.3` ran once."""
    here = tmp_path_factory.mktemp("learner")
    assert not here.is_relative_to(ROOT)
    proc = _run(installed, here, "looplab", "start", "1.3")
    assert proc.returncode == 0, proc.stderr
    (here / "start.out").write_text(proc.stdout)
    return here


def test_wheel_carries_every_lessons_notebook_solution_checks_and_catalogue(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for lesson in lessons.LESSONS.values():
        data = "looplab/_data/"
        assert f"{data}release/{lesson.assignment}/{lesson.assignment}.ipynb" in names, lesson.id
        assert f"{data}solutions/{lesson.assignment}.py" in names, lesson.id
        checks = f"{data}tests/hidden/{lesson.checks_dir(Path()).name}/"
        expected = {"lesson.json", "catalogue.py", "__init__.py", *(f"test_{t}.py" for t in lesson.tasks)}
        assert {n.removeprefix(checks) for n in names if n.startswith(checks)} >= expected, lesson.id
    assert "looplab/checks/pytest.ini" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("source/", "tests/kit"))]


def test_installed_looplab_reads_its_lessons_from_the_package_not_a_checkout(installed, learner):
    proc = _run(installed, learner, "python", "-c",
                "from looplab import lessons; print(lessons.checkout(), lessons.data_root(), len(lessons.LESSONS))")
    found, data, count = proc.stdout.split()
    assert found == "None" and data.endswith("site-packages/looplab/_data"), proc.stdout
    assert int(count) == len(lessons.LESSONS)
    proc = _run(installed, learner, "looplab", "release", "--check")
    assert proc.returncode == 2 and "error: looplab release edits the course's source files" in proc.stderr
    assert "hint: run it in a clone" in proc.stderr


def test_start_copies_the_student_notebook_and_never_overwrites_it(installed, learner):
    notebook = learner / "lesson-1.3.ipynb"
    assert notebook.read_bytes() == LESSON.release_notebook(ROOT).read_bytes()
    said = (learner / "start.out").read_text()
    assert "jupyter lab lesson-1.3.ipynb" in said and "looplab check 1.3 lesson-1.3.ipynb" in said
    assert "not on your PATH" not in said and "through uv" not in said  # its bin/ is first on PATH
    again = _run(installed, learner, "looplab", "start", "1.3")
    assert again.returncode == 2 and "error: " in again.stderr and "hint: " in again.stderr
    assert notebook.read_bytes() == LESSON.release_notebook(ROOT).read_bytes()


def test_untouched_notebook_scores_zero_with_not_implemented_everywhere(installed, learner):
    proc = _run(installed, learner, "looplab", "check", "1.3", "lesson-1.3.ipynb", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["score"] == 0 and report["max_score"] > 0
    assert {t["status"] for t in report["tasks"].values()} == {"not_implemented"}
    assert list(report["tasks"]) == list(LESSON.tasks)


SNOOP = '''
import os
import looplab
_data = os.path.join(os.path.dirname(looplab.__file__), "_data")
print("SNOOP", sorted(os.listdir(_data)) if os.path.isdir(_data) else "absent")
'''


@pytest.fixture(scope="module")
def solution_report(installed, learner, tmp_path_factory) -> dict:
    """The reference solution, plus a look for the installed lessons, checked from a third directory."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (learner / "mine.py").write_text(REFERENCE_1_3 + SNOOP)
    proc = _run(installed, elsewhere, "looplab", "check", "1.3", str(learner / "mine.py"), "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_reference_solution_gets_full_marks_from_any_directory(solution_report):
    assert solution_report["score"] == solution_report["max_score"] > 0
    assert {t["status"] for t in solution_report["tasks"].values()} == {"ok"}


@pytest.mark.skipif(bwrap.available() is not None, reason=f"no sandbox here: {bwrap.available()}")
def test_sandbox_hides_the_lessons_an_installed_looplab_carries(solution_report):
    assert solution_report["sandbox"] == "bubblewrap"
    assert "SNOOP []" in solution_report["output"] or "SNOOP absent" in solution_report["output"]
