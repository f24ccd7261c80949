"""What runs inside a student process: load the submission, answer calls.

This module runs next to untrusted code. Nothing it sends back is trusted by
the checker: replies are plain JSON data that the checks judge on their side.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import traceback
from typing import Any

from looplab.sandbox import namespaces, protocol
from looplab.sandbox.limits import Limits, apply, die_with_parent

RPC_FD_BASE = 900  # the pipes move here, away from the fds students touch


def start(req_fd: int, resp_fd: int, out_fd: int, scratch: str, limits: Limits,
          course_root: str, sync: tuple[int, int]) -> None:
    """Entry point in the forked child; never returns.

    `sync` is the pair of pipes on which the zygote helps set up the namespaces.
    """
    code = 0
    try:
        die_with_parent()
        os.setsid()
        shared = namespaces.enter(scratch, limits, sync)
        req_fd, resp_fd = _isolate_fds(req_fd, resp_fd, out_fd)
        _isolate_environment(scratch, course_root)
        if shared:
            print(f"looplab: this submission shares /tmp, /var/tmp and /dev/shm with the others "
                  f"graded here ({shared}); only its scratch directory is removed", file=sys.stderr)
        import torch
        torch.set_num_threads(limits.threads)
        apply(limits, scratch)
        namespaces.seal()
        die_with_parent()  # the kernel forgets it when the credentials change
        Server(req_fd, resp_fd).serve()
    except BaseException:  # noqa: BLE001 - the child reports and exits
        code = 70
    finally:
        os._exit(code)


def _isolate_fds(req_fd: int, resp_fd: int, out_fd: int) -> tuple[int, int]:
    new_req, new_resp = RPC_FD_BASE, RPC_FD_BASE + 1
    os.dup2(req_fd, new_req)
    os.dup2(resp_fd, new_resp)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    # fresh Python streams on the new fds: the inherited ones may wrap fds closed below
    sys.stdin = sys.__stdin__ = open(0, closefd=False)
    sys.stdout = sys.__stdout__ = open(1, "w", buffering=1, closefd=False, errors="replace")
    sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, closefd=False, errors="replace")
    keep = {0, 1, 2, new_req, new_resp}
    for fd in os.listdir("/proc/self/fd"):
        if int(fd) not in keep:
            try:
                os.close(int(fd))
            except OSError:
                pass
    return new_req, new_resp


def _isolate_environment(scratch: str, course_root: str) -> None:
    os.chdir(scratch)
    root = os.path.realpath(course_root) + os.sep
    env = os.path.realpath(sys.prefix) + os.sep
    env_in_root = env.startswith(root)  # a checkout's .venv; an installed looplab's data is in env

    def hide(p: str) -> bool:
        where = os.path.realpath(p) + os.sep
        return where.startswith(root) and not (env_in_root and where.startswith(env))

    hidden = [p for p in sys.path if not p or hide(p)]
    sys.path[:] = [scratch] + [p for p in sys.path if p not in hidden]
    for key in [k for k in os.environ if k.startswith("LOOPLAB")]:
        del os.environ[key]
    os.environ.update(HOME=scratch, TMPDIR=scratch, MPLCONFIGDIR=scratch,
                      MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1",
                      TORCHINDUCTOR_CACHE_DIR=os.path.join(scratch, ".inductor"))
    import tempfile
    tempfile.tempdir = scratch  # the zygote already cached its own temp dir
    sys.argv = ["submission"]
    import warnings
    warnings.resetwarnings()  # the checker's filters (tests may turn warnings into errors) stay there


DISK_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def classify(exc: BaseException) -> str:
    """`memory` for allocation failures, `disk` when the submission's disk is full,
    `exit` for SystemExit, else `error`."""
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:
        return "disk"
    text = str(exc)
    if isinstance(exc, RuntimeError) and ("can't allocate memory" in text
                                          or "Unable to allocate" in text
                                          or "out of memory" in text):
        return "memory"
    if isinstance(exc, (SystemExit, KeyboardInterrupt)):
        return "exit"
    if isinstance(exc, (OSError, RuntimeError)) and namespaces.disk_full():
        return "disk"  # e.g. torch.save's RuntimeError: "file write failed"
    return "error"


def error_info(exc: BaseException) -> dict:
    lines = traceback.format_exception(exc)
    # drop the frames that belong to looplab itself
    keep = [ln for ln in lines if "looplab/sandbox" not in ln]
    return {"kind": classify(exc), "type": type(exc).__name__,
            "message": str(exc)[:2000], "traceback": "".join(keep)[-4000:]}


class Server:
    """Answers `load`, `call` and `exit` requests on a pair of pipes."""

    def __init__(self, req_fd: int, resp_fd: int) -> None:
        self.req_fd, self.resp_fd = req_fd, resp_fd
        from looplab.deferred import builtins_deferring
        self.namespace: dict[str, Any] = {"__name__": "submission",
                                          "__builtins__": builtins_deferring()}

    def serve(self) -> None:
        while True:
            request = protocol.recv(self.req_fd)
            op = request.get("op")
            if op == "exit":
                return
            reply = self.load(request) if op == "load" else self.call(request)
            _flush()
            protocol.send(self.resp_fd, reply)

    def load(self, request: dict) -> dict:
        cells = []
        for cell in request["cells"]:
            error = None
            try:
                code = compile(cell["source"], cell["name"], "exec")
                with _stop_after(cell.get("limit")):
                    exec(code, self.namespace)
            except CellStopped:
                error = {"kind": "stopped", "type": "CellStopped", "traceback": "",
                         "message": f"stopped after {cell['limit']:g} s"}
            except BaseException as exc:  # noqa: BLE001 - reported per cell
                error = error_info(exc)
            cells.append({"name": cell["name"], "error": error})
        defined = sorted(k for k, v in self.namespace.items()
                         if callable(v) and not k.startswith("_"))
        return {"ok": True, "cells": cells, "defined": defined}

    def call(self, request: dict) -> dict:
        func = self.namespace.get(request["name"])
        if not callable(func):
            return {"ok": False, "error": {"kind": "missing", "type": "NameError",
                                           "message": f"{request['name']} is not defined",
                                           "traceback": ""}}
        try:
            args = protocol.decode(request["args"], functions=True)
            kwargs = protocol.decode(request["kwargs"], functions=True)
            if request.get("driver") is not None:  # the checker's driver exercises `name`
                func = self._driver(request["driver"])
            if request.get("global_seed") is not None:
                _seed_everything(request["global_seed"])
            result = func(*args, **kwargs)
            try:
                reply = {"ok": True, "result": protocol.encode(result)}
            except TypeError as exc:
                return {"ok": False, "error": {
                    "kind": "unreadable", "type": "TypeError", "traceback": "",
                    "message": f"{request['name']} returned something looplab cannot read back: {exc}"}}
            if request.get("return_args"):
                reply["args_after"] = [_encode_or_none(a) for a in args]
            return reply
        except BaseException as exc:  # noqa: BLE001 - reported to the checker
            return {"ok": False, "error": error_info(exc)}

    def _driver(self, body: Any) -> Any:
        """A checker's function that runs with the submission's names in scope (a copy)."""
        if type(body) is not dict:
            raise protocol.ProtocolError("malformed driver")
        return protocol.Function(str(body.get("source")), str(body.get("name"))).build(dict(self.namespace))


class CellStopped(BaseException):
    """A cell that is not an answer cell ran past its own limit (BaseException: a student's
    `except Exception` does not swallow it)."""


@contextlib.contextmanager
def _stop_after(seconds: float | None):
    """Raise CellStopped in the running code after `seconds` (no limit for None)."""
    if not seconds:
        yield
        return
    armed = [True]

    def stop(signum, frame):
        if armed[0]:
            raise CellStopped()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        armed[0] = False  # a late alarm is a no-op from here on
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def _encode_or_none(value: Any) -> Any:
    try:
        return protocol.encode(value)
    except TypeError:  # e.g. a function the checker sent
        return None


def _seed_everything(seed: int) -> None:
    import random

    import numpy as np
    import torch
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - the student may have closed it
            pass
