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

__all__ = ["StudentError", "StudentFault", "StudentTimeout", "expect_raises", "known_cause",
           "unfinished"]

# (pieces that must all be in the error's text, the likely cause and what to do): the classic
# autograd errors of a first training loop, in words the course has taught by lesson 1.3
KNOWN_CAUSES = [
    (("does not require grad",),
     "the loss does not depend on any tensor that autograd tracks: make the parameters with "
     "requires_grad_(True), and update them in place (w -= lr * w.grad inside torch.no_grad()): "
     "w = w - lr * w.grad inside torch.no_grad() makes a new w that autograd does not track"),
    (("unsupported operand", "'NoneType'"),
     "a value is None where a tensor was expected; if it is a .grad: w = w - lr * w.grad outside "
     "torch.no_grad() makes w a computed tensor, no longer a leaf, and autograd fills .grad only "
     "for leaves; update in place inside torch.no_grad() (w -= lr * w.grad), and call "
     "backward() before reading .grad"),
    (("leaf Variable that requires grad", "in-place operation"),
     "the parameters are updated in place while autograd records: do the update inside "
     "`with torch.no_grad():`"),
]


def unfinished(err: StudentFault) -> bool:
    """True for faults a check must never explain away: not implemented, not defined, or a
    timeout, crash or memory fault. Re-raise these; judge only ordinary exceptions."""
    if not isinstance(err, StudentError):
        return True
    return err.type == "NotImplementedError" or err.kind != "error"


def known_cause(err: StudentFault) -> str:
    """The likely cause of a well-known exception in the student's code, with what to do ("" if
    none is known). It reads the exception's message and traceback."""
    if not isinstance(err, StudentError):
        return ""
    text = f"{err.message}\n{err.detail}"
    for pieces, cause in KNOWN_CAUSES:
        if all(piece in text for piece in pieces):
            return cause
    return ""


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
