"""The filesystem and network sandbox around student processes (bubblewrap).

The zygote is started inside `bwrap`, so every student process it forks sees:
the system read-only, the Python environment read-only, its own scratch
directory, and nothing of the course directory (solutions, hidden checks,
gradebook, other students' submissions), /tmp, /home or /root. It has no
network, its own PID namespace (killing the sandbox kills every process in it),
and dies with the checker. Where bubblewrap is missing or cannot create
namespaces, `available()` says why and the caller grades without it, loudly.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys

PRIVATE_DIRS = ("/tmp", "/var/tmp", "/home", "/root", "/run", "/dev/shm")


@functools.lru_cache(maxsize=1)
def available() -> str | None:
    """None when bwrap works here, else the reason it cannot be used."""
    if os.environ.get("LOOPLAB_NO_SANDBOX"):
        return "disabled by LOOPLAB_NO_SANDBOX"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (Debian: apt-get install bubblewrap)"
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid",
                            "--die-with-parent", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bubblewrap cannot create namespaces here ({probe.stderr.strip()[:200]})"
    return None


def _visible(paths: set[str], hidden: list[str]) -> list[str]:
    """Bind the Python installation back into the hidden directories it lives in.

    Intermediate directories are created world-searchable, so the student
    process can still reach Python after it drops root.
    """
    args: list[str] = []
    made: set[str] = set()
    for path in sorted(paths):
        top = next((h for h in hidden if path.startswith(h + os.sep)), None)
        if top is not None:
            parts = os.path.relpath(os.path.dirname(path), top).split(os.sep)
            for i in range(1, len(parts) + 1):
                ancestor = os.path.join(top, *parts[:i])
                if parts[0] != "." and ancestor not in made:
                    made.add(ancestor)
                    args += ["--perms", "0755", "--dir", ancestor]
        args += ["--ro-bind", path, path]
    return args


def command(course_root: str, argv: list[str], also_hide: tuple[str, ...] = ()) -> list[str]:
    """The bwrap command line that runs `argv` (the zygote) in the sandbox.

    `also_hide` adds directories to hide, e.g. a course directory kept apart
    from the checkout (other students' submissions, the gradebook).
    """
    root = os.path.realpath(course_root)
    keep = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}
    keep.add(os.path.join(root, "src"))  # the kit's own code, imported by the zygote
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    extra = tuple(os.path.realpath(p) for p in also_hide)
    hidden = [p for p in (*PRIVATE_DIRS, root, *extra) if os.path.isdir(p)]
    for private in hidden:
        args += ["--perms", "01777" if private in ("/tmp", "/var/tmp", "/dev/shm") else "0755",
                 "--tmpfs", private]
    args += _visible({p for p in keep if os.path.exists(p)}, hidden)
    args += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
             "--die-with-parent", "--new-session", "--chdir", "/tmp", "--setenv", "HOME", "/tmp",
             "--setenv", "TMPDIR", "/tmp"]
    return args + ["--"] + argv
