"""A catalogue of realistic student mistakes for lesson 1.6.

`fixed_train`: each of broken_train's six bugs, put back one at a time into the reference,
must cost points and be named; so must broken_train itself (every bug at once) and the
mistakes a repair commonly introduces. `quiz_answers`: a wrong answer costs that question
only, and answers in the wrong form are told what form is expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from conftest import ROOT, failed_messages, mutate

from looplab.report import Report, render_text

REFERENCE = (ROOT / "solutions" / "lesson-1.6.py").read_text()
KEY_LINE = ('return {"q1": "c", "q2": "b", "q3": "d", "q4": "a", "q5": "b", "q6": "d", '
            '"q7": "a", "q8": "c"}')


def grade_16(grade, source: str) -> Report:
    return grade(source, lesson="1.6")


def edit(source: str, *changes: tuple[str, str]) -> str:
    """Apply several `mutate` replacements in order."""
    for old, new in changes:
        source = mutate(source, old, new)
    return source


def check_results(report: Report, task: str) -> dict[str, bool]:
    return {c.name: c.passed for c in report.tasks[task].checks}


# --- fixed_train -----------------------------------------------------------------

@dataclass(frozen=True)
class Mistake:
    id: str
    source: str  # the whole mistaken submission
    named: tuple[str, ...]  # pieces of fixed_train's failure messages that name the mistake(s)


COPIES = "w = w0.detach().clone().requires_grad_(True)  # (d, 1), a copy: w0 stays as it was"
SHUFFLE = "        order = torch.randperm(n, generator=generator)  # a fresh shuffle every epoch\n"
CHUNKS = "for idx in order.split(batch_size):  # the last, smaller chunk is kept"
RECORD = "total += loss.item() * len(idx)  # before the update, weighted by batch size\n"
RESET = ("            w.grad = None  # the next step starts from a clean gradient\n"
         "            b.grad = None\n")
STEP_END = "                b -= lr * b.grad\n            w.grad = None"
EPOCH_START = "    for _ in range(epochs):\n        order = torch.randperm(n, generator=generator)"
APPEND = "losses.append(total / n)"

MISTAKES = [
    Mistake("planted_w0_trained_in_place",
            mutate(REFERENCE, COPIES, "w = w0.requires_grad_(True)  # trains the caller's w0"),
            ("changed its input `w0` in place",)),
    Mistake("planted_one_shuffle_reused_every_epoch",
            edit(REFERENCE, (SHUFFLE, ""),
                 ("    losses = []\n    for _ in range(epochs):\n        total = 0.0",
                  "    losses = []\n    order = torch.randperm(n, generator=generator)  # once\n"
                  "    for _ in range(epochs):\n        total = 0.0")),
            ("one shuffle is reused for every epoch",)),
    Mistake("planted_last_batch_dropped",
            mutate(REFERENCE, CHUNKS, "for start in range(0, n - batch_size + 1, batch_size):\n"
                                      "            idx = order[start:start + batch_size]"),
            ("the last, smaller batch of each epoch is dropped",)),
    Mistake("planted_gradients_never_reset",
            mutate(REFERENCE, RESET, ""),
            ("the gradients are never reset",)),
    Mistake("planted_loss_recorded_after_update",
            edit(REFERENCE, ("            " + RECORD, ""),
                 (STEP_END, "                b -= lr * b.grad\n"
                            "            total += mse(X[idx], y[idx], w, b).item() * len(idx)\n"
                            "            w.grad = None")),
            ("the loss is recorded after the update",)),
    Mistake("planted_unweighted_mean_of_batch_losses",
            edit(REFERENCE, (RECORD, "total += loss.item()\n"),
                 (APPEND, "losses.append(total / len(order.split(batch_size)))")),
            ("the plain mean of the batch losses",)),
    Mistake("broken_train_submitted_as_the_fix",
            REFERENCE.split("def fixed_train(")[0]
            + "def fixed_train(X, y, w0, b0, batch_size, epochs, lr, generator):\n"
              "    return broken_train(X, y, w0, b0, batch_size, epochs, lr, generator)\n",
            ("likely mistakes, 4 at once", "one shuffle is reused", "the last, smaller batch",
             "the gradients are never reset", "recorded after the update",
             "changed its input `w0` in place")),
    Mistake("shuffle_from_the_global_generator",
            mutate(REFERENCE, SHUFFLE, SHUFFLE.replace("generator=generator", "")),
            ("the shuffle uses the global random generator", "global seed changed")),
    Mistake("two_bugs_left_reset_and_weighting",
            edit(REFERENCE, (RESET, ""), (RECORD, "total += loss.item()\n"),
                 (APPEND, "losses.append(total / len(order.split(batch_size)))")),
            ("likely mistakes, 2 at once", "the gradients are never reset",
             "the plain mean of the batch losses")),
    Mistake("batch_size_check_missing",
            mutate(REFERENCE, "    if batch_size < 1:\n        raise ValueError("
                              "f\"batch_size must be at least 1, got {batch_size}\")\n", ""),
            ("raised RuntimeError; the contract asks for ValueError",)),
    Mistake("losses_kept_as_tensors",
            mutate(REFERENCE, RECORD, "total += loss.detach() * len(idx)  # forgot .item()\n"),
            ("call .item() on the loss",)),
    Mistake("per_sample_losses_inside_batches",
            mutate(REFERENCE, "loss = mse(X[idx], y[idx], w, b)\n            total",
                   "loss = torch.stack([mse(X[i:i + 1], y[i:i + 1], w, b) for i in idx]).mean()\n"
                   "            total"),
            ("a Python loop over the samples of each batch",)),
]


@pytest.mark.parametrize("mistake", [pytest.param(m, id=m.id) for m in MISTAKES])
def test_fixed_train_mistake_is_caught_and_named(grade, mistake: Mistake):
    report = grade_16(grade, mistake.source)
    shown = render_text(report)
    task = report.tasks["fixed_train"]
    assert task.score < task.max_score, f"{mistake.id}: fixed_train kept full marks\n{shown}"
    messages = failed_messages(report, "fixed_train")
    for piece in mistake.named:
        assert piece in messages, f"{mistake.id}: no message names {piece!r}\n{shown}"
    quiz = report.tasks["quiz_answers"]
    assert quiz.score == quiz.max_score, f"{mistake.id}: the quiz lost points\n{shown}"


# --- quiz_answers ----------------------------------------------------------------

def with_answers(answers: str) -> str:
    return mutate(REFERENCE, KEY_LINE, f"return {answers}")


def test_one_wrong_answer_costs_that_question_only_and_explains_it(grade):
    report = grade_16(grade, mutate(REFERENCE, '"q5": "b"', '"q5": "a"'))
    results = check_results(report, "quiz_answers")
    failed = [name for name, passed in results.items() if not passed]
    assert failed == ["q5 the loss recorded for an epoch"], render_text(report)
    message = failed_messages(report, "quiz_answers")
    assert "q5 (the loss recorded for an epoch): you chose 'a'" in message
    assert "multiply it by the batch's size" in message  # the idea is explained...
    assert "'b'" not in message and "1.6" not in message  # ...without the letter or the value
    assert report.tasks["fixed_train"].score == report.tasks["fixed_train"].max_score


def test_answers_given_as_numbers_are_told_to_use_letters(grade):
    numbers = "{" + ", ".join(f'"q{i}": {n}' for i, n in enumerate([3, 2, 4, 1, 2, 4, 1, 3], 1)) + "}"
    report = grade_16(grade, with_answers(numbers))
    assert report.tasks["quiz_answers"].score == 0, render_text(report)
    message = failed_messages(report, "quiz_answers")
    assert "q1: the answer 3 is of type int; answer with the option's letter as a string" in message
    assert "if 3 means the third option, write 'c'" in message


def test_a_missing_question_fails_only_that_question(grade):
    report = grade_16(grade, mutate(REFERENCE, ', "q8": "c"}', "}"))
    results = check_results(report, "quiz_answers")
    assert [name for name, passed in results.items() if not passed] == [
        "q8 central differences with a tiny h"], render_text(report)
    assert "quiz_answers has no answer for 'q8'" in failed_messages(report, "quiz_answers")


def test_upper_case_keys_are_pointed_out(grade):
    report = grade_16(grade, mutate(REFERENCE, KEY_LINE, re.sub(r'"q(\d)"', r'"Q\1"', KEY_LINE)))
    assert report.tasks["quiz_answers"].score == 0, render_text(report)
    assert ("you have 'Q1': the keys are the strings 'q1' to 'q8', lower case"
            in failed_messages(report, "quiz_answers"))


def test_a_list_instead_of_a_dict_is_explained(grade):
    report = grade_16(grade, with_answers('["c", "b", "d", "a", "b", "d", "a", "c"]'))
    assert report.tasks["quiz_answers"].score == 0, render_text(report)
    assert "quiz_answers returned a list; expected a dict" in failed_messages(report, "quiz_answers")


def test_an_answer_that_is_not_an_option_is_explained(grade):
    report = grade_16(grade, mutate(REFERENCE, '"q2": "b"', '"q2": "b) 2/N sum"'))
    results = check_results(report, "quiz_answers")
    assert [name for name, passed in results.items() if not passed] == [
        "q2 gradient of the loss with respect to b"], render_text(report)
    assert "is not one of the options 'a', 'b', 'c', 'd'" in failed_messages(report, "quiz_answers")
