"""The `student` fixture's object: the student's functions, called remotely.

`student.train_batch(...)` returns the decoded result. `student.call(...)`
also takes a global seed, a time limit, asks for the arguments back, or sends a
`driver` that exercises the named function or class inside the student process
(`looplab.checks.drivers`). Once a function has timed out, crashed or run out of
memory, later calls to it fail at once with the same status, so a hang costs one
time limit, not one per check.
"""

from __future__ import annotations

import time
from typing import Any

from looplab.sandbox.protocol import Function
from looplab.sandbox.runner import StudentFault, StudentProcess
from looplab.status import FATAL, TIMEOUT


class Student:
    def __init__(self, process: StudentProcess) -> None:
        self._process = process
        self.faults: dict[str, StudentFault] = {}
        self.called: set[str] | None = None  # when a set, every name called (and a driver's names)
        self.speeds: list[float] = []  # speed checks' student/reference ratios, for the report

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)["result"]

    def call(self, name: str, *args: Any, global_seed: int | None = None,
             timeout: float | None = None, return_args: bool = False,
             driver: Function | None = None, **kwargs: Any) -> dict:
        self._note(name, driver)
        if name in self.faults:
            raise self.faults[name]
        try:
            return self._process.call(name, list(args), kwargs, timeout=timeout,
                                      global_seed=global_seed, return_args=return_args,
                                      driver=driver)
        except StudentFault as fault:
            fault.function = name
            if fault.status in FATAL:
                self.faults[name] = fault
            raise

    def timed(self, name: str, *args: Any, timeout: float, driver: Function | None = None,
              **kwargs: Any) -> tuple[float, Any]:
        """Wall-clock seconds of one call, measured from the checker's side, and its result.

        Raises StudentFault like `call`; a timeout here is not remembered as the
        function's status, since it only means "too slow".
        """
        self._note(name, driver)
        if name in self.faults:
            raise self.faults[name]
        start = time.perf_counter()
        try:
            reply = self._process.call(name, list(args), kwargs, timeout=timeout, driver=driver)
        except StudentFault as fault:
            fault.function = name
            if fault.status in FATAL and fault.status != TIMEOUT:
                self.faults[name] = fault
            raise
        return time.perf_counter() - start, reply["result"]

    def _note(self, name: str, driver: Function | None) -> None:
        if self.called is not None:
            self.called.add(name)
            if driver is not None:
                self.called.update(names_in(driver.source))


def names_in(source: str) -> set[str]:
    """Every identifier a piece of code mentions (a driver may use any of the student's names)."""
    import ast
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
