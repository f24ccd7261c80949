"""Hidden checks for `fixed_train`: broken_train with all six bugs fixed."""

import torch

from looplab.checks import expect, fail, not_mutated, points
from looplab.checks.timing import assert_not_much_slower
from looplab.sandbox.runner import StudentError

from .common import NAME, expect_reference, losses
from .data import gen, make_data

LOOP_HINT = ("a Python loop over the samples of each batch is the usual cause: compute each "
             "batch's loss on X[idx] at once")


@points(NAME, 1)
def test_matches_reference_with_partial_last_batch(student, reference):
    expect_reference(student, reference, n=50, d=1, batch_size=16, epochs=5, lr=0.05, seed=3)


@points(NAME, 1)
def test_matches_reference_with_batch_larger_than_data(student, reference):
    expect_reference(student, reference, n=20, d=3, batch_size=64, epochs=6, lr=0.1, seed=4)


@points(NAME, 1)
def test_matches_reference_with_several_features(student, reference):
    expect_reference(student, reference, n=90, d=4, batch_size=8, epochs=4, lr=0.03, seed=6)


@points(NAME, 1)
def test_inputs_unchanged(student):
    X, y, w0, b0 = make_data(30, 2, seed=7)
    reply = student.call(NAME, X, y, w0, b0, 4, 2, 0.05, gen(1), return_args=True)
    after = reply["args_after"][:4]
    names = ["X", "y", "w0", "b0"]
    not_mutated([X, y, w0, b0], after, names, NAME)
    for name, tensor in zip(names, after):
        if isinstance(tensor, torch.Tensor) and tensor.requires_grad:
            fail(f"{NAME} switched on requires_grad of the caller's `{name}`: it then trains the "
                 f"caller's tensor itself; make a copy to train, such as "
                 f"`{name}.detach().clone().requires_grad_(True)`")


@points(NAME, 1)
def test_depends_only_on_the_generator(student):
    X, y, w0, b0 = make_data(40, 2, seed=12)
    a = losses(student, X, y, w0, b0, 7, 3, 0.05, gen(8), global_seed=1)
    b = losses(student, X, y, w0, b0, 7, 3, 0.05, gen(8), global_seed=2)
    expect(a == b, f"{NAME} gave different losses for the same generator seed when the global "
                   f"seed changed: shuffle with torch.randperm(n, generator=generator), and use "
                   f"no other randomness")


@points(NAME, 0.5)
def test_zero_epochs_and_plain_floats(student):
    X, y, w0, b0 = make_data(12, 2, seed=3)
    try:
        empty = student.call(NAME, X, y, w0, b0, 4, 0, 0.05, gen(1))["result"]
    except StudentError as err:
        if err.type == "NotImplementedError" or err.kind != "error":
            raise
        losses(student, X, y, w0, b0, 4, 3, 0.05, gen(1))  # an error on every call shows as it is
        fail(f"{NAME} with epochs=0 raised {err.message}, but with epochs=3 it runs; expected [] "
             f"(no epochs, no losses): epochs=0 is allowed and trains nothing")
    expect(empty == [] and isinstance(empty, list),
           f"{NAME} with epochs=0 returned {empty!r:.60}; expected [] (no epochs, no losses)")
    three = losses(student, X, y, w0, b0, 4, 3, 0.05, gen(1), strict=True)
    expect(len(three) == 3, f"{NAME} with epochs=3 returned {len(three)} losses; expected 3")


@points(NAME, 0.5)
def test_batch_size_below_one_raises_value_error(student):
    X, y, w0, b0 = make_data(8, 1, seed=5)
    for batch_size in (0, -2):
        try:
            student.call(NAME, X, y, w0, b0, batch_size, 2, 0.05, gen(1))
        except StudentError as err:
            if err.type == "NotImplementedError" or err.kind != "error":
                raise
            expect(err.type == "ValueError", f"{NAME} with batch_size={batch_size} raised "
                                             f"{err.type}; the contract asks for ValueError")
        else:
            fail(f"{NAME} with batch_size={batch_size} returned instead of raising ValueError: "
                 f"check `if batch_size < 1: raise ValueError(...)` first")


@points(NAME, 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r: int) -> tuple:
        X, y, w0, b0 = make_data(2048, 8, seed=500 + r)
        return (X, y, w0, b0, 64, 3, 0.01, gen(r))
    assert_not_much_slower(student, reference_process, NAME, make_args,
                           workload="N=2048, d=8, batch_size=64, 3 epochs", hint=LOOP_HINT)
