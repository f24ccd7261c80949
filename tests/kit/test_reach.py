"""`looplab.reach`: which tasks a changed submission can reach."""

from looplab.reach import reachable_tasks

REFERENCE = '''
import torch

SCALE = 2.0


def helper(x):
    return x * SCALE


def a(x):
    """Task a."""
    return helper(x) + 1


def b(x):
    return x - 1


def c(x):
    return a(x) * b(x)
'''

TASKS = ("a", "b", "c")
CALLS = {"a": {"a"}, "b": {"b"}, "c": {"c", "a"}}  # c's checks also call the student's a


def test_a_change_reaches_its_task_and_every_task_that_uses_it():
    changed = REFERENCE.replace("return x - 1", "return x - 2")
    assert reachable_tasks(changed, REFERENCE, CALLS, TASKS) == {"b", "c"}


def test_a_changed_helper_or_constant_reaches_through_the_names_that_use_it():
    assert reachable_tasks(REFERENCE.replace("x * SCALE", "x + SCALE"), REFERENCE, CALLS, TASKS) == {"a", "c"}
    assert reachable_tasks(REFERENCE.replace("SCALE = 2.0", "SCALE = 3.0"), REFERENCE, CALLS, TASKS) == {"a", "c"}


def test_checks_that_call_another_task_are_reached_by_its_change():
    calls = {"a": {"a"}, "b": {"b", "a"}, "c": {"c"}}  # b's checks compare with the student's a
    changed = REFERENCE.replace('"""Task a."""\n    return helper(x) + 1', "return helper(x) + 2")
    assert reachable_tasks(changed, REFERENCE, calls, TASKS) == {"a", "b", "c"}


def test_module_level_code_or_unparsable_source_reaches_everything():
    assert reachable_tasks(REFERENCE + "\ntorch.manual_seed(0)\n", REFERENCE, CALLS, TASKS) == set(TASKS)
    assert reachable_tasks(REFERENCE + "\ndef broken(:\n", REFERENCE, CALLS, TASKS) == set(TASKS)


def test_an_unchanged_submission_reaches_nothing():
    assert reachable_tasks(REFERENCE, REFERENCE, CALLS, TASKS) == set()
