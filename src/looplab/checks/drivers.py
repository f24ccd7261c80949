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

from looplab.sandbox.protocol import Function

__all__ = ["Function", "drive", "driver"]


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
