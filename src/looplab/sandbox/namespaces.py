"""Each student process's own writable places: one fresh, capped tmpfs, gone when it ends.

Every student process (the reference's too) is forked from the zygote, so its
process state (environment, working directory, signal handlers, rlimits, torch
and matplotlib settings) is the zygote's, whatever an earlier one changed. What
lives outside the process is made private here, before any student code runs:
the child unshares a user, a mount and an IPC namespace and mounts one tmpfs,
capped at `Limits.disk_mb` and `Limits.disk_files`, whose subdirectories become
/tmp, /var/tmp, /dev/shm and its scratch directory (HOME, TMPDIR). Nothing it
writes is visible to any other process; it counts against its own cap, not the
machine's memory; the kernel frees it when the submission's last process exits.
The IPC namespace does the same for System V shared memory and message queues,
the user namespace for the kernel keyrings of the user it runs as.

A child started as root cannot map `nobody` into its user namespace itself:
the zygote does it (`map_child`). Where the kernel refuses a user namespace, a
root child still gets the mount and IPC namespaces; where it refuses those too,
`enter` says why, and only the scratch directory is private (removed by the zygote).
"""

from __future__ import annotations

import ctypes
import os
import select
import sys

from looplab.sandbox.limits import NOBODY, Limits

WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
PR_CAPBSET_DROP = 24
MAP_ME, NO_NEED, DONE = b"M", b"-", b"k"

_libc = ctypes.CDLL(None, use_errno=True)
_disk: str | None = None  # in the child, once mounted: a place on its tmpfs


def _ok(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _ok(_libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                    flags, data.encode() if data else None), f"mount {target}")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())  # one write(2): the kernel takes an id map whole or not at all
    finally:
        os.close(fd)


# --- child side -------------------------------------------------------------

def enter(scratch: str, limits: Limits, sync: tuple[int, int]) -> str | None:
    """Private namespaces and a fresh tmpfs for this process and all it starts.

    `sync` is (request w, reply r), the pipes to the zygote. Returns None, or
    why the writable directories stay shared with other submissions.
    """
    request_w, reply_r = sync
    try:
        _unshare_namespaces(request_w, reply_r)
    except OSError as exc:
        return f"no private mount namespace ({exc.strerror})"
    _mount_fresh(scratch, limits)
    return None


def _unshare_namespaces(request_w: int, reply_r: int) -> None:
    uid, gid = os.geteuid(), os.getegid()
    try:
        _ok(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC), "unshare")
    except OSError:
        os.write(request_w, NO_NEED)
        if uid != 0:
            raise
        _ok(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC), "unshare")  # root: no keyrings of its own
        return
    if uid == 0:  # root and nobody inside, as outside; only the zygote may write such a map
        os.write(request_w, MAP_ME)
        os.read(reply_r, 1)
    else:  # an unprivileged sandbox: the process may map its own ids
        os.write(request_w, NO_NEED)
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")


def _needed() -> set[str]:
    """What the student process must still reach: Python and the kit's code."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, here)}


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _mount_fresh(scratch: str, limits: Limits) -> None:
    """One tmpfs; its subdirectories go over each writable place, its root stays hidden.

    Python or the kit's code may live inside a writable place (a checkout under /tmp): such a
    path is bound aside on the tmpfs first and bound back, read-only as it was, into the fresh
    place, so the place is still emptied for every submission.
    """
    global _disk
    needed = sorted(_needed())
    targets = [d for d in WRITABLE if os.path.isdir(d)]
    if not any(_under(scratch, d) for d in targets):
        targets.append(scratch)
    free = [t for t in targets if not any(_under(p, t) for p in needed)]
    if not free:
        raise OSError("every writable place holds Python or the kit's code")
    targets.remove(free[0])
    targets.insert(0, free[0])  # the tmpfs goes over a place that holds nothing needed
    kept = [p for p in needed if any(_under(p, t) for t in targets)]
    _mount("none", "/", None, MS_REC | MS_PRIVATE)  # nothing propagates back out
    base = targets[0]
    _mount("looplab", base, "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={limits.disk_mb}m,nr_inodes={limits.disk_files + len(targets) + 64},mode=0700")
    aside = [os.path.join(base, f"kept{k}") for k in range(len(kept))]
    for path, place in zip(kept, aside):
        os.mkdir(place)
        _mount(path, place, None, MS_BIND | MS_REC)
    subs = []
    for i in range(len(targets)):
        subs.append(os.path.join(base, str(i)))
        os.mkdir(subs[-1])
        os.chmod(subs[-1], 0o1777)
    for sub, target in list(zip(subs, targets))[:0:-1]:  # every place but base, innermost first
        _mount(sub, target, None, MS_BIND)
    for path, place in zip(kept, aside):  # what must stay reachable, back into the fresh places
        os.makedirs(path, exist_ok=True)
        _mount(place, path, None, MS_BIND | MS_REC)
    _mount(subs[0], base, None, MS_BIND)  # last: it hides the tmpfs's root and what was set aside
    os.makedirs(scratch, mode=0o700, exist_ok=True)  # it lives under /tmp, now empty
    _disk = base


def seal() -> None:
    """Last step before student code: give up every capability, for good."""
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable, twice: all empty
    _libc.capset(header, data)


def disk_full() -> bool:
    """The submission's tmpfs is (nearly) out of space or inodes."""
    if _disk is None:
        return False
    st = os.statvfs(_disk)
    return st.f_bavail * st.f_frsize < 1 << 20 or st.f_favail == 0


# --- zygote side ------------------------------------------------------------

def map_child(pid: int, request_r: int, reply_w: int, timeout: float = 10.0) -> None:
    """Answer a new child's request: map root and `nobody` into its user namespace."""
    ready, _, _ = select.select([request_r], [], [], timeout)
    if not ready or os.read(request_r, 1) != MAP_ME:
        return
    try:
        for kind in ("uid", "gid"):
            _write(f"/proc/{pid}/{kind}_map", f"0 0 1\n{NOBODY} {NOBODY} 1")
    except OSError:
        pass  # the child stops at its first unmapped step and is reported as crashed
    try:
        os.write(reply_w, DONE)
    except OSError:
        pass
