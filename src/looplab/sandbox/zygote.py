"""A clean process that forks student processes on request.

The checker imports torch once, forks the zygote before doing any tensor work,
and from then on asks the zygote for fresh children. Children therefore start
in milliseconds, already holding torch, and never inherit the checker's state
(reference solution, hidden checks, thread pools). The zygote is also the
subreaper of everything its children start, so it can kill whole process trees.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict

from looplab.sandbox.limits import Limits, become_subreaper, die_with_parent

# imported by the checker before the fork (`import torch` brings torch.nn and torch.optim).
# Nothing else is imported for every lesson: students' processes defer matplotlib until they
# draw (`looplab.deferred`), and a lesson whose graded calls draw names pyplot in its
# lesson.json "warm" (`Lesson.warm`), which the zygote imports before forking children.
PRELOAD = ("torch", "numpy")


class Zygote:
    """Parent-side handle: `spawn` a child, `kill` its tree, get its `status`.

    With `sandbox=True` and bubblewrap available, the zygote is a fresh Python
    started inside the sandbox (it imports torch itself, once); otherwise it is
    forked from this process, which must not have done tensor work yet.
    `self.sandboxed` says which, and `self.why_not` why not.
    """

    def __init__(self, course_root: str, sandbox: bool = True, also_hide: tuple[str, ...] = (),
                 clients: int = 1, warm: tuple[str, ...] = ()) -> None:
        """`clients` > 1 makes one zygote serve that many checkers, each over a socket of its
        own (`handles()`): class grading's workers share one, so torch is imported once.
        `warm`: modules to import before forking children (`Lesson.warm`)."""
        from looplab.sandbox import bwrap
        self.why_not = bwrap.available() if sandbox else "not requested"
        self.sandboxed = self.why_not is None
        pairs = [socket.socketpair() for _ in range(max(1, clients))]
        self._sock = pairs[0][0]
        theirs = [pair[1] for pair in pairs]
        self._proc = None
        if self.sandboxed:
            fds = [sock.fileno() for sock in theirs]
            argv = [sys.executable, "-m", "looplab.sandbox.zygote", ",".join(map(str, fds)), course_root,
                    ",".join(warm)]
            self._proc = subprocess.Popen(bwrap.command(course_root, argv, also_hide), pass_fds=fds,
                                          stdin=subprocess.DEVNULL)
            self.pid = self._proc.pid
        else:
            for name in PRELOAD:
                __import__(name)
            self.pid = os.fork()
            if self.pid == 0:  # pragma: no cover - runs in the zygote process
                for ours, _ in pairs:
                    ours.close()
                _serve(theirs, course_root, warm)
        for sock in theirs:
            sock.close()
        self._shared = clients > 1
        self._others = [self._handle(ours) for ours, _ in pairs[1:]]

    def _handle(self, sock: socket.socket) -> "Zygote":
        """Another checker's handle on this same zygote process."""
        handle = object.__new__(Zygote)
        handle.why_not, handle.sandboxed, handle.pid = self.why_not, self.sandboxed, self.pid
        handle._sock, handle._proc, handle._others, handle._shared = sock, None, [], True
        return handle

    def handles(self) -> list["Zygote"]:
        """One handle per client: this one first. Each must be used by one checker only."""
        return [self, *self._others]

    def _ask(self, message: dict, fds: list[int] = ()) -> dict:
        from looplab.sandbox import protocol
        protocol.send_with_fds(self._sock, message, list(fds))
        try:
            return protocol.recv(self._sock.fileno())
        except protocol.ProtocolError:
            raise RuntimeError("the zygote process died") from None

    def spawn(self, limits: Limits) -> tuple[int, str, tuple[int, int, int]]:
        """Start a child; return (pid, scratch dir, (request w, response r, output r))."""
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        out_r, out_w = os.pipe()
        reply = self._ask({"op": "spawn", "limits": asdict(limits)},
                          [req_r, resp_w, out_w])
        for fd in (req_r, resp_w, out_w):
            os.close(fd)
        return reply["pid"], reply["scratch"], (req_w, resp_r, out_r)

    def kill(self, pid: int) -> dict:
        """Kill the child and everything it started; return how it ended."""
        return self._ask({"op": "kill", "pid": pid})

    def forget(self) -> None:
        """Close this process's copy of the socket without stopping the zygote (after a
        fork, the process that does not use it lets the other own it)."""
        self._sock.close()
        self._proc = None

    def close(self) -> None:
        try:
            self._ask({"op": "exit"})
        except OSError:
            pass
        self._sock.close()
        if self._shared:  # others may still use it: it exits by itself when the last one leaves
            return
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            return
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


# --- zygote side ----------------------------------------------------------

def main(argv: list[str]) -> None:  # pragma: no cover - the sandboxed zygote's entry point
    """`python -m looplab.sandbox.zygote FD[,FD...] COURSE_ROOT [MODULE,...]`, run inside bwrap."""
    for name in PRELOAD:
        __import__(name)
    warm = tuple(name for name in (argv[2] if len(argv) > 2 else "").split(",") if name)
    _serve([socket.socket(fileno=int(fd)) for fd in argv[0].split(",")], argv[1], warm)


def _serve(socks: list[socket.socket], course_root: str,
           warm: tuple[str, ...] = ()) -> None:  # pragma: no cover
    """Answer every client's requests, one at a time, until all of them have left. A client
    that says exit, or goes away, has its own children killed; the others carry on."""
    import selectors

    from looplab.sandbox import protocol
    code = 0
    try:
        die_with_parent()
        become_subreaper()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.environ["MPLBACKEND"] = "Agg"
        for name in warm:
            try:
                __import__(name)
            except ImportError:
                pass
        children: dict[int, str] = {}
        owners: dict[int, socket.socket] = {}  # child pid -> the client that spawned it
        ended: dict[int, dict] = {}
        clients = selectors.DefaultSelector()
        for sock in socks:
            clients.register(sock, selectors.EVENT_READ)
        while clients.get_map():
            for key, _ in clients.select():
                sock = key.fileobj
                try:
                    message, fds = protocol.recv_with_fds(sock)
                except protocol.ProtocolError:
                    message, fds = {"op": "gone"}, []  # the checker went away
                if message["op"] in ("exit", "gone"):
                    for pid in [pid for pid, owner in owners.items() if owner is sock]:
                        _kill_tree(pid, children, ended)
                        owners.pop(pid, None)
                    if message["op"] == "exit":
                        protocol.send(sock.fileno(), {})
                    clients.unregister(sock)
                    sock.close()
                    continue
                if message["op"] == "spawn":
                    reply = _spawn(socks, fds, Limits(**message["limits"]), course_root, children)
                    owners[reply["pid"]] = sock
                else:
                    reply = _kill_tree(message["pid"], children, ended)
                    owners.pop(message["pid"], None)
                protocol.send(sock.fileno(), reply)
    except BaseException:  # noqa: BLE001
        code = 70
    finally:
        os._exit(code)


def _spawn(socks, fds, limits, course_root, children) -> dict:  # pragma: no cover
    from looplab.sandbox import namespaces
    scratch = tempfile.mkdtemp(prefix="looplab-")  # where namespaces fail, the only private place
    request_r, request_w = os.pipe()
    reply_r, reply_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        for sock in socks:  # no student process may hold a line to the zygote
            sock.close()
        from looplab.sandbox.child import start
        start(fds[0], fds[1], fds[2], scratch, limits, course_root, (request_w, reply_r))
    for fd in (*fds, request_w, reply_r):
        os.close(fd)
    namespaces.map_child(pid, request_r, reply_w)
    os.close(request_r)
    os.close(reply_w)
    children[pid] = scratch
    return {"pid": pid, "scratch": scratch}


def _descendants(root_pids: set[int]) -> set[int]:
    """Processes below any of root_pids, or in a session led by one of them."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                table[int(entry)] = (int(fields[1]), int(fields[3]))  # ppid, session
            except (OSError, IndexError, ValueError):
                continue
    found = {pid for pid in root_pids if pid in table}
    grew = True
    while grew:
        grew = False
        for pid, (ppid, session) in table.items():
            if pid not in found and (ppid in found or session in root_pids):
                found.add(pid)
                grew = True
    return found


def _kill_tree(pid: int, children: dict, ended: dict) -> dict:  # pragma: no cover
    """SIGKILL pid, its session, its descendants and any orphans re-parented here."""
    import shutil
    me = os.getpid()
    for _ in range(50):
        victims = _descendants({pid}) | _orphans(me, set(children) - {pid})
        victims.discard(me)
        if not victims:
            break
        for victim in victims:
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _reap(children, ended)
        time.sleep(0.005)
    _reap(children, ended)
    scratch = children.pop(pid, None)
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    return ended.pop(pid, {"exitcode": None, "signal": None})


def _orphans(me: int, live: set[int]) -> set[int]:
    """Our own children that we did not spawn (re-parented grandchildren), and theirs."""
    mine = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in live:
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == me:
                mine.add(int(entry))
    return _descendants(mine) if mine else set()


def _reap(children: dict, ended: dict) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in children:
            ended[pid] = {"exitcode": os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else None,
                          "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None}


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
