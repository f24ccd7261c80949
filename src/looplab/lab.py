"""`looplab lab`: JupyterLab as a student should see it.

The course environment has nbgrader installed for instructors, and nbgrader's JupyterLab
extension shows everyone its instructor tools: Create Assignment, Formgrader and the course
list. For a student those are noise at best and, where the course directory is theirs, a
way to rewrite the gradebook. `looplab lab` starts JupyterLab with the settings in
`jupyter_student/` put first on Jupyter's configuration path: those three extensions (and
formgrader's and the course list's server parts) are off, while nbgrader's Validate button
and assignment list stay. Everything after `lab` goes to `jupyter lab` unchanged.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

STUDENT_CONFIG = Path(__file__).with_name("jupyter_student")
HIDDEN = ("@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
          "@jupyter/nbgrader:course-list")


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (default: this process's environment) with the student settings first."""
    env = dict(os.environ if base is None else base)
    rest = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(STUDENT_CONFIG), *([rest] if rest else [])])
    return env


def lab(arguments: list[str]) -> None:
    """Replace this process with `jupyter lab ARGUMENTS` under the student settings."""
    command = [sys.executable, "-m", "jupyterlab", *arguments]
    os.execve(sys.executable, command, environment())
