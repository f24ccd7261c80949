"""Deferred imports (`looplab.deferred`) for trusted reference code and students' processes."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from conftest import ROOT
from looplab.deferred import Deferred, builtins_deferring


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A throwaway package `slowpkg` (with a submodule `sub`) that records being imported."""
    (tmp_path / "slowpkg").mkdir()
    (tmp_path / "slowpkg" / "__init__.py").write_text("LOADS = ['slowpkg']\nVALUE = 41\n")
    (tmp_path / "slowpkg" / "sub.py").write_text(
        "import slowpkg\nslowpkg.LOADS.append('sub')\ndef answer():\n    return slowpkg.VALUE + 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in ("slowpkg.sub", "slowpkg"):
        sys.modules.pop(name, None)


def run(source: str) -> dict:
    namespace = {"__name__": "trusted", "__builtins__": builtins_deferring(("slowpkg",))}
    exec(compile(source, "trusted.py", "exec"), namespace)
    return namespace


def test_a_plain_import_binds_a_stand_in_and_imports_on_first_use(package):
    ns = run("import slowpkg.sub as sub\nimport slowpkg\ndef use():\n    return sub.answer()\n")
    assert "slowpkg" not in sys.modules and isinstance(ns["sub"], Deferred)
    assert "deferred module 'slowpkg.sub'" in repr(ns["sub"])
    assert ns["use"]() == 42  # code that uses it works, only later
    assert sys.modules["slowpkg"].LOADS == ["slowpkg", "sub"]
    assert ns["slowpkg"].VALUE == 41
    ns["slowpkg"].VALUE = 1  # writes reach the real module
    assert sys.modules["slowpkg"].VALUE == 1


def test_from_imports_relative_imports_and_loaded_modules_are_not_deferred(package):
    ns = run("from slowpkg import VALUE\n")
    assert ns["VALUE"] == 41 and "slowpkg" in sys.modules
    ns = run("import slowpkg\n")
    assert isinstance(ns["slowpkg"], types.ModuleType)  # already imported: the module itself
    ns = run("import json\n")
    assert isinstance(ns["json"], types.ModuleType)  # not named: imported as usual


def test_a_reference_solution_loads_without_matplotlib_and_still_plots():
    """The point of it: `looplab check` no longer imports pyplot for the references' plot
    helpers, and a helper that draws still does (here lesson 1.4's plot_landscape)."""
    script = f"""
import sys, torch
from pathlib import Path
from looplab.check import load_reference
ref = load_reference(Path({str(ROOT / 'solutions' / 'lesson-1.4.py')!r}))
print('matplotlib.pyplot' in sys.modules)
x = torch.linspace(-1, 1, 20); y = 2 * x
ws, bs = torch.linspace(0, 4, 5), torch.linspace(-1, 1, 5)
out = ref.plot_landscape(x, y, ws, bs, torch.zeros(3, 2))
fig = out[0] if isinstance(out, tuple) else out
print(type(fig).__name__, 'matplotlib.pyplot' in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "Figure", "True"], out.stderr[-2000:]
