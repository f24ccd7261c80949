"""`looplab new M.L "title" task...`: the files of a new lesson, ready to fill in.

Writes `tests/hidden/lM_L/` (lesson.json, one `test_<task>.py` per task, `catalogue.py`)
and `source/lesson-M.L/lesson-M.L.ipynb` (the course's sections, and per task an answer
cell, a visible-checks cell and the graded cell with the hidden call, all with nbgrader's
metadata). Never overwrites: an existing lesson is a usage error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from looplab import lessons
from looplab.errors import UsageError

SECTIONS = [("intro", "# Lesson {id}: {title}\n\nWhat this lesson is about, and which earlier result it builds on."),
            ("eli5", "## Explain it like I'm five\n\nThe idea in everyday words."),
            ("math", "## Mathematical foundations\n\nEach formula in `$...$` or `$$...$$`, explained in words."),
            ("in-depth", "## In depth\n\nWhy it works, when it fails, what PyTorch does."),
            ("setup", "## Setup\n\nThe imports used throughout. Run this cell first.")]
CLOSING = ("summary", "## Summary and key takeaways\n\n- One line per idea the student should keep.")


def _nbgrader(grade_id: str, *, grade: bool = False, solution: bool = False,
              points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _cell(kind: str, cell_id: str, source: str, metadata: dict | None = None) -> dict:
    cell = {"cell_type": kind, "id": cell_id, "metadata": metadata or {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _task_cells(lesson_id: str, number: int, task: str) -> list[dict]:
    stub = (f"def {task}(x: Tensor) -> Tensor:\n"
            f'    """One line on what {task} computes.\n\n'
            f"    Args:\n        x: shape, dtype and meaning.\n\n"
            f"    Returns:\n        shape, dtype and meaning (plain Python types where floats are returned).\n\n"
            f"    Randomness: only a torch.Generator it is given. Inputs are left unchanged.\n"
            f"    Raises ValueError when ...\n"
            f'    """\n    ### BEGIN SOLUTION\n    return x.clone()\n    ### END SOLUTION')
    visible = (f"# Visible checks for {task}: fast, never revealing the answer.\n"
               f"assert {task}(torch.zeros(3)).shape == (3,), \"{task} must keep the shape\"\n"
               f"print(\"{task}: visible checks passed\")")
    graded = graded_cell_source(lesson_id, task)
    return [_cell("markdown", f"md-ex-{task}", f"### Exercise {number}: `{task}`\n\nWhat to write and why."),
            _cell("code", f"answer-{task}", stub, _nbgrader(task, solution=True)),
            _cell("code", f"test-{task}-visible", visible,
                  {**_nbgrader(f"visible_{task}"), "tags": ["visible"]}),
            _cell("code", f"test-{task}", graded, _nbgrader(f"test_{task}", grade=True, points=1))]


def graded_cell_source(lesson_id: str, task: str) -> str:
    """A graded cell: the hidden call (autograde), then the visible line that makes
    Validate fail while `task` is missing or still the stub (see looplab.nbgrader_hook)."""
    return (f"# Graded: the hidden checks for `{task}` run here when the notebook is graded\n"
            f"# (`uv run looplab check` runs them too). The checks above are only a first test.\n"
            f"### BEGIN HIDDEN TESTS\nfrom looplab.nbgrader_hook import hidden_score\n"
            f"hidden_score(\"{lesson_id}\", \"{task}\")\n### END HIDDEN TESTS\n"
            f"from looplab.nbgrader_hook import written\n"
            f"written(\"{task}\")  # Validate fails here until {task} is written")


def rewrite_graded_cells(path: Path | str) -> int:
    """Give every graded cell of the notebook at `path` (source/lesson-M.L/lesson-M.L.ipynb)
    the source `graded_cell_source` makes; return how many cells changed."""
    path = Path(path)
    text = path.read_text()
    lesson_id = path.stem.removeprefix("lesson-")
    data = json.loads(text)
    changed = 0
    for cell in data["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("grade") and not meta.get("solution"):
            new = graded_cell_source(lesson_id, meta["grade_id"].removeprefix("test_"))
            lines = new.splitlines(keepends=True)
            if cell["source"] != lines and cell["source"] != new:
                cell["source"], changed = lines, changed + 1
    if changed:
        path.write_text(json.dumps(data, indent=1, ensure_ascii=text.isascii()) + "\n")
    return changed


def notebook(lesson_id: str, title: str, tasks: list[str]) -> dict:
    cells = [_cell("markdown", f"md-{name}", text.format(id=lesson_id, title=title))
             for name, text in SECTIONS]
    cells.append(_cell("code", "setup", "import torch\nfrom torch import Tensor\nimport matplotlib.pyplot as plt",
                       _nbgrader("setup")))
    for number, task in enumerate(tasks, 1):
        cells += _task_cells(lesson_id, number, task)
    cells.append(_cell("markdown", f"md-{CLOSING[0]}", CLOSING[1]))
    meta = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}}
    return {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}


def _check_module(lesson_id: str, task: str) -> str:
    return f'''"""Hidden checks for `{task}`."""

from looplab.checks import assert_tensor, gen, points


@points("{task}", 1)
def test_matches_reference(student, reference):
    x = torch.randn(5, generator=gen(0))
    assert_tensor(student.{task}(x), reference.{task}(x), what="{task}", setting="x of shape (5,)")
'''.replace("from looplab.checks", "import torch\n\nfrom looplab.checks", 1)


def _catalogue(lesson_id: str, tasks: list[str]) -> str:
    first = tasks[0]
    return f'''"""Lesson {lesson_id}'s proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake must lose points on its task (named there) and nowhere
else; each alternative keeps full marks. The bar: at least 12 mistakes, 3 alternatives.
"""

from looplab.catalogue import Alternative, Mistake, mutate, reference_source

REFERENCE = reference_source("{lesson_id}")

MISTAKES = [
    Mistake("example_mistake", "{first}", mutate(REFERENCE, "return x.clone()", "return x"),
            named="what the failure message says", example="buggy"),
]

ALTERNATIVES = [
    Alternative("example_style", REFERENCE.replace("x.clone()", "x.detach().clone()"),
                style="what it does differently", example="correct"),
]
'''


def new(lesson_id: str, title: str, tasks: list[str], *, root: Path | None = None) -> list[Path]:
    """Create the lesson's files; return their paths. Then `looplab release M.L`."""
    root = root or lessons.require_checkout("looplab new")
    if not re.fullmatch(r"\d+\.\d+", lesson_id):
        raise UsageError(f"lesson id {lesson_id!r} is not of the form M.L", "e.g. `looplab new 2.1 \"title\" relu`")
    if not tasks or len(tasks) > 5 or not all(t.isidentifier() for t in tasks):
        raise UsageError("a lesson has 1 to 5 graded tasks, each a Python function name",
                         "e.g. `looplab new 2.1 \"From linear to nonlinear\" relu mlp_forward`")
    lesson = lessons.Lesson(lesson_id, title, tuple(tasks))
    checks, source = lesson.checks_dir(root), lesson.source_notebook(root)
    if checks.exists() or source.exists():
        raise UsageError(f"lesson {lesson_id} exists already", f"edit {checks.relative_to(root)}/ instead")
    files = {checks / "__init__.py": f'"""Hidden checks for lesson {lesson_id}: {title}."""\n',
             checks / "lesson.json": json.dumps({"id": lesson_id, "title": title, "tasks": tasks,
                                                 "limits": {}}, indent=2) + "\n",
             checks / "catalogue.py": _catalogue(lesson_id, tasks),
             source: json.dumps(notebook(lesson_id, title, tasks), indent=1) + "\n"}
    files.update({checks / f"test_{task}.py": _check_module(lesson_id, task) for task in tasks})
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return sorted(files)
