"""The filesystem and network sandbox around student processes (bubblewrap).

The zygote is started inside `bwrap`, so every student process it forks sees:
the system directories (/usr, /etc, ...) and the Python environment read-only,
a fresh /tmp holding its scratch directory, and nothing else: no course
directory (solutions, hidden checks, gradebook, other students' submissions),
no /home, /root, /work or /var. It has no network, its own PID namespace
(killing the sandbox kills every process in it), and dies with the checker. Where bubblewrap is missing or cannot create
namespaces, `available()` says why and the caller grades without it, loudly.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys

# What the student process sees of the machine, read-only; everything else is absent.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")
WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")  # fresh, empty and private to the sandbox


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


def _system() -> list[str]:
    args: list[str] = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):  # merged /usr: /bin -> usr/bin
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def _under_system(path: str) -> bool:
    return any(path == d or path.startswith(d + os.sep) for d in SYSTEM_DIRS)


def _python(paths: set[str]) -> list[str]:
    """Bind the Python installation and the kit's code, read-only, at their own paths.

    Their parent directories are created world-searchable, so the student
    process can still reach Python after it drops root.
    """
    args: list[str] = []
    made: set[str] = set()
    for path in sorted(paths):
        if _under_system(path):
            continue  # already visible with the system
        parts = path.strip(os.sep).split(os.sep)[:-1]
        for i in range(1, len(parts) + 1):
            ancestor = os.sep + os.path.join(*parts[:i])
            if ancestor not in made and not _under_system(ancestor):
                made.add(ancestor)
                args += ["--perms", "0755", "--dir", ancestor]
        args += ["--ro-bind", path, path]
    return args


def kit_code() -> str:
    """The directory that holds the `looplab` package: the checkout's src/, or site-packages."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def command(course_root: str, argv: list[str], also_hide: tuple[str, ...] = ()) -> list[str]:
    """The bwrap command line that runs `argv` (the zygote) in the sandbox.

    Only the system directories, the Python installation and the kit's own code (the
    checkout's `src/`, or the site-packages of an installed looplab) are mounted.
    `course_root` (the lessons' checks and solutions, `lessons.data_root()`) and `also_hide`
    (e.g. the course directory being graded) are absent inside; where one lies within what
    is mounted (an installed looplab's `looplab/_data` is inside its environment, a course
    may live under /usr), an empty tmpfs covers it.
    """
    root = os.path.realpath(course_root)
    keep = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}
    keep.add(kit_code())  # imported by the zygote
    args = ["bwrap", *_system(), "--dev", "/dev", "--proc", "/proc"]
    for path in WRITABLE:
        args += ["--perms", "01777", "--tmpfs", path]
    args += _python({p for p in keep if os.path.exists(p)})
    for hidden in (root, *also_hide):
        hidden = os.path.realpath(hidden)
        mounted = _under_system(hidden) or any(_inside(hidden, k) for k in keep)
        if mounted and os.path.isdir(hidden):
            args += ["--tmpfs", hidden]
    args += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
             "--die-with-parent", "--new-session", "--chdir", "/tmp", "--setenv", "HOME", "/tmp",
             "--setenv", "TMPDIR", "/tmp"]
    return args + ["--"] + argv
