"""`looplab gradescope`: the autograder zip, unpacked and run the way Gradescope runs it.

The bundle is built once per module. Each kind of submission gets its own root laid out
like Gradescope's `/autograder` (source/ = the unpacked zip, submission/, results/,
run_autograder) and `run_autograder` runs once on it, with this checkout's Python standing
in for the environment `setup.sh` would install. The hanging submission meets short limits
set the way a lesson sets them: `limits` in the bundle's `lesson.json`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from conftest import REFERENCE_1_3, example
from looplab import lessons
from looplab.check import max_points
from looplab.cli import main
from looplab.gradescope import autograde

LESSON = lessons.get("1.3")
FULL = sum(max_points(LESSON, lessons.data_root()).values())  # the lesson's points
LAST = LESSON.tasks[-1]  # no other task's code calls it
SHORT_LIMITS = {"call_seconds": 2.0, "load_seconds": 5.0, "total_seconds": 30.0}
HANGING = REFERENCE_1_3 + f"\n\ndef {LAST}(*args, **kwargs):\n    while True:\n        pass\n"

# Gradescope's documented results.json fields
# (https://gradescope-autograders.readthedocs.io/en/latest/specs/)
TOP_FIELDS = {"score", "execution_time", "output", "output_format", "test_output_format",
              "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
              "leaderboard"}
TEST_FIELDS = {"score", "max_score", "status", "name", "name_format", "number", "output",
               "output_format", "tags", "visibility", "extra_data"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def schema_errors(results: dict) -> list[str]:
    """What in `results` breaks Gradescope's documented format (empty when nothing)."""
    number = (int, float)
    errors = [f"unknown field {key!r}" for key in set(results) - TOP_FIELDS]
    if not isinstance(results.get("score"), number) or isinstance(results.get("score"), bool):
        errors.append("score must be a number (no test carries the total otherwise)")
    for key in ("output_format", "test_output_format"):
        if key in results and results[key] not in FORMATS:
            errors.append(f"{key} {results[key]!r} is not one of {sorted(FORMATS)}")
    for key in ("visibility", "stdout_visibility"):
        if key in results and results[key] not in VISIBILITIES:
            errors.append(f"{key} {results[key]!r} is not one of {sorted(VISIBILITIES)}")
    for key, kind in (("output", str), ("execution_time", number), ("extra_data", dict), ("tests", list)):
        if key in results and not isinstance(results[key], kind):
            errors.append(f"{key} has the wrong type")
    for i, test in enumerate(results.get("tests", [])):
        errors += [f"tests[{i}]: unknown field {key!r}" for key in set(test) - TEST_FIELDS]
        if not isinstance(test.get("name"), str) or not isinstance(test.get("output", ""), str):
            errors.append(f"tests[{i}]: name and output must be strings")
        if not all(isinstance(test.get(k), number) for k in ("score", "max_score")):
            errors.append(f"tests[{i}]: score and max_score must be numbers")
        elif not 0 <= test["score"] <= test["max_score"]:
            errors.append(f"tests[{i}]: score {test['score']} outside 0..{test['max_score']}")
        if test.get("status", "passed") not in ("passed", "failed"):
            errors.append(f"tests[{i}]: status {test['status']!r}")
        if test.get("visibility", "visible") not in VISIBILITIES:
            errors.append(f"tests[{i}]: visibility {test['visibility']!r}")
        if test.get("output_format", "text") not in FORMATS:
            errors.append(f"tests[{i}]: output_format {test['output_format']!r}")
    return errors


def test_schema_check_catches_what_gradescope_rejects():
    good = {"score": 1.0, "output": "x", "output_format": "text", "tests": [
        {"name": "t", "score": 1.0, "max_score": 2.0, "status": "failed", "visibility": "visible"}]}
    assert schema_errors(good) == []
    bad = {"score": "1", "output_format": "markdown", "grade": 3, "tests": [
        {"name": "t", "score": 3.0, "max_score": 2.0, "status": "partial", "visibility": "public"}]}
    assert len(schema_errors(bad)) == 6


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    assert main(["gradescope", "lesson-1.3", "-o", str(path)]) == 0
    return path


def unpack(bundle: Path, root: Path) -> Path:
    """Lay `root` out as Gradescope does: the zip in source/ (modes kept), run_autograder
    copied beside it, an empty submission/ and results/."""
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            target = archive.extract(info, root / "source")
            os.chmod(target, (info.external_attr >> 16) & 0o777)
    (root / "run_autograder").write_bytes((root / "source" / "run_autograder").read_bytes())
    (root / "run_autograder").chmod(0o755)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


def run_autograder(root: Path, **env: str) -> dict:
    """Run the unpacked run_autograder as Gradescope does; return its results.json."""
    environment = {k: v for k, v in os.environ.items() if k != "LOOPLAB_NO_SANDBOX"}
    environment |= {"LOOPLAB_AUTOGRADER_ROOT": str(root), "LOOPLAB_AUTOGRADER_PYTHON": sys.executable, **env}
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=environment,
                          capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stdout + done.stderr
    (root / "stdout").write_text(done.stdout + done.stderr)  # Gradescope's results/stdout
    results = json.loads((root / "results" / "results.json").read_text())
    assert schema_errors(results) == [], results
    return results


def by_name(results: dict) -> dict[str, dict]:
    return {test["name"]: test for test in results["tests"]}


def test_bundle_holds_the_scripts_and_one_lessons_files_only(bundle, tmp_path):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        scripts = {name: archive.read(name).decode() for name in ("setup.sh", "run_autograder")}
    assert {"setup.sh", "run_autograder", "pyproject.toml", "uv.lock", "README.md",
            "solutions/lesson-1.3.py", "tests/hidden/l1_3/lesson.json",
            "src/looplab/gradescope/autograde.py"} <= set(names)
    assert all(modes[name] & 0o111 for name in scripts)  # Gradescope executes them
    assert not [n for n in names if n.startswith(("release/", "source/", ".venv/", "tests/kit/"))
                or "__pycache__" in n or n.endswith(".pyc")
                or (n.startswith(("tests/hidden/l", "solutions/")) and "1_3" not in n and "1.3" not in n)]
    assert bundle.stat().st_size < 1024 * 1024
    for name, text in scripts.items():
        checked = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
        assert checked.returncode == 0, f"{name}: {checked.stderr}"
        assert "__LOOPLAB_" not in text and "1.3" in text
    assert "uv sync --frozen --no-dev" in scripts["setup.sh"]
    assert "bubblewrap" in scripts["setup.sh"] and "looplab.gradescope.autograde" in scripts["run_autograder"]
    again = tmp_path / "again.zip"
    assert main(["gradescope", "1.3", "-o", str(again)]) == 0
    assert again.read_bytes() == bundle.read_bytes()  # same inputs, same bytes


def test_correct_notebook_scores_full_marks_and_says_what_was_checked(bundle, tmp_path):
    root = unpack(bundle, tmp_path)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(REFERENCE_1_3)])
    nbformat.write(notebook, root / "submission" / "lesson-1.3.ipynb")
    (root / "submission" / "scratch").mkdir()
    (root / "submission" / "scratch" / "notes.py").write_text("raise SystemExit('not this one')\n")
    results = run_autograder(root)
    assert results["score"] == FULL
    assert list(by_name(results)) == list(LESSON.tasks)
    assert all(t["status"] == "passed" and t["score"] == t["max_score"] > 0 for t in results["tests"])
    assert "checked: lesson-1.3.ipynb (also uploaded, not checked: scratch/notes.py)" in results["output"]
    assert "protection: " in results["output"]
    assert f"course files from {root / 'source'}" in (root / "stdout").read_text()  # the bundle's looplab


def test_buggy_file_loses_its_tasks_points_and_names_the_container_as_protection(bundle, tmp_path):
    root = unpack(bundle, tmp_path)
    (root / "submission" / "hw").mkdir()
    (root / "submission" / "hw" / "buggy.py").write_text(example("1.3", "buggy"))
    results = run_autograder(root, LOOPLAB_NO_SANDBOX="1")
    tests = by_name(results)
    assert tests["train_batch"]["status"] == "failed"
    assert tests["train_batch"]["score"] < tests["train_batch"]["max_score"]
    assert "recorded after the update" in tests["train_batch"]["output"]
    assert tests["minibatch_indices"]["status"] == "passed"
    assert results["score"] == sum(t["score"] for t in results["tests"]) < FULL
    assert "checked: hw/buggy.py" in results["output"]
    assert ("protection: Gradescope's per-submission container alone (bubblewrap could not run: "
            "disabled by LOOPLAB_NO_SANDBOX)") in results["output"]


def test_hanging_function_times_out_and_the_rest_is_graded(bundle, tmp_path):
    root = unpack(bundle, tmp_path)
    meta = root / "source" / "tests" / "hidden" / "l1_3" / "lesson.json"
    meta.write_text(json.dumps(json.loads(meta.read_text()) | {"limits": SHORT_LIMITS}))
    (root / "submission" / "solution.py").write_text(HANGING)
    results = run_autograder(root)
    tests = by_name(results)
    assert tests[LAST]["status"] == "failed" and tests[LAST]["score"] == 0
    assert tests[LAST]["output"].startswith("status: timeout")
    assert all(t["status"] == "passed" for name, t in tests.items() if name != LAST)
    assert results["score"] == FULL - tests[LAST]["max_score"]
    assert results["output"].startswith(f"lesson 1.3: {results['score']:g}/{FULL:g}  [timeout]")


def test_empty_upload_scores_zero_with_what_to_upload(bundle, tmp_path):
    root = unpack(bundle, tmp_path)
    results = run_autograder(root)
    assert results["score"] == 0
    assert list(by_name(results)) == list(LESSON.tasks)
    assert sum(t["max_score"] for t in results["tests"]) == FULL  # the tasks' points still show
    assert all(t["status"] == "failed" and t["score"] == 0 for t in results["tests"])
    assert "no notebook (.ipynb) or Python file (.py) was uploaded" in results["output"]
    assert "status: missing" in results["tests"][0]["output"]


def test_an_autograder_that_cannot_start_still_leaves_results(bundle, tmp_path):
    root = unpack(bundle, tmp_path)
    (root / "submission" / "lesson-1.3.py").write_text(REFERENCE_1_3)
    results = run_autograder(root, LOOPLAB_AUTOGRADER_PYTHON="/bin/false")
    assert results["score"] == 0 and results["tests"] == []
    assert "could not grade this submission: it stopped with exit status 1" in results["output"]


def test_the_submission_is_the_notebook_named_after_the_assignment(tmp_path):
    for name in ("b/lesson-1.3.py", "a.ipynb", "z/lesson-1.3.ipynb", "helper.py",
                 ".ipynb_checkpoints/lesson-1.3.ipynb", "__MACOSX/lesson-1.3.ipynb", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    found = [p.relative_to(tmp_path).as_posix() for p in autograde.candidates(tmp_path, LESSON)]
    assert found == ["z/lesson-1.3.ipynb", "b/lesson-1.3.py", "a.ipynb", "helper.py"]
    assert autograde.candidates(tmp_path / "absent", LESSON) == []


def test_solutions_and_hidden_checks_are_locked_away_only_where_student_code_drops_root(tmp_path):
    from looplab.sandbox.limits import can_drop_root
    for secret in ("solutions", "tests/hidden"):
        (tmp_path / secret).mkdir(parents=True)
        (tmp_path / secret).chmod(0o755)
    locked = autograde.lock_away(tmp_path)
    assert locked == (os.geteuid() == 0 and can_drop_root())
    modes = {(tmp_path / s).stat().st_mode & 0o777 for s in ("solutions", "tests/hidden")}
    assert modes == ({0o700} if locked else {0o755})
    assert "readable by root only" in autograde.protection("bubblewrap is not installed", True)
    assert "readable by root only" not in autograde.protection("bubblewrap is not installed", False)
