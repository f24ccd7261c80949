"""`looplab gradescope`: the autograder zip of one lesson for a Gradescope Programming Assignment.

The zip holds, at its root (Gradescope unpacks it into `/autograder/source`):
`setup.sh` and `run_autograder` (from this package, with the lesson filled in), the project
files `setup.sh` installs from (`pyproject.toml`, `uv.lock`, `README.md` that pyproject names,
`src/looplab/`), and that lesson's grading files only: its hidden checks
(`tests/hidden/l<M>_<L>/`) and its reference solution (`solutions/lesson-M.L.py`). No other
lesson, no release notebooks, no `.venv`, no bytecode. The same inputs give the same bytes
(fixed timestamps, sorted entries), so a rebuilt bundle shows whether anything changed.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from looplab import lessons
from looplab.errors import UsageError

HERE = Path(__file__).parent
SCRIPTS = ("setup.sh", "run_autograder")
PROJECT = ("pyproject.toml", "uv.lock", "README.md")
SKIPPED = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
EPOCH = (1980, 1, 1, 0, 0, 0)  # zip's earliest date: the bundle does not change with mtimes


@dataclass
class Bundle:
    path: Path
    files: list[str]  # names inside the zip
    size: int  # bytes of the zip
    max_score: float  # the lesson's points: the Gradescope assignment's total


def run_limit(lesson: lessons.Lesson) -> int:
    """Seconds `run_autograder` allows a whole run before it gives up and says so: the
    student's time budget, the reference's beside it, loading, and starting Python and torch."""
    limits = lesson.limits
    return int(2 * limits.total_seconds + limits.load_seconds + 120)


def _tree(root: Path, folder: Path) -> dict[str, Path]:
    found = {}
    for directory, subdirs, names in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED)
        for name in names:
            if not name.endswith((".pyc", ".partial")):
                path = Path(directory) / name
                found[path.relative_to(root).as_posix()] = path
    return found


def contents(lesson: lessons.Lesson, root: Path) -> dict[str, Path]:
    """Name in the zip -> file in the checkout, for everything but the two scripts."""
    needed = [root / name for name in PROJECT] + [lesson.solution(root), lesson.checks_dir(root)]
    missing = [str(path) for path in needed if not path.exists()]
    if missing:
        raise UsageError(f"cannot build the Gradescope bundle: {', '.join(missing)} missing",
                         "build it from a checkout of looplab (uv.lock pins the environment "
                         "Gradescope installs), after `looplab release`")
    files = {name: root / name for name in PROJECT}
    files["tests/hidden/__init__.py"] = root / "tests" / "hidden" / "__init__.py"
    files[lesson.solution(root).relative_to(root).as_posix()] = lesson.solution(root)
    files |= _tree(root, lesson.checks_dir(root))
    files |= _tree(root, root / "src" / "looplab")
    for script in SCRIPTS:  # written from the templates, with the lesson filled in
        files.pop(f"src/looplab/gradescope/{script}", None)
    return files


def script(name: str, lesson: lessons.Lesson) -> str:
    text = (HERE / name).read_text()
    return text.replace("__LOOPLAB_LESSON__", lesson.id).replace("__LOOPLAB_SECONDS__", str(run_limit(lesson)))


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16  # unzip keeps the x bit
    archive.writestr(info, data)


def build(lesson_id: str, output: Path | None = None, root: Path | None = None) -> Bundle:
    """Write the lesson's autograder zip to `output` (default `gradescope-lesson-M.L.zip`
    here) and describe it. UsageError for an unknown lesson, a missing project file or an
    output folder that does not exist."""
    from looplab.check import max_points
    lesson, root = lessons.get(lesson_id), root or lessons.data_root()
    output = output or Path(f"gradescope-{lesson.assignment}.zip")
    if not output.parent.resolve().is_dir():
        raise UsageError(f"{output.parent} does not exist", "pass -o a path in an existing folder")
    files = contents(lesson, root)
    partial = output.with_name(output.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in SCRIPTS:
            _add(archive, name, script(name, lesson).encode(), executable=True)
        for name, path in sorted(files.items()):
            _add(archive, name, path.read_bytes())
    os.replace(partial, output)
    return Bundle(output, [*SCRIPTS, *sorted(files)], output.stat().st_size,
                  sum(max_points(lesson, root).values()))
