"""Checking what cannot cross the process boundary: a student's class, through a driver.

Objects of a student's class never leave the student process (only plain data, tensors and
generators cross). A *driver* is a small function written in the check module, sent as its
source text and run inside the student process with the submission's names in scope (a copy
of its namespace, plus `torch` and `math`). It builds objects with the student's class,
exercises them and returns plain data, which comes back validated like any result:

    def leaf_grads(xs):
        leaves = [Value(x) for x in xs]  # the student's class
        out = leaves[0] * leaves[1] + leaves[0]
        out.backward()
        return [v.grad for v in leaves]

    grads = drive(student, "Value", leaf_grads, [2.0, 3.0])

`name` is what the driver exercises: it must be defined, and the driver's exceptions,
timeouts and crashes are that task's faults (`StudentError` with the exception's `.type`,
e.g. a RecursionError from the student's recursive code). A driver may use only builtins,
`torch`, `math` and the submission's names: never the check module's globals or closures.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any, Callable

from looplab.checks.expect import fail
from looplab.checks.faults import StudentError, unfinished
from looplab.sandbox.protocol import Function

__all__ = ["Function", "drive", "driver", "without_autograd"]


def driver(fn: Callable[..., Any] | Function) -> Function:
    """`fn` (a plain top-level or nested function of a check module) as source to send."""
    if isinstance(fn, Function):
        return fn
    return Function(textwrap.dedent(inspect.getsource(fn)), fn.__name__)


def drive(student: Any, name: str, fn: Callable[..., Any] | Function, *args: Any,
          **call_kwargs: Any) -> Any:
    """`fn(*args)` run in the student process with the submission's names in scope; its
    faults are `name`'s. `call_kwargs` go to `student.call` (timeout, global_seed)."""
    return student.call(name, *args, driver=driver(fn), **call_kwargs)["result"]


def without_autograd(student: Any, name: str, *args: Any) -> Any:
    """`name(*args)` run inside `torch.inference_mode()`, where autograd records nothing.

    A computation written by hand does not notice and its result comes back. One that uses
    autograd (`.backward()`, `torch.autograd.grad`, even on private detached copies) raises
    there: if the same call succeeds outside inference mode, the check fails saying that
    `name` relies on autograd; if it fails outside too, that error propagates as it is.
    """
    source = (f"NAME = {name!r}\n\n"
              "def call_without_autograd(*call_args):\n"
              "    with torch.inference_mode():\n"
              "        return globals()[NAME](*call_args)\n")
    try:
        return drive(student, name, Function(source, "call_without_autograd"), *args)
    except StudentError as err:
        if unfinished(err):
            raise
        student.call(name, *args)  # raises the same error when it is not about autograd
        fail(f"{name} raised {err.message} when called inside torch.inference_mode(), "
             f"where autograd is switched off, but runs outside it: it relies on autograd "
             f"(.backward(), torch.autograd.grad or requires_grad). Compute the gradient from the "
             f"formula with plain tensor arithmetic: no autograd in {name} or in what it calls")
