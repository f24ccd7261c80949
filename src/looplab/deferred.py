"""Deferred imports, for the reference solutions the checker loads and for students' processes.

Every reference solution and student notebook starts with `import matplotlib.pyplot as plt`
for its plots, and importing pyplot costs about 0.35 s, a tenth of a whole `looplab check`,
although only lesson 1.4's checks draw anything (it warms pyplot in the sandbox instead,
see `Lesson.warm`). `builtins_deferring()` gives a module its own builtins whose
`__import__` binds such a name to a stand-in instead; the real module is imported the first
time anything is read from the stand-in, so code that does plot still works, only later.

Only the plain forms are deferred (`import a`, `import a.b`, `import a.b as c`), and only
while the module is not imported yet: `from a import b` may name an attribute rather than
a submodule, so it imports at once, as does anything with a relative level.
"""

from __future__ import annotations

import builtins
import importlib
import sys
from typing import Any

PLOTTING = ("matplotlib",)  # what the checks never need while loading code


class Deferred:
    """Stands for the module `name` until an attribute is read from it. `wanted` holds the
    dotted names the import statement asked for, so `a.b` stays deferred for `import a.b`."""

    __slots__ = ("_name", "_wanted")

    def __init__(self, name: str, wanted: frozenset[str]) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_wanted", wanted)

    def __getattr__(self, attr: str) -> Any:
        name, wanted = object.__getattribute__(self, "_name"), object.__getattribute__(self, "_wanted")
        if f"{name}.{attr}" in wanted:
            return Deferred(f"{name}.{attr}", wanted)
        return getattr(importlib.import_module(name), attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(importlib.import_module(object.__getattribute__(self, "_name")), attr, value)

    def __repr__(self) -> str:
        return f"<deferred module {object.__getattribute__(self, '_name')!r}>"


def builtins_deferring(tops: tuple[str, ...] = PLOTTING) -> dict[str, Any]:
    """A copy of the builtins whose `__import__` defers the packages named in `tops` (and
    their submodules); give it to a module as `__builtins__` before executing it."""
    real = builtins.__import__

    def __import__(name: str, globals: Any = None, locals: Any = None,  # noqa: A002 - the builtin's signature
                   fromlist: Any = (), level: int = 0) -> Any:
        top = name.partition(".")[0]
        if level or fromlist or top not in tops or name in sys.modules:
            return real(name, globals, locals, fromlist, level)
        parts = name.split(".")
        return Deferred(top, frozenset(".".join(parts[:i]) for i in range(1, len(parts) + 1)))

    return {**vars(builtins), "__import__": __import__}
