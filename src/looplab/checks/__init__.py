"""Everything a hidden check is written with: import from here only.

A check is a pytest test marked with `points(task, n)`. It receives the student's functions
through the `student` fixture (calls go to the sandboxed student process and come back as
plain data), the trusted reference solution through `reference` (imported in the checker's
process) and `reference_process` (the reference in a student-like process, for timing).
Failures raise through `fail`/`expect` with a message that teaches: the setting tried, what
was expected, what came back, and the likely mistake (`likely`).

- reading results: `as_float`, `as_float_list`, `as_int`, `as_tensor`, `as_pair`, `kind`
- data: `gen`, `fresh`, `fresh_all`, `linear_data`, `describe`
- comparing: `close`, `same_trajectory`, `first_difference`, `assert_trajectory`,
  `assert_float`, `assert_tensor`, `roughly_equal`, `expect_unchanged`
- faults: `StudentError`, `StudentFault`, `StudentTimeout`, `unfinished`, `expect_raises`
- mistakes: `Mistakes`, `diagnose`, `loosely_same`, `likely`; `linear_loop` simulates the
  course's linear-regression loop with any set of bugs
- training loops: `expect_one_loss_per_epoch`, `expect_reference_losses`
- equivalences: `own_or_reference`
- a student's class (objects that cannot cross): `drive`, `driver`, `Function` (drivers)
- hand-written gradients: `without_autograd` runs a call inside torch.inference_mode()
- quizzes: `Quiz`
- speed: `assert_not_much_slower`; `one_thread` runs the checker's own small-tensor work on
  one thread (on a busy machine, many times faster)
"""

from looplab.checks.compare import (assert_float, assert_tensor, assert_trajectory, close,
                                    expect_unchanged, first_difference, likely, roughly_equal,
                                    same_trajectory)
from looplab.checks.data import describe, fresh, fresh_all, gen, linear_data
from looplab.checks.drivers import Function, drive, driver, without_autograd
from looplab.checks.epochs import expect_one_loss_per_epoch, expect_reference_losses
from looplab.checks.equivalence import own_or_reference
from looplab.checks.expect import expect, fail
from looplab.checks.faults import (StudentError, StudentFault, StudentTimeout, expect_raises,
                                   unfinished)
from looplab.checks.loops import linear_loop
from looplab.checks.marks import points
from looplab.checks.mistakes import Mistakes, diagnose, loosely_same
from looplab.checks.quiz import Quiz
from looplab.checks.results import as_float, as_float_list, as_int, as_pair, as_tensor, kind
from looplab.checks.threads import one_thread
from looplab.checks.timing import assert_not_much_slower

__all__ = [
    "Function", "Mistakes", "Quiz", "StudentError", "StudentFault", "StudentTimeout", "as_float", "as_float_list",
    "as_int", "as_pair", "as_tensor", "assert_float", "assert_not_much_slower", "assert_tensor",
    "assert_trajectory", "close", "describe", "diagnose", "drive", "driver", "expect", "expect_raises",
    "expect_one_loss_per_epoch", "expect_reference_losses",
    "expect_unchanged", "fail", "first_difference", "fresh", "fresh_all", "gen", "kind", "likely",
    "linear_data", "linear_loop", "loosely_same", "one_thread", "own_or_reference", "points", "roughly_equal",
    "same_trajectory", "unfinished", "without_autograd",
]
