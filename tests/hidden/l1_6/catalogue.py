"""Lesson 1.6's proof that its checks work: realistic mistakes and correct alternative styles.

`fixed_train`: each of broken_train's six bugs, put back one at a time into the reference,
must cost points and be named; so must broken_train itself (every bug at once) and the
mistakes a repair commonly introduces. `quiz_answers`: a wrong answer costs that question
only, and answers in the wrong form are told what form is expected.
"""

import re

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source

REFERENCE = reference_source("1.6")
KEY_LINE = ('return {"q1": "c", "q2": "b", "q3": "d", "q4": "a", "q5": "b", "q6": "d", '
            '"q7": "a", "q8": "c"}')

COPIES = "w = w0.detach().clone().requires_grad_(True)  # (d, 1), a copy: w0 stays as it was"
SHUFFLE = "        order = torch.randperm(n, generator=generator)  # a fresh shuffle every epoch\n"
CHUNKS = "for idx in order.split(batch_size):  # the last, smaller chunk is kept"
RECORD = "total += loss.item() * len(idx)  # before the update, weighted by batch size\n"
RESET = ("            w.grad = None  # the next step starts from a clean gradient\n"
         "            b.grad = None\n")
STEP_END = "                b -= lr * b.grad\n            w.grad = None"
EPOCH_START = "    for _ in range(epochs):\n        order = torch.randperm(n, generator=generator)"
APPEND = "losses.append(total / n)"

FIXED_TRAIN = [
    Mistake("planted_w0_trained_in_place", "fixed_train",
            mutate(REFERENCE, COPIES, "w = w0.requires_grad_(True)  # trains the caller's w0"),
            ("changed its input `w0` in place",)),
    Mistake("planted_one_shuffle_reused_every_epoch", "fixed_train",
            edit(REFERENCE, (SHUFFLE, ""),
                 ("    losses = []\n    for _ in range(epochs):\n        total = 0.0",
                  "    losses = []\n    order = torch.randperm(n, generator=generator)  # once\n"
                  "    for _ in range(epochs):\n        total = 0.0")),
            ("one shuffle is reused for every epoch",)),
    Mistake("planted_last_batch_dropped", "fixed_train",
            mutate(REFERENCE, CHUNKS, "for start in range(0, n - batch_size + 1, batch_size):\n"
                                      "            idx = order[start:start + batch_size]"),
            ("the last, smaller batch of each epoch is dropped",)),
    Mistake("planted_gradients_never_reset", "fixed_train",
            mutate(REFERENCE, RESET, ""),
            ("the gradients are never reset",)),
    Mistake("planted_loss_recorded_after_update", "fixed_train",
            edit(REFERENCE, ("            " + RECORD, ""),
                 (STEP_END, "                b -= lr * b.grad\n"
                            "            total += mse(X[idx], y[idx], w, b).item() * len(idx)\n"
                            "            w.grad = None")),
            ("the loss is recorded after the update",)),
    Mistake("planted_unweighted_mean_of_batch_losses", "fixed_train",
            edit(REFERENCE, (RECORD, "total += loss.item()\n"),
                 (APPEND, "losses.append(total / len(order.split(batch_size)))")),
            ("the plain mean of the batch losses",)),
    Mistake("broken_train_submitted_as_the_fix", "fixed_train",
            REFERENCE.split("def fixed_train(")[0]
            + "def fixed_train(X, y, w0, b0, batch_size, epochs, lr, generator):\n"
              "    return broken_train(X, y, w0, b0, batch_size, epochs, lr, generator)\n",
            ("likely mistakes, 4 at once", "one shuffle is reused", "the last, smaller batch",
             "the gradients are never reset", "recorded after the update",
             "changed its input `w0` in place")),
    Mistake("shuffle_from_the_global_generator", "fixed_train",
            mutate(REFERENCE, SHUFFLE, SHUFFLE.replace("generator=generator", "")),
            ("the shuffle uses the global random generator", "global seed changed")),
    Mistake("two_bugs_left_reset_and_weighting", "fixed_train",
            edit(REFERENCE, (RESET, ""), (RECORD, "total += loss.item()\n"),
                 (APPEND, "losses.append(total / len(order.split(batch_size)))")),
            ("likely mistakes, 2 at once", "the gradients are never reset",
             "the plain mean of the batch losses"), example="buggy"),
    Mistake("batch_size_check_missing", "fixed_train",
            mutate(REFERENCE, "    if batch_size < 1:\n        raise ValueError("
                              "f\"batch_size must be at least 1, got {batch_size}\")\n", ""),
            ("raised RuntimeError; the contract asks for ValueError",)),
    Mistake("losses_kept_as_tensors", "fixed_train",
            mutate(REFERENCE, RECORD, "total += loss.detach() * len(idx)  # forgot .item()\n"),
            ("call .item() on the loss",)),
    Mistake("per_sample_losses_inside_batches", "fixed_train",
            mutate(REFERENCE, "loss = mse(X[idx], y[idx], w, b)\n            total",
                   "loss = torch.stack([mse(X[i:i + 1], y[i:i + 1], w, b) for i in idx]).mean()\n"
                   "            total"),
            ("a Python loop over the samples of each batch",)),
]


def with_answers(answers: str) -> str:
    return mutate(REFERENCE, KEY_LINE, f"return {answers}")


NUMBERS = "{" + ", ".join(f'"q{i}": {n}' for i, n in enumerate([3, 2, 4, 1, 2, 4, 1, 3], 1)) + "}"

QUIZ_ANSWERS = [
    Mistake("one_wrong_answer", "quiz_answers", mutate(REFERENCE, '"q5": "b"', '"q5": "a"'),
            "q5 (the loss recorded for an epoch): you chose 'a'"),
    Mistake("answers_given_as_numbers", "quiz_answers", with_answers(NUMBERS),
            ("q1: the answer 3 is of type int; answer with the option's letter as a string",
             "if 3 means the third option, write 'c'")),
    Mistake("a_question_left_out", "quiz_answers", mutate(REFERENCE, ', "q8": "c"}', "}"),
            "quiz_answers has no answer for 'q8'"),
    Mistake("upper_case_keys", "quiz_answers",
            mutate(REFERENCE, KEY_LINE, re.sub(r'"q(\d)"', r'"Q\1"', KEY_LINE)),
            "you have 'Q1': the keys are the strings 'q1' to 'q8', lower case"),
    Mistake("a_list_instead_of_a_dict", "quiz_answers",
            with_answers('["c", "b", "d", "a", "b", "d", "a", "c"]'),
            "quiz_answers returned a list; expected a dict"),
    Mistake("an_answer_that_is_not_an_option", "quiz_answers",
            mutate(REFERENCE, '"q2": "b"', '"q2": "b) 2/N sum"'),
            "is not one of the options 'a', 'b', 'c', 'd'"),
]

MISTAKES = FIXED_TRAIN + QUIZ_ANSWERS

HAND_GRADIENTS_AND_UPPER_CASE = '''
import torch


def quiz_answers():
    return {"q1": "C", "q2": " b", "q3": "D ", "q4": "A", "q5": "B", "q6": "d", "q7": "a", "q8": "C"}


def fixed_train(X, y, w0, b0, batch_size, epochs, lr, generator):
    """Mini-batch gradient descent with the gradients of lesson 1.2 written out."""
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    n = X.shape[0]
    w, b = w0.clone(), b0.clone()
    history = []
    for _ in range(epochs):
        weighted = 0.0
        perm = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):  # the last slice may be shorter
            idx = perm[start:start + batch_size]
            Xb, yb = X[idx], y[idx]
            r = Xb @ w + b - yb  # (m, 1)
            weighted += (r ** 2).sum().item()  # len(idx) * batch mean
            w = w - lr * 2.0 / len(idx) * (Xb.T @ r)
            b = b - lr * 2.0 * r.mean(dim=0)
        history.append(weighted / n)
    return history
'''

# nn.Linear with a hand-written step. (torch.optim.SGD would be the natural choice, but its
# first use imports torch._dynamo, which fails inside the sandbox today: see lesson 1.3's
# nn_linear_and_optim_sgd alternative, which fails the same way.)
NN_LINEAR_AND_MODULE_ZERO_GRAD = '''
import torch
from torch import nn


def quiz_answers():
    return dict(zip([f"q{i}" for i in range(1, 9)], "cbdabdac"))


def fixed_train(X, y, w0, b0, batch_size, epochs, lr, generator):
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    model = nn.Linear(X.shape[1], 1)
    with torch.no_grad():
        model.weight.copy_(w0.T)  # nn.Linear stores the weights as (1, d)
        model.bias.copy_(b0)
    out = []
    for _ in range(epochs):
        seen_loss = 0.0
        for idx in torch.randperm(len(X), generator=generator).split(batch_size):
            model.zero_grad()
            loss = nn.functional.mse_loss(model(X[idx]), y[idx])
            seen_loss += loss.item() * idx.numel()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
        out.append(seen_loss / len(X))
    return out
'''

FLOAT64_INSIDE_AND_ZERO_GRAD = '''
import torch

ANSWERS = "c b d a b d a c".split()


def quiz_answers():
    return {f"q{number}": letter for number, letter in enumerate(ANSWERS, start=1)}


def fixed_train(X, y, w0, b0, batch_size, epochs, lr, generator):
    if batch_size <= 0:
        raise ValueError("batch_size")
    X, y = X.double(), y.double()
    w = w0.double().detach().clone().requires_grad_()
    b = b0.double().detach().clone().requires_grad_()
    per_epoch = []
    for epoch in range(epochs):
        batch_losses, sizes = [], []
        for idx in list(torch.randperm(X.shape[0], generator=generator).split(batch_size)):
            loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
            batch_losses.append(loss.detach())
            sizes.append(len(idx))
            loss.backward()
            with torch.no_grad():
                w.sub_(lr * w.grad)
                b.sub_(lr * b.grad)
                w.grad.zero_()
                b.grad.zero_()
        weights = torch.tensor(sizes, dtype=torch.float64)
        per_epoch.append(float((torch.stack(batch_losses) * weights).sum() / weights.sum()))
    return per_epoch
'''


ALTERNATIVES = [
    Alternative("hand_gradients_and_upper_case_answers", HAND_GRADIENTS_AND_UPPER_CASE,
                "gradients by hand, answers in upper case with spaces", example="correct"),
    Alternative("nn_linear_and_module_zero_grad", NN_LINEAR_AND_MODULE_ZERO_GRAD,
                "nn.Linear with module.zero_grad()"),
    Alternative("float64_inside_and_grad_zero", FLOAT64_INSIDE_AND_ZERO_GRAD,
                "float64 arithmetic and .grad.zero_()"),
]
