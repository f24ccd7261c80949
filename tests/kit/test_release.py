"""Generated files stay generated: release/ and solutions/ match what `looplab release` makes."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from looplab import lessons
from looplab.release import outputs, same, solution_source
from looplab.scaffold import graded_cell_source
from looplab.submission import load_cells


def test_committed_release_and_solutions_match_the_source_notebooks():
    stale = [str(path.relative_to(ROOT)) for path, text in outputs(list(lessons.LESSONS.values()), ROOT).items()
             if not path.exists() or path.read_text() != text]
    assert not stale, f"out of date: {stale}; run `uv run looplab release` and commit"


@pytest.mark.parametrize("lesson", lessons.LESSONS.values(), ids=lambda lesson: lesson.id)
def test_student_notebook_has_stubs_and_no_solutions_or_hidden_tests(lesson):
    text = lesson.release_notebook(ROOT).read_text()
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "hidden_score" not in text
    stubs = [c for c in load_cells(lesson.release_notebook(ROOT)) if "NotImplementedError" in c["source"]]
    graded = {c["name"].split("(")[-1].rstrip(")") for c in stubs}
    assert set(lesson.tasks) <= graded


@pytest.mark.parametrize("lesson", lessons.LESSONS.values(), ids=lambda lesson: lesson.id)
def test_reference_is_the_source_notebooks_graded_code(lesson):
    source = solution_source(lesson, ROOT)
    assert "### BEGIN SOLUTION" not in source
    for task in lesson.tasks:  # a task is a function, or a class (a student's Value, say)
        assert f"def {task}(" in source or f"class {task}" in source


@pytest.mark.parametrize("lesson", lessons.LESSONS.values(), ids=lambda lesson: lesson.id)
def test_every_graded_test_cell_is_worth_what_the_hidden_checks_give(lesson):
    from looplab.check import max_points
    notebook = json.loads(lesson.source_notebook(ROOT).read_text())
    cell_points = {c["metadata"]["nbgrader"]["grade_id"].removeprefix("test_"): c["metadata"]["nbgrader"]["points"]
                   for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade")}
    assert cell_points == max_points(lesson, ROOT)


@pytest.mark.parametrize("lesson", lessons.LESSONS.values(), ids=lambda lesson: lesson.id)
def test_graded_cells_hold_only_the_hidden_call_so_nbgrader_gives_partial_credit(lesson):
    """A failing visible assert in a graded cell would zero the task under nbgrader;
    visible checks live in their own ungraded cells (tag `visible`). The one visible line
    allowed, `written(task)`, comes after the hidden call and then returns its score."""
    notebook = json.loads(lesson.source_notebook(ROOT).read_text())
    graded = [c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade")
              and not c["metadata"]["nbgrader"].get("solution")]
    assert len(graded) == len(lesson.tasks)
    for cell in graded:
        text = "".join(cell["source"])
        before, hidden = text.split("### BEGIN HIDDEN TESTS")
        hidden, after = hidden.split("### END HIDDEN TESTS")
        assert all(not line.strip() or line.lstrip().startswith("#") for line in before.splitlines())
        assert "hidden_score(" in hidden
        # after the hidden call, only the visible line that fails Validate on a stub, which
        # under autograde hands back the hidden score (looplab.nbgrader_hook.written)
        task = cell["metadata"]["nbgrader"]["grade_id"].removeprefix("test_")
        assert after.strip() == graded_cell_source(lesson.id, task).split("### END HIDDEN TESTS\n")[1].strip()


def test_drift_check_ignores_the_kernel_metadata_jupyterlab_adds_on_open(tmp_path):
    path = lessons.get("1.3").release_notebook(ROOT)
    generated = path.read_text()
    opened = json.loads(generated)
    opened["metadata"]["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    opened["metadata"]["language_info"] = {"name": "python", "version": "3.11.7", "mimetype": "text/x-python"}
    assert same(path, json.dumps(opened, indent=2), generated)
    opened["cells"][0]["source"] = "edited"
    assert not same(path, json.dumps(opened), generated)
    solution = lessons.get("1.3").solution(ROOT)
    assert not same(solution, solution.read_text() + "# edited\n", solution.read_text())
