"""Every instructor notebook runs top to bottom in a kernel, as an instructor (or nbgrader) runs it.

Demonstrations and visible checks execute for real. The graded cells are checked for what they
hold (only comments, the hidden call `hidden_score("M.L", "<task>")` for their own lesson
and task, and after it the visible `written("<task>")` that makes Validate fail on a stub); only
that visible line runs here, so it is proven to pass on every reference. The hidden call is not: each would grade the notebook's own reference once more,
which `test_catalogues` already does for every lesson, and the call itself is exercised end to
end through `nbgrader autograde` in `test_nbgrader`.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT
from looplab import lessons


def _graded(notebook) -> list:
    return [c for c in notebook.cells if c.cell_type == "code"
            and c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution")]


@pytest.mark.parametrize("lesson", lessons.LESSONS.values(), ids=lambda lesson: lesson.id)
def test_instructor_notebook_runs_top_to_bottom(lesson, tmp_path):
    path = tmp_path / lesson.source_notebook(ROOT).name
    shutil.copy(lesson.source_notebook(ROOT), path)
    notebook = nbformat.read(path, as_version=4)
    for cell in _graded(notebook):
        task = cell.metadata["nbgrader"]["grade_id"].removeprefix("test_")
        code = [ln.split("  #")[0] for ln in cell.source.splitlines()
                if ln.strip() and not ln.lstrip().startswith("#")]
        hidden = ["from looplab.nbgrader_hook import hidden_score", f'hidden_score("{lesson.id}", "{task}")']
        visible = ["from looplab.nbgrader_hook import written", f'written("{task}")']
        assert code == hidden + visible, cell.source
        # the visible line runs: it must pass on the reference (it fails Validate on a stub)
        cell.source = "\n".join(visible)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
