"""What hidden checks are written with.

A check is a pytest test marked with `points(task, n)`. It receives the
student's functions through the `student` fixture (calls go to the sandboxed
student process and come back as plain data) and the trusted reference through
`reference`. Failures raise `pytest.fail` with a message that teaches.
"""

from looplab.checks.expect import (as_float_list, assert_trajectory, expect, fail,
                                   not_mutated, same_trajectory)
from looplab.checks.marks import points

__all__ = ["as_float_list", "assert_trajectory", "expect", "fail", "not_mutated", "points",
           "same_trajectory"]
