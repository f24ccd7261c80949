"""What a notebook's hidden test cell calls when nbgrader autogrades it.

`hidden_score("1.3", "train_batch")` checks the notebook file being graded with
`looplab check` in a fresh process (once per notebook; later cells reuse the
report), prints the task's failed checks, and returns the task's score. nbgrader
reads a number as the cell's execute_result as partial credit. Nothing is
written to stderr: nbgrader gives zero to a test cell that writes there.

This path exists so that `nbgrader autograde` works; it runs inside the
student's kernel, which the student's own code could tamper with. For grading
that a hostile submission cannot influence, use `looplab check` or grade the
class with looplab directly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_REPORTS: dict[tuple[str, str, float], dict] = {}


def _notebook(lesson_id: str) -> Path:
    name = f"lesson-{lesson_id}.ipynb"
    path = Path.cwd() / name
    if not path.exists():
        raise RuntimeError(f"looplab: cannot find {name} in {Path.cwd()}; the hidden checks "
                           f"need the notebook file next to the running kernel")
    return path


def report(lesson_id: str) -> dict:
    """The full `looplab check --json` report of the notebook in the current directory."""
    path = _notebook(lesson_id)
    key = (lesson_id, str(path), path.stat().st_mtime)
    if key not in _REPORTS:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "PYDEVD"))}
        proc = subprocess.run([sys.executable, "-m", "looplab", "check", lesson_id, str(path), "--json"],
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"looplab check failed: {proc.stderr.strip()[-2000:]}")
        _REPORTS[key] = json.loads(proc.stdout)
    return _REPORTS[key]


def hidden_score(lesson_id: str, task: str) -> float:
    result = report(lesson_id)["tasks"][task]
    print(f"{task}: {result['score']:g}/{result['max_score']:g} from the hidden checks"
          + ("" if result["status"] == "ok" else f" [{result['status']}]"))
    for check in result["checks"]:
        if not check["passed"]:
            print(f"  x {check['name']}: {check['message']}")
    return float(result["score"])
