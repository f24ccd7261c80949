"""Drivers: a check's function run inside the student process with the submission's names in
scope, so checks can exercise a student's class while only plain data crosses back."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from looplab import lessons
from looplab.checks import StudentError, drive, driver, without_autograd
from looplab.checks.student import Student
from looplab.sandbox.runner import StudentCrash, StudentProcess

LIMITS = replace(lessons.get("1.3").limits, call_seconds=5.0, load_seconds=5.0, total_seconds=30.0)

SUBMISSION = '''
import math as _m

class Counter:
    def __init__(self, start):
        self.count = start
    def add(self, k):
        self.count += k
        return self

def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)

class Weird:
    pass

def by_hand(x):
    return 2 * x  # d/dx of x ** 2, written out

def by_autograd(x):
    x = x.detach().clone().requires_grad_(True)  # a private copy: nothing shows in the result
    (x ** 2).sum().backward()
    return x.grad

def refuses(x):
    raise ValueError("x is too small")
'''


def add_all(start, steps):
    c = Counter(start)  # noqa: F821 - the student's class, in scope inside the student process
    for k in steps:
        c.add(k)
    return {"count": c.count, "pi": round(math.pi, 3), "torch": torch.__name__}  # noqa: F821


def recurse(n):
    return depth(n)  # noqa: F821


def leak_object():
    return Weird()  # noqa: F821


def shadow():
    global Counter
    Counter = None
    return 1


@pytest.fixture
def student(checker):
    process = StudentProcess(checker.zygote, [{"name": "submission.py", "source": SUBMISSION}], LIMITS)
    yield Student(process)
    process.stop()


def test_a_driver_builds_the_students_class_and_returns_plain_data(student):
    assert drive(student, "Counter", add_all, 2, [3, 4]) == {"count": 9, "pi": 3.142, "torch": "torch"}


def test_the_students_exception_in_a_driver_is_a_student_error_of_the_named_task(student):
    with pytest.raises(StudentError) as info:
        drive(student, "depth", recurse, 5000)
    assert info.value.type == "RecursionError" and info.value.function == "depth"
    assert drive(student, "depth", recurse, 10) == 10  # not fatal: the next call works


def test_an_object_of_the_students_class_never_crosses(student):
    with pytest.raises(StudentError) as info:
        drive(student, "Weird", leak_object)
    assert info.value.kind == "unreadable" and "cannot read back" in info.value.message


def test_a_driver_for_an_undefined_name_reports_it_missing(student):
    with pytest.raises(StudentError) as info:
        drive(student, "Value", add_all, 1, [])
    assert info.value.kind == "missing" and "Value is not defined" in info.value.message


def test_a_driver_sees_a_copy_so_it_cannot_change_the_submission(student):
    assert drive(student, "Counter", shadow) == 1
    assert drive(student, "Counter", add_all, 1, [1])["count"] == 2
    assert student.call("depth", 3)["result"] == 3  # plain calls still reach the student's names


def test_a_driver_is_sent_as_source_text_not_as_a_callable():
    sent = driver(add_all)
    assert sent.name == "add_all" and sent.source.startswith("def add_all(start, steps):")
    assert driver(sent) is sent


def test_a_malformed_reply_from_a_driver_is_still_refused(student, monkeypatch):
    from looplab.sandbox import protocol
    real = protocol.decode
    monkeypatch.setattr(protocol, "decode", lambda data, **kw: real({"__nope__": 1}, **kw))
    with pytest.raises(StudentCrash):
        drive(student, "Counter", add_all, 1, [])


def test_without_autograd_returns_what_a_hand_written_function_computes(student):
    got = without_autograd(student, "by_hand", torch.tensor([1.0, -2.0]))
    assert torch.equal(got, torch.tensor([2.0, -4.0]))


def test_without_autograd_fails_a_function_that_takes_its_gradient_from_autograd(student):
    x = torch.tensor([1.0, -2.0])
    assert torch.equal(student.by_autograd(x), torch.tensor([2.0, -4.0]))  # right answer outside
    with pytest.raises(pytest.fail.Exception, match="relies on autograd"):
        without_autograd(student, "by_autograd", x)


def test_without_autograd_lets_an_error_unrelated_to_autograd_through(student):
    with pytest.raises(StudentError) as info:
        without_autograd(student, "refuses", torch.tensor([0.0]))
    assert info.value.type == "ValueError" and info.value.function == "refuses"
