"""A lesson's catalogue: the proof that its checks work, kept as data.

Each lesson has `tests/hidden/lM_L/catalogue.py` defining

- `MISTAKES`: realistic mistaken submissions. Graded, each must lose points on its `task`,
  be named there (`named` appears in a failure message), and leave every other task at full
  marks, except the tasks in `spreads`: those whose own code calls the mistaken function (a
  student's train_minibatch calls their minibatch_indices), which may lose points too.
- `ALTERNATIVES`: correct submissions written in another style; each keeps full marks.

`example="buggy"`, `"slow"` or `"correct"` marks the entries `looplab demo` shows, so an
example can never drift from the reference. One parametrised kit test
(`tests/kit/test_catalogues.py`) grades every entry of every lesson.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from looplab import lessons

EXAMPLE_ORDER = ("correct", "buggy", "slow")


@dataclass(frozen=True)
class Mistake:
    id: str
    task: str  # the task that must lose points
    source: str  # the whole mistaken submission
    named: str | tuple[str, ...]  # piece(s) of the task's failure messages that name the mistake
    spreads: tuple[str, ...] = ()  # other tasks whose own code calls the mistaken function
    elsewhere: tuple[tuple[str, str], ...] = ()  # (task, substring): knock-on failures, named too
    gap: str = ""  # why the checks miss this mistake today (its kit test is a strict xfail)
    example: str = ""  # "buggy" or "slow": shown by `looplab demo`


@dataclass(frozen=True)
class Alternative:
    id: str
    source: str  # a whole correct submission
    style: str  # what it does differently from the reference
    example: str = ""  # "correct": shown by `looplab demo`


def reference_source(lesson_id: str) -> str:
    """The reference solution's text (`solutions/lesson-M.L.py`), the base of every entry."""
    lesson = lessons.get(lesson_id)
    return lesson.solution(lessons.data_root()).read_text()


def mutate(source: str, old: str, new: str, count: int = 1) -> str:
    """Replace `old`, which must occur exactly `count` times, with `new`."""
    found = source.count(old)
    if found != count:
        raise ValueError(f"{old!r} occurs {found} times, not {count}")
    return source.replace(old, new)


def edit(source: str, *changes: tuple[str, str]) -> str:
    """Apply several `mutate` replacements in order."""
    for old, new in changes:
        source = mutate(source, old, new)
    return source


def replace_function(source: str, name: str, new_def: str) -> str:
    """Replace the top-level `def name(...)` of `source` with `new_def`."""
    match = re.search(rf"^def {name}\(.*?(?=^\S|\Z)", source, flags=re.M | re.S)
    if not match:
        raise ValueError(f"no top-level def {name} in the source")
    return source[:match.start()] + new_def.strip("\n") + "\n\n\n" + source[match.end():]


def replace_body(source: str, name: str, body: str) -> str:
    """Replace the code after the docstring of the top-level `def name(...)` with `body`."""
    match = re.search(rf'^def {name}\(.*?"""\n(.*?)(?=^\S|\Z)', source, flags=re.M | re.S)
    if not match:
        raise ValueError(f"no top-level def {name} with a docstring in the source")
    return source[:match.start(1)] + body.strip("\n") + "\n\n\n" + source[match.end():]


def load(lesson: lessons.Lesson, root: Path | None = None) -> ModuleType:
    """The lesson's catalogue module (`MISTAKES`, `ALTERNATIVES`)."""
    path = lesson.checks_dir(root or lessons.data_root()) / "catalogue.py"
    spec = importlib.util.spec_from_file_location(f"looplab_catalogue_{lesson.id.replace('.', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def examples(lesson: lessons.Lesson, root: Path | None = None) -> list[tuple[str, str]]:
    """(kind, source) of the entries marked as examples, correct first, then buggy, slow."""
    module = load(lesson, root)
    entries = [*module.ALTERNATIVES, *module.MISTAKES]
    marked = [(e.example, e.source) for e in entries if e.example]
    return sorted(marked, key=lambda pair: EXAMPLE_ORDER.index(pair[0]))
