"""gradient_check and error_curve judged on their own code, whatever the rest of the submission.

Also the two contract checks they share: grad_f is called once, and a gradient of the wrong
shape raises relative_error's ValueError.

Both call the student's numerical_gradient and relative_error, which have checks of their own.
So that one finite-difference bug never costs points twice, these two tasks always run with
the reference's numerical_gradient and relative_error in their global scope: a driver rebuilds
the student's function (same code, defaults and closure) over a copy of its globals in which
those two names are the reference's. A function that is not a plain Python function (a
callable object) runs as it is.
"""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

from looplab.checks import Function, StudentError, expect_raises, fail

from .functions import FLAT_REGRESSION, MARK, REGRESSION, about, point

HELPERS = ("numerical_gradient", "relative_error")

DRIVER = '''
def _isolated(*args):
    import types
    own = globals()[{name!r}]
    if not isinstance(own, types.FunctionType):
        return own(*args)
    helpers = {{}}
    exec({helpers!r}, helpers)
    scope = dict(own.__globals__)
    scope.update((key, helpers[key]) for key in {names!r})
    rebuilt = types.FunctionType(own.__code__, scope, own.__name__, own.__defaults__, own.__closure__)
    rebuilt.__kwdefaults__ = own.__kwdefaults__
    return rebuilt(*args)
'''


def helpers_source(reference: ModuleType) -> str:
    """The reference's numerical_gradient and relative_error, with the imports they need."""
    return "import itertools\nimport math\n\nimport torch\n\n\n" + "\n\n".join(
        inspect.getsource(getattr(reference, name)) for name in HELPERS)


def driver(reference: ModuleType, name: str) -> Function:
    """The driver that runs the student's `name` with the reference's helpers in its scope."""
    return Function(DRIVER.format(name=name, helpers=helpers_source(reference), names=HELPERS),
                    "_isolated")


def call(student: Any, reference: ModuleType, name: str, *args: Any, **call_kwargs: Any) -> dict:
    """`student.call(name, *args)` with the reference's helpers in the function's scope."""
    return student.call(name, *args, driver=driver(reference, name), **call_kwargs)


def result(student: Any, reference: ModuleType, name: str, *args: Any) -> Any:
    return call(student, reference, name, *args)["result"]


def expect_grad_f_once_and_value_error(student: Any, reference: ModuleType, name: str,
                                       *extra: Any) -> None:
    """`name(f, grad_f, x, *extra)` calls grad_f once, and raises ValueError when grad_f(x)
    has the wrong shape (the contract lets relative_error's error through)."""
    x = point((3, 1), seed=114)
    try:
        call(student, reference, name, REGRESSION.remote(x),
             REGRESSION.remote_gradient(x, max_calls=1), x, *extra)
    except StudentError as err:
        if "grad_f was evaluated more than" in err.message and MARK in err.message:
            fail(f"{name} called grad_f more than once ({about(x)}); the analytical gradient "
                 f"does not change: call grad_f(x) once and keep the result")
        raise
    expect_raises(student, name, (REGRESSION.remote(x), FLAT_REGRESSION.remote_gradient(x), x, *extra),
                  "ValueError", setting="grad_f(x) of shape (3,) for x of shape (3, 1)",
                  hint="a gradient of the wrong shape is a bug of its own: pass grad_f(x) to "
                       "relative_error as it is (do not reshape it) and let its ValueError through",
                  driver=driver(reference, name))
