"""What a notebook's graded cell calls, under nbgrader's Validate and autograde.

A graded cell holds the hidden call first and one visible line last:

    ### BEGIN HIDDEN TESTS
    from looplab.nbgrader_hook import hidden_score
    hidden_score("1.3", "train_batch")
    ### END HIDDEN TESTS
    from looplab.nbgrader_hook import written
    written("train_batch")

The student's copy has only the visible line. `written` fails (so Validate fails)
while `train_batch` is not defined or is still the stub that raises
NotImplementedError; it never calls the function. Under autograde the hidden call
ran just before, and `written` returns that score instead of judging anything, so
the task's credit is exactly what the hidden checks gave.

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

import ast
import inspect
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

_REPORTS: dict[tuple[str, str, float], dict] = {}
_SCORES: dict[str, float] = {}  # task -> score hidden_score just gave, for `written`


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
    _SCORES[task] = float(result["score"])
    return _SCORES[task]


class NotWritten(AssertionError):
    """A task's function is missing or still the stub (what makes Validate fail)."""


def written(task: str) -> float | None:
    """Fail while `task` is not defined in the notebook or still raises NotImplementedError.

    Under autograde (the hidden call ran first) return the hidden score instead, whatever
    the function holds. The function is inspected, never called.
    """
    if task in _SCORES:
        return _SCORES.pop(task)
    scope = sys._getframe(1).f_globals
    if task not in scope:
        raise NotWritten(f"{task} is not defined yet: run its answer cell")
    stubs = unwritten(scope[task])
    if stubs:
        where = "" if stubs == [task] else f" ({', '.join(stubs)})"
        raise NotWritten(f"{task} is not written yet{where}: it still raises NotImplementedError")
    print(f"{task} is written; the hidden checks run when the notebook is graded")
    return None


def unwritten(obj: object) -> list[str]:
    """The stubs in `obj`: its own name for a stub function, a class's stub methods, else []."""
    if inspect.isclass(obj):
        return [f"{obj.__name__}.{name}" for name, member in vars(obj).items()
                if inspect.isfunction(member) and is_stub(member)]
    return [obj.__name__] if inspect.isfunction(obj) and is_stub(obj) else []


def is_stub(func) -> bool:
    """True when the function's body is only a docstring, comments, `pass` and one
    `raise NotImplementedError(...)`: an answer nobody has written yet."""
    try:
        body = ast.parse(textwrap.dedent(inspect.getsource(func))).body[0].body
    except (OSError, TypeError, SyntaxError, IndexError, AttributeError):
        return set(func.__code__.co_names) == {"NotImplementedError"}  # no source: the names it uses
    rest = [s for s in body if not isinstance(s, ast.Pass)
            and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(rest) != 1 or not isinstance(rest[0], ast.Raise) or rest[0].exc is None:
        return False
    exc = rest[0].exc.func if isinstance(rest[0].exc, ast.Call) else rest[0].exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
