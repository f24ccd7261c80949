"""Which directory is the instructor's course: `--course DIR`, else the current directory.

As with nbgrader, a course directory is the one that holds `nbgrader_config.py` (and
submitted/, autograded/, the gradebook). It is wherever the instructor runs looplab, never
wherever looplab's code happens to be installed; the lessons' checks and solutions come
from `looplab.lessons.data_root()` either way.
"""

from __future__ import annotations

from pathlib import Path

from looplab.errors import UsageError

CONFIG = "nbgrader_config.py"


def course_dir(given: Path | None = None, *, cwd: Path | None = None) -> Path:
    """The course directory: `given` when passed (it must exist), else `cwd` (default: the
    current directory), which must hold nbgrader_config.py. UsageError otherwise."""
    if given is not None:
        if not given.is_dir():
            raise UsageError(f"course directory {given} does not exist",
                             "pass --course the directory that holds submitted/ and gradebook.db")
        return given
    here = cwd or Path.cwd()
    if not (here / CONFIG).is_file():
        raise UsageError(f"{here} is not a course directory: it has no {CONFIG}",
                         f"cd into your course directory (the one with {CONFIG}, submitted/ and "
                         f"gradebook.db), or pass --course DIR")
    return here
