"""Every instructor notebook runs top to bottom, and its hidden test cells give full marks.

This executes the notebooks as an instructor (or nbgrader) would, in a kernel:
demonstrations, visible checks, and the hidden cells, which check the notebook
itself with `looplab check` through looplab.nbgrader_hook.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT
from looplab import lessons


@pytest.mark.parametrize("lesson", lessons.LESSONS.values(), ids=lambda lesson: lesson.id)
def test_instructor_notebook_runs_and_scores_full_marks(lesson, tmp_path):
    path = tmp_path / lesson.source_notebook(ROOT).name
    shutil.copy(lesson.source_notebook(ROOT), path)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        assert results, f"{meta['grade_id']} produced no score"
        assert float(results[-1].data["text/plain"]) == meta["points"], (
            f"{meta['grade_id']}: hidden checks gave {results[-1].data['text/plain']} of "
            f"{meta['points']}:\n" + "".join(o.get("text", "") for o in cell.outputs))
