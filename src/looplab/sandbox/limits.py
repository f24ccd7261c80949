"""Resource limits a student process runs under, and how they are applied."""

from __future__ import annotations

import ctypes
import os
import resource
from dataclasses import dataclass

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
NOBODY = 65534


@dataclass(frozen=True)
class Limits:
    """Caps for one submission; a lesson may raise them.

    call_seconds: wall-clock limit for one call of a student function.
    load_seconds: wall-clock limit for running the submission's answer cells (a .py
        file is one answer cell); a hang there scores the submission `timeout`.
    cell_seconds: wall-clock limit for any other cell (a student's own experiment, say):
        a slower one is stopped, noted in the report, and loading goes on.
    total_seconds: wall-clock budget for all student code of one submission.
    memory_mb: memory the student may allocate on top of the imported libraries.
    max_processes: processes and threads the sandbox user may own (root only).
    output_kb: student output kept for the report; the rest is discarded.
    threads: torch intra-op threads in the student process.
    disk_mb: what the submission may write to its /tmp, /var/tmp, /dev/shm and
        scratch directory together (one tmpfs, freed when it ends); also the
        largest file it may write anywhere.
    disk_files: files and directories it may create there.
    """

    call_seconds: float = 10.0
    load_seconds: float = 30.0
    cell_seconds: float = 10.0
    total_seconds: float = 120.0
    memory_mb: int = 2048
    max_processes: int = 256
    output_kb: int = 64
    threads: int = 1
    disk_mb: int = 256
    disk_files: int = 4096


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(option, value, 0, 0, 0)


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies."""
    _prctl(PR_SET_PDEATHSIG, 9)


def become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process, not to init."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)


def virtual_memory_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _open_to_others(path: str) -> bool:
    """Every directory from / down to `path` is searchable by other users."""
    import stat
    path = os.path.realpath(path)
    while True:
        if not os.stat(path).st_mode & stat.S_IXOTH:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def can_drop_root() -> bool:
    """Root can hand the student process to `nobody` only if Python stays importable."""
    import sys
    return all(_open_to_others(p) for p in {sys.base_prefix, sys.prefix})


def apply(limits: Limits, scratch: str) -> None:
    """Apply rlimits and drop root for the calling (student) process.

    Address space is capped at what is mapped now plus `memory_mb`, so the
    libraries already imported do not count against the student.
    """
    cap = virtual_memory_bytes() + limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    cpu = int(limits.total_seconds * 2) + 10
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.disk_mb * 1024 * 1024,) * 2)
    if os.geteuid() == 0 and can_drop_root():
        os.chown(scratch, NOBODY, NOBODY)
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes,) * 2)
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
