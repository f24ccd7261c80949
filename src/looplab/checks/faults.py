"""The student's exceptions as checks see them, and the one rule for re-raising them.

A call to a student's function raises `StudentFault` when it produced no answer: `StudentError`
when the code raised (`.type` is the exception's class name, `.kind` is `error` or `missing`),
or a timeout, crash or memory fault (`.status`). A check lets a fault propagate unless it is
the very thing the check is about; the plugin then scores it with the fault's status.
"""

from __future__ import annotations

from typing import Any

from looplab.checks.expect import fail
from looplab.sandbox.runner import StudentError, StudentFault, StudentTimeout

__all__ = ["StudentError", "StudentFault", "StudentTimeout", "expect_raises", "unfinished"]


def unfinished(err: StudentFault) -> bool:
    """True for faults a check must never explain away: not implemented, not defined, or a
    timeout, crash or memory fault. Re-raise these; judge only ordinary exceptions."""
    if not isinstance(err, StudentError):
        return True
    return err.type == "NotImplementedError" or err.kind != "error"


def expect_raises(student: Any, name: str, args: tuple, error: str, *, setting: str,
                  hint: str = "", **kwargs: Any) -> None:
    """Fail unless `student.<name>(*args)` raises the exception class named `error`.

    `setting` says what was passed ("batch_size=0"); `hint` what the contract asks to check.
    """
    try:
        student.call(name, *args, **kwargs)
    except StudentError as err:
        if unfinished(err):
            raise
        if err.type != error:
            _fail_from(err, f"{name}({setting}) raised {err.type}; the contract asks for {error}"
                       + (f": {hint}" if hint else ""))
        return
    fail(f"{name}({setting}) returned instead of raising {error}" + (f": {hint}" if hint else ""))


def _fail_from(err: StudentFault, message: str) -> None:
    """Fail with `message`, keeping the student's exception as the cause: the task's status
    then counts this check as one that hit an exception in the student's code."""
    try:
        fail(message)
    except BaseException as failure:
        failure.__cause__ = err
        raise
