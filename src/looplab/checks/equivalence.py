"""Cross-task equivalences without cross-task penalties.

A lesson's equivalences compare two of the student's functions ("train_minibatch with
batch_size=N is your train_batch"). A fault in one function must never cost points in
another task, so the other function's result is used only when it is right; when it is
wrong, raises, times out or crashes, the check judges against the reference's instead (the
other function's own checks take its points).
"""

from __future__ import annotations

from typing import Any, Callable

from looplab.checks.compare import roughly_equal
from looplab.checks.data import fresh_all
from looplab.sandbox.runner import StudentFault


def own_or_reference(student: Any, reference: Any, name: str, args: tuple, *,
                     same: Callable[[Any, Any], bool] = roughly_equal,
                     read: Callable[[Any], Any] = lambda value: value,
                     **call_kwargs: Any) -> tuple[Any, str]:
    """(value, against): the student's own `name(*args)` when it agrees with the reference's
    (`same`), else the reference's. `against` names which one, for the failure message.

    `read` turns the student's raw result into the compared form; if it fails (wrong type),
    the reference's result is used. `call_kwargs` go to `student.call` (e.g. global_seed).
    """
    want = getattr(reference, name)(*fresh_all(args))
    try:
        own = read(student.call(name, *fresh_all(args), **call_kwargs)["result"])
    except StudentFault:
        return want, f"the reference's {name} (your {name} failed; its own checks cover that)"
    except BaseException as exc:  # pytest.fail from `read`: the result had the wrong type
        if type(exc).__name__ != "Failed":
            raise
        return want, f"the reference's {name} (your {name} returned the wrong type)"
    if same(own, want):
        return own, f"your {name}"
    return want, f"the reference's {name} (your {name} differs from it; its own checks cover that)"
