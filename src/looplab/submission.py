"""Turn a submitted file into the cells the student process runs.

A `.py` file is one cell. In a notebook every code cell runs in order except
the lesson's demonstrations (tag `demo`), its visible checks (tag `visible`) and
nbgrader test cells, so helpers a student adds in new cells are kept. IPython magics and shell lines are dropped.
"""

from __future__ import annotations

import json
from pathlib import Path

from looplab.errors import UsageError


def load_cells(path: Path) -> list[dict]:
    """Return [{"name", "source", "answer"}] to execute, or raise UsageError.

    `answer` marks nbgrader answer cells (and a .py file, all answer): other cells run
    under a time limit of their own (`Limits.cell_seconds`).
    """
    if path.is_dir():
        raise UsageError(f"{path} is a directory, not a submission",
                         f"pass the notebook (.ipynb) or Python file (.py) inside it, e.g. "
                         f"{path / 'lesson-M.L.ipynb'}")
    if not path.is_file():
        raise UsageError(f"{path} does not exist",
                         "pass the notebook (.ipynb) or Python file (.py) you want checked")
    if path.suffix == ".py":
        return [{"name": path.name, "source": path.read_text(errors="replace"), "answer": True}]
    if path.suffix != ".ipynb":
        raise UsageError(f"{path} is neither a notebook nor a Python file",
                         "looplab checks .ipynb and .py files")
    try:
        notebook = json.loads(path.read_text(errors="replace"))
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"{path} is not a valid Jupyter notebook",
                         "open it in Jupyter and save it again, or submit a .py file") from None
    return [{"name": _cell_name(i, cell), "source": _strip_magics(_source(cell)), "answer": _is_answer(cell)}
            for i, cell in enumerate(cells) if _runs(cell)]


def _is_answer(cell: dict) -> bool:
    """An nbgrader answer cell (a slow cell of any other kind is stopped, not fatal)."""
    return bool(((cell.get("metadata") or {}).get("nbgrader") or {}).get("solution"))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _runs(cell: dict) -> bool:
    if not isinstance(cell, dict) or cell.get("cell_type") != "code":
        return False
    meta = cell.get("metadata") or {}
    if {"demo", "visible"} & set(meta.get("tags") or []):
        return False
    nbgrader = meta.get("nbgrader") or {}
    return not (nbgrader.get("grade") and not nbgrader.get("solution"))


def _cell_name(index: int, cell: dict) -> str:
    grade_id = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
    return f"cell {index + 1}" + (f" ({grade_id})" if grade_id else "")


def _strip_magics(source: str) -> str:
    if source.lstrip().startswith("%%"):
        return ""
    lines = source.splitlines()
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            lines[i] = line[:len(line) - len(stripped)] + "pass  # IPython magic removed"
    return "\n".join(lines)
