"""The checker's handle on one submission running in a student process.

`StudentProcess.call` sends arguments, waits with a deadline while draining the
student's output, and returns decoded plain data, or raises one of the
`StudentFault` exceptions below. A dead or killed process is restarted (and the
submission reloaded) on the next call, so one bad call costs only itself.
"""

from __future__ import annotations

import os
import select
import signal
import time
from dataclasses import dataclass, field

from looplab.sandbox import protocol
from looplab.sandbox.limits import Limits
from looplab.sandbox.zygote import Zygote
from looplab.status import CRASHED, DISK, ERROR, MEMORY, TIMEOUT


class StudentFault(Exception):
    """Student code did not produce an answer. `status` goes into the report."""

    status = ERROR
    function: str | None = None  # the student function that was called, when known

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class StudentError(StudentFault):
    """Student code raised; `kind` is `error`, `missing`, `exit` or `unreadable`."""

    def __init__(self, info: dict) -> None:
        self.kind = info.get("kind", "error")
        self.type = info.get("type", "Exception")
        super().__init__(f"{self.type}: {info.get('message', '')}".strip(": "),
                         info.get("traceback", ""))
        self.status = CRASHED if self.kind == "exit" else ERROR


class StudentTimeout(StudentFault):
    status = TIMEOUT


class StudentCrash(StudentFault):
    status = CRASHED


class StudentMemory(StudentFault):
    status = MEMORY


class StudentDisk(StudentFault):
    """The submission filled its own disk allowance (`Limits.disk_mb`, `disk_files`)."""

    status = DISK


def disk_message(limits: Limits) -> str:
    return (f"your code wrote more than {limits.disk_mb} MiB to disk (or more than "
            f"{limits.disk_files} files), the limit for one submission")


@dataclass
class CellOutcome:
    name: str
    error: str | None  # a one-line summary, None when the cell ran
    stopped_after: float | None = None  # seconds, when the cell ran past `Limits.cell_seconds`

    def note(self) -> str | None:
        """What the report says about this cell, if anything."""
        if self.stopped_after is not None:
            return (f"{self.name} was stopped after {self.stopped_after:g} s; move long experiments "
                    f"into a cell tagged demo (the grader skips those) or remove them")
        return f"{self.name} raised {self.error}" if self.error else None


@dataclass
class Output:
    """The first `limit` bytes the student printed, and how many were dropped."""

    limit: int
    kept: bytearray = field(default_factory=bytearray)
    dropped: int = 0

    def add(self, chunk: bytes) -> None:
        room = self.limit - len(self.kept)
        self.kept += chunk[:max(room, 0)]
        self.dropped += max(len(chunk) - room, 0)

    def text(self) -> str:
        tail = f"\n[... {self.dropped} more bytes of output dropped]" if self.dropped else ""
        return self.kept.decode(errors="replace") + tail


class StudentProcess:
    """One submission, loaded into a fresh child of `zygote`."""

    def __init__(self, zygote: Zygote, cells: list[dict], limits: Limits) -> None:
        self.zygote, self.cells, self.limits = zygote, cells, limits
        self.output = Output(limits.output_kb * 1024)
        self.used = 0.0  # seconds of the total budget spent
        self.spawn_seconds = 0.0  # the last spawn's wait for the zygote (its start-up, if early)
        self.pid: int | None = None
        self.cell_outcomes: list[CellOutcome] = []
        self.defined: list[str] = []

    # -- life cycle --------------------------------------------------------
    def start(self) -> None:
        """Spawn the child and run the submission's cells (raises StudentFault)."""
        clock = time.perf_counter()
        self.pid, _, (self.req_w, self.resp_r, self.out_r) = self.zygote.spawn(self.limits)
        self.spawn_seconds = time.perf_counter() - clock
        # answer cells share load_seconds; any other cell may take cell_seconds more
        cells = [{"name": c["name"], "source": c["source"],
                  "limit": None if c.get("answer", True) else self.limits.cell_seconds}
                 for c in self.cells]
        capped = sum(1 for c in cells if c["limit"])
        reply = self._roundtrip({"op": "load", "cells": cells},
                                self.limits.load_seconds + capped * self.limits.cell_seconds,
                                "loading the submission")
        self.defined = [d for d in reply.get("defined", []) if isinstance(d, str)]
        self.cell_outcomes = [
            CellOutcome(str(c.get("name")), _summary(c["error"], self.limits) if c.get("error") else None,
                        self.limits.cell_seconds if _stopped(c) else None)
            for c in reply.get("cells", []) if isinstance(c, dict)]

    def stop(self) -> dict:
        """Kill the child's whole process tree; return how it ended."""
        if self.pid is None:
            return {}
        try:
            protocol.send(self.req_w, {"op": "exit"})
        except OSError:
            pass
        status = self.zygote.kill(self.pid)
        for fd in (self.req_w, self.resp_r, self.out_r):
            os.close(fd)
        self.pid = None
        return status

    # -- calls -------------------------------------------------------------
    def call(self, name: str, args: list, kwargs: dict | None = None, *,
             timeout: float | None = None, global_seed: int | None = None,
             return_args: bool = False, driver: protocol.Function | None = None) -> dict:
        """Call `name(*args, **kwargs)` in the child; return the decoded reply.

        The reply has `result` and, with return_args, `args_after`: the
        arguments as the student left them. With a `driver`, the child calls
        `driver(*args, **kwargs)` instead, built with the submission's names in
        scope (it exercises `name`, a class say, whose objects cannot cross);
        its result and exceptions come back as `name`'s.
        """
        if self.pid is None:
            self.start()
        request = {"op": "call", "name": name, "args": protocol.encode(list(args)),
                   "kwargs": protocol.encode(kwargs or {}),
                   "global_seed": global_seed, "return_args": return_args}
        if driver is not None:
            request["driver"] = {"source": driver.source, "name": driver.name}
        reply = self._roundtrip(request, timeout or self.limits.call_seconds, name)
        if not reply.get("ok"):
            error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
            if error.get("kind") == "memory":
                raise StudentMemory(f"{name} ran out of memory (limit "
                                    f"{self.limits.memory_mb} MB)", error.get("traceback", ""))
            if error.get("kind") == "disk":
                raise StudentDisk(f"{name}: {disk_message(self.limits)} "
                                  f"({error.get('type')}: {error.get('message')})"[:1000],
                                  error.get("traceback", ""))
            raise StudentError(error)
        try:
            decoded = {"result": protocol.decode(reply.get("result"))}
            if return_args:
                decoded["args_after"] = protocol.decode(reply.get("args_after"))
        except protocol.ProtocolError as exc:
            self._fail()
            raise StudentCrash(f"{name} sent back a malformed reply ({exc})") from None
        return decoded

    def _roundtrip(self, request: dict, timeout: float, what: str) -> dict:
        remaining = self.limits.total_seconds - self.used
        if remaining <= 0:
            raise StudentTimeout(f"the submission used up its time budget of "
                                 f"{self.limits.total_seconds:.0f} s before {what}")
        limit = min(timeout, remaining)
        start = time.perf_counter()
        try:
            try:
                protocol.send(self.req_w, request)
            except OSError as exc:  # the child is gone (it closed its end or died)
                self._died(what, exc)
            reply = self._wait(limit, what)
        finally:
            self.used += time.perf_counter() - start
        return reply

    def _wait(self, limit: float, what: str) -> dict:
        deadline = time.perf_counter() + limit
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                self._fail()
                raise StudentTimeout(f"{what} did not finish within {limit:.1f} s")
            ready, _, _ = select.select([self.resp_r, self.out_r], [], [], left)
            if self.out_r in ready:
                chunk = os.read(self.out_r, 1 << 16)
                if chunk:
                    self.output.add(chunk)
                    continue
            if self.resp_r in ready:
                try:
                    return protocol.recv(self.resp_r, deadline)
                except TimeoutError:
                    self._fail()
                    raise StudentTimeout(f"{what} did not finish within {limit:.1f} s "
                                         f"(its reply stopped half-way)") from None
                except (protocol.ProtocolError, ValueError, OSError) as exc:
                    self._died(what, exc)

    def _died(self, what: str, exc: Exception) -> None:
        status = self._fail()
        how = (f"was killed by signal {signal.Signals(status['signal']).name}"
               if status.get("signal") else f"exited with code {status.get('exitcode')}"
               if status.get("exitcode") is not None else "stopped answering")
        raise StudentCrash(f"the student process {how} while running {what}")

    def _fail(self) -> dict:
        """Kill a misbehaving child; the next call starts a fresh one."""
        return self.stop()


def _stopped(cell: dict) -> bool:
    return isinstance(cell.get("error"), dict) and cell["error"].get("kind") == "stopped"


def _summary(error: dict, limits: Limits) -> str:
    if not isinstance(error, dict):
        return "error"
    disk = f"{disk_message(limits)}: " if error.get("kind") == "disk" else ""
    return f"{disk}{error.get('type', 'Exception')}: {error.get('message', '')}"[:300]
