"""One vocabulary for what happened, shared by the sandbox, the checks, reports and grading.

A call, a task and a whole submission each get one of these statuses. A task takes the most
severe status among its checks, a submission the most severe among its tasks (worst first):

- `memory`: the code allocated more than its memory limit
- `disk`: the code wrote more than its disk allowance
- `timeout`: a call ran past its time limit (or the submission past its budget)
- `crashed`: the student process died (a signal, an exit, a broken reply)
- `missing`: nothing to grade: no notebook was submitted, or the function is not defined
- `not_implemented`: the function still raises NotImplementedError (an untouched stub)
- `error`: the code raised on every check of the task
- `ok`: graded: the code ran and every check gave a verdict (points may still be lost)
"""

from __future__ import annotations

MEMORY, DISK, TIMEOUT, CRASHED = "memory", "disk", "timeout", "crashed"
MISSING, NOT_IMPLEMENTED, ERROR, OK = "missing", "not_implemented", "error", "ok"

SEVERITY = (MEMORY, DISK, TIMEOUT, CRASHED, MISSING, NOT_IMPLEMENTED, ERROR, OK)
FATAL = (TIMEOUT, CRASHED, MEMORY, DISK)  # a function that did this once is not called again


def worst(*statuses: str) -> str:
    """The most severe of `statuses` (`ok` for none)."""
    return min(statuses, key=SEVERITY.index, default=OK)
