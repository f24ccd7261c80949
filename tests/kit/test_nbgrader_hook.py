"""`looplab.nbgrader_hook.written`: the graded cell's visible line that makes Validate fail on a stub.

It must fail for a missing function or an untouched stub, and never for a written one: every
reference solution passes it, every release stub fails it. Validate itself runs in test_nbgrader.
"""

from __future__ import annotations

import pytest

from conftest import ROOT
from looplab import lessons, nbgrader_hook
from looplab.nbgrader_hook import NotWritten, unwritten, written
from looplab.submission import load_cells


def _namespace(source: str, tmp_path, name: str) -> dict:
    """Run `source` as a file of its own, so inspect finds the functions' source as in a kernel."""
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    scope = {"__name__": name}
    exec(compile(source, str(path), "exec"), scope)
    return scope


@pytest.mark.parametrize("lesson", lessons.LESSONS.values(), ids=lambda lesson: lesson.id)
def test_reference_tasks_are_written_and_release_stubs_are_not(lesson, tmp_path):
    reference = _namespace(lesson.solution(ROOT).read_text(), tmp_path, "reference")
    assert {task: unwritten(reference[task]) for task in lesson.tasks} == {t: [] for t in lesson.tasks}
    cells = load_cells(lesson.release_notebook(ROOT))
    release = _namespace("\n\n".join(c["source"] for c in cells), tmp_path, "release")
    assert all(unwritten(release[task]) for task in lesson.tasks)


STUB = '''
def train(x):
    """Docstring."""
    # YOUR CODE HERE
    raise NotImplementedError("replace this line with your code")

class Value:
    def __repr__(self):
        return "Value"

    def backward(self):
        raise NotImplementedError()

def done(x):
    """Raises NotImplementedError for negative x; otherwise written."""
    if x < 0:
        raise NotImplementedError("negative x")
    return x
'''


def test_written_fails_on_missing_and_stub_and_passes_a_written_function(tmp_path, capsys):
    scope = _namespace(STUB, tmp_path, "notebook")
    scope["written"] = written
    for task, why in [("absent", "absent is not defined yet"), ("train", "train is not written yet"),
                      ("Value", "Value.backward")]:
        with pytest.raises(NotWritten, match=why):
            exec(f"written({task!r})", scope)
    exec("result = written('done')", scope)
    assert scope["result"] is None and "done is written" in capsys.readouterr().out


def test_under_autograde_written_returns_the_hidden_score_whatever_the_function(tmp_path, monkeypatch):
    monkeypatch.setattr(nbgrader_hook, "_SCORES", {"train": 0.0, "absent": 2.5})
    scope = _namespace(STUB, tmp_path, "notebook")
    scope["written"] = written
    exec("a = written('train'); b = written('absent')", scope)
    assert (scope["a"], scope["b"]) == (0.0, 2.5)
    assert nbgrader_hook._SCORES == {}
