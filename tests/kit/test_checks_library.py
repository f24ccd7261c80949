"""The shared check library (`looplab.checks`) on its own, with a stand-in for the student.

These run no sandbox: a `FakeStudent` answers calls from plain Python functions, so each
helper's verdict and message are pinned down in milliseconds.
"""

from __future__ import annotations

import pytest
import torch

from looplab import checks
from looplab.checks import Quiz
from looplab.sandbox.runner import StudentError, StudentTimeout

Failed = pytest.fail.Exception


class FakeStudent:
    """`student.call(name, *args)` runs `functions[name]`; an exception becomes a StudentFault."""

    def __init__(self, **functions):
        self.functions = functions

    def call(self, name, *args, return_args=False, global_seed=None, **kwargs):
        fn = self.functions[name]
        if isinstance(fn, Exception):
            raise fn
        args = checks.fresh_all(args)  # like the sandbox: the student works on copies
        return {"result": fn(*args), "args_after": list(args) if return_args else None}

    def __getattr__(self, name):
        return lambda *args: self.call(name, *args)["result"]


def raised(type_: str, kind: str = "error") -> StudentError:
    return StudentError({"kind": kind, "type": type_, "message": "boom"})


def test_as_float_accepts_one_element_tensors_unless_strict():
    assert checks.as_float(torch.tensor(2.5), "f") == 2.5
    with pytest.raises(Failed, match=r"f returned a torch.Tensor; .* Python float \(call .item\(\)"):
        checks.as_float(torch.tensor(2.5), "f", strict=True)


def test_as_tensor_names_the_wrong_shape_and_dtype():
    with pytest.raises(Failed, match=r"shape \(2, 3\); expected \(3, 2\)"):
        checks.as_tensor(torch.zeros(2, 3), "f", shape=(3, 2))
    with pytest.raises(Failed, match="torch.int64 tensor; the contract asks for torch.float32"):
        checks.as_tensor(torch.zeros(2, dtype=torch.long), "f", dtype=torch.float32)


def test_assert_trajectory_names_the_first_differing_epoch_and_the_likely_mistake():
    with pytest.raises(Failed) as exc:
        checks.assert_trajectory([1.0, 0.5, 0.3], [1.0, 0.5, 0.2], what="train", setting="N=4",
                                 diagnose=lambda: "the loss is summed")
    assert str(exc.value) == "train: epoch 2 loss 0.3, reference 0.2 (N=4)\nlikely mistake: the loss is summed"


def test_likely_lists_several_mistakes_one_per_line():
    text = checks.likely(["a", "b"])
    assert "likely mistakes, 2 at once" in text and "\n  - a\n  - b" in text
    assert checks.likely(None) == "" and checks.likely(["a"]) == "\nlikely mistake: a"


def test_expect_unchanged_catches_an_argument_modified_in_place():
    def in_place(w):
        w += 1
        return w
    student = FakeStudent(f=in_place)
    with pytest.raises(Failed, match="f changed its input `w` in place"):
        checks.expect_unchanged(student, "f", (torch.zeros(2),), ["w"])
    checks.expect_unchanged(FakeStudent(f=lambda w: w + 1), "f", (torch.zeros(2),), ["w"])


def test_expect_raises_wants_the_named_error_and_lets_unfinished_work_through():
    checks.expect_raises(FakeStudent(f=raised("ValueError")), "f", (0,), "ValueError", setting="0")
    with pytest.raises(Failed, match=r"f\(0\) raised AssertionError; the contract asks for ValueError"):
        checks.expect_raises(FakeStudent(f=raised("AssertionError")), "f", (0,), "ValueError", setting="0")
    with pytest.raises(Failed, match="returned instead of raising ValueError"):
        checks.expect_raises(FakeStudent(f=lambda x: x), "f", (0,), "ValueError", setting="0")
    with pytest.raises(StudentError):  # not implemented is scored by the plugin, not explained away
        checks.expect_raises(FakeStudent(f=raised("NotImplementedError")), "f", (0,), "ValueError", setting="0")


def test_one_loss_per_epoch_wants_an_empty_list_for_zero_epochs():
    good = FakeStudent(t=lambda e: [1.0] * e)
    assert checks.expect_one_loss_per_epoch(good, "t", lambda e: (e,)) == [1.0, 1.0, 1.0]
    with pytest.raises(Failed, match="with epochs=0 returned"):
        checks.expect_one_loss_per_epoch(FakeStudent(t=lambda e: [1.0] * (e + 1)), "t", lambda e: (e,))


class Reference:
    @staticmethod
    def a(x):
        return [x, x / 2]


@pytest.mark.parametrize("own, against", [
    (lambda x: [x, x / 2], "your a"),
    (lambda x: [x, x], "the reference's a (your a differs"),
    (raised("RuntimeError"), "the reference's a (your a failed"),
    (StudentTimeout("hung"), "the reference's a (your a failed"),
])
def test_own_or_reference_uses_the_students_function_only_when_it_is_right(own, against):
    value, who = checks.own_or_reference(FakeStudent(a=own), Reference, "a", (4.0,))
    assert value == [4.0, 2.0] and who.startswith(against)


def test_linear_loop_without_bugs_is_gradient_descent_and_each_bug_changes_it():
    X, y, w0, b0 = checks.linear_data(20, 2, seed=0)
    clean = checks.linear_loop(X, y, w0, b0, batch_size=6, epochs=3, lr=0.1, seed=1)
    assert len(clean) == 3 and clean[2] < clean[0]
    full = checks.linear_loop(X, y, w0, b0, batch_size=None, epochs=3, lr=0.1)
    assert checks.loosely_same(full, checks.linear_loop(X, y, w0, b0, batch_size=20, epochs=3, lr=0.1, seed=1))
    for bug in ("record_after", "sum", "no_zero_grad", "no_bias", "ascent", "shuffle_once",
                "no_shuffle", "global_rng", "drop_last", "unweighted", "last_loss", "epoch_end_full"):
        bugged = checks.linear_loop(X, y, w0, b0, batch_size=6, epochs=3, lr=0.1, seed=1, global_seed=7,
                                    mistake=bug)
        assert not checks.loosely_same(bugged, clean), bug


def test_mistakes_diagnose_names_the_simulated_mistake():
    known = checks.Mistakes({"double": "doubled", "half": "halved"},
                            lambda x, mistake=None: [x * {"double": 2, "half": 0.5}.get(mistake, 1)])
    assert known.diagnose([2.0], ["double", "half"], x=1.0) == "doubled"
    assert known.diagnose([3.0], ["double", "half"], x=1.0) is None


QUIZ = Quiz({"q1": "a", "q2": "c"}, {"q1": "topic one", "q2": "topic two"},
            {"q1": "the first idea", "q2": "the second idea"})


def test_quiz_explains_a_wrong_answer_without_giving_the_letter():
    student = FakeStudent(quiz_answers=lambda: {"q1": "b", "q2": " C "})
    QUIZ.expect_answer(student, "q2")  # spaces and upper case are read leniently
    with pytest.raises(Failed) as exc:
        QUIZ.expect_answer(student, "q1")
    assert "q1 (topic one): you chose 'b'" in str(exc.value) and "the first idea" in str(exc.value)
    assert "'a'" not in str(exc.value)


@pytest.mark.parametrize("answers, message", [
    ({"q1": 1, "q2": "c"}, "if 1 means the first option, write 'a'"),
    ({"Q1": "a"}, "you have 'Q1': the keys are the strings 'q1' to 'q2'"),
    (["a", "c"], "quiz_answers returned a list; expected a dict"),
    ({"q1": "a) first"}, "is not one of the options"),
])
def test_quiz_says_what_form_an_answer_must_take(answers, message):
    with pytest.raises(Failed, match=message.replace("(", r"\(").replace(")", r"\)")):
        QUIZ.expect_answer(FakeStudent(quiz_answers=lambda: answers), "q1")
