"""Hidden checks for `fixed_train`: broken_train with all six bugs fixed."""

import torch

from looplab.checks import (StudentError, as_float_list, assert_not_much_slower, describe, expect,
                            expect_one_loss_per_epoch, expect_raises, expect_reference_losses,
                            expect_unchanged, fail, gen, likely, linear_data, points)

from .bugs import DESCRIPTIONS, diagnose

NAME = "fixed_train"
GLOBAL_SEED = 4242  # set in the student process before calls, to expose use of the global RNG

LOOP_HINT = ("a Python loop over the samples of each batch is the usual cause: compute each "
             "batch's loss on X[idx] at once")


def expect_reference(student, reference, *, n, d, batch_size, epochs, lr, seed):
    """fixed_train's losses equal the reference's on one setting; name any bug still there."""
    X, y, w0, b0 = linear_data(n, d, seed=seed)
    setting = describe(N=n, d=d, batch_size=batch_size, epochs=epochs, lr=lr)
    try:
        expect_reference_losses(
            student, reference, NAME, (X, y, w0, b0, batch_size, epochs, lr, gen(seed + 1)),
            global_seed=GLOBAL_SEED, setting=setting,
            diagnose=lambda got: diagnose(got, X=X, y=y, w0=w0, b0=b0, batch_size=batch_size,
                                          epochs=epochs, lr=lr, seed=seed + 1,
                                          global_seed=GLOBAL_SEED))
    except StudentError as err:
        if err.type == "ZeroDivisionError" and batch_size > n:
            fail(f"{NAME} raised {err.message} ({setting}): with batch_size > N the only batch "
                 f"of an epoch is the last, smaller one, and it must be kept"
                 + likely(DESCRIPTIONS["drop_last"]))
        raise


def losses(student, *args, global_seed=GLOBAL_SEED):
    return as_float_list(student.call(NAME, *args, global_seed=global_seed)["result"], NAME)


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
    X, y, w0, b0 = linear_data(30, 2, seed=7)
    names = ["X", "y", "w0", "b0"]
    reply = expect_unchanged(student, NAME, (X, y, w0, b0, 4, 2, 0.05, gen(1)), names)
    for name, tensor in zip(names, reply["args_after"]):
        if isinstance(tensor, torch.Tensor) and tensor.requires_grad:
            fail(f"{NAME} switched on requires_grad of the caller's `{name}`: it then trains the "
                 f"caller's tensor itself; make a copy to train, such as "
                 f"`{name}.detach().clone().requires_grad_(True)`")


@points(NAME, 1)
def test_depends_only_on_the_generator(student):
    X, y, w0, b0 = linear_data(40, 2, seed=12)
    a = losses(student, X, y, w0, b0, 7, 3, 0.05, gen(8), global_seed=1)
    b = losses(student, X, y, w0, b0, 7, 3, 0.05, gen(8), global_seed=2)
    expect(a == b, f"{NAME} gave different losses for the same generator seed when the global "
                   f"seed changed: shuffle with torch.randperm(n, generator=generator), and use "
                   f"no other randomness")


@points(NAME, 0.5)
def test_zero_epochs_and_plain_floats(student):
    X, y, w0, b0 = linear_data(12, 2, seed=3)
    expect_one_loss_per_epoch(student, NAME, lambda e: (X, y, w0, b0, 4, e, 0.05, gen(1)))


@points(NAME, 0.5)
def test_batch_size_below_one_raises_value_error(student):
    X, y, w0, b0 = linear_data(8, 1, seed=5)
    for batch_size in (0, -2):
        expect_raises(student, NAME, (X, y, w0, b0, batch_size, 2, 0.05, gen(1)), "ValueError",
                      setting=f"X, y, w0, b0, batch_size={batch_size}, ...",
                      hint="check `if batch_size < 1: raise ValueError(...)` first")


@points(NAME, 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r: int) -> tuple:
        X, y, w0, b0 = linear_data(2048, 8, seed=500 + r)
        return (X, y, w0, b0, 64, 3, 0.01, gen(r))
    assert_not_much_slower(student, reference_process, NAME, make_args,
                           workload="N=2048, d=8, batch_size=64, 3 epochs", hint=LOOP_HINT)
