"""gradient_check and error_curve judged on their own code, whatever the rest of the submission.

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

from looplab.checks import Function

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


def call(student: Any, reference: ModuleType, name: str, *args: Any, **call_kwargs: Any) -> dict:
    """`student.call(name, *args)` with the reference's helpers in the function's scope."""
    driver = Function(DRIVER.format(name=name, helpers=helpers_source(reference), names=HELPERS),
                      "_isolated")
    return student.call(name, *args, driver=driver, **call_kwargs)


def result(student: Any, reference: ModuleType, name: str, *args: Any) -> Any:
    return call(student, reference, name, *args)["result"]
