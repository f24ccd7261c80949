"""Hidden checks for `train_minibatch`, including the lesson's two equivalences.

The equivalences compare train_minibatch with the student's own train_batch and
train_stochastic; where those are wrong or fail, with the reference's (`own_or_reference`),
so a fault there never costs train_minibatch points.
"""

from looplab.checks import (as_float_list, assert_not_much_slower, assert_trajectory, describe,
                            expect, expect_one_loss_per_epoch, expect_reference_losses,
                            expect_unchanged, gen, linear_data, own_or_reference, points,
                            same_trajectory)

from .mistakes import GLOBAL_SEED, KNOWN, MINIBATCH

NAME = "train_minibatch"
LOOP_HINT = ("a Python loop over the samples of each batch is the usual cause: "
             "compute each batch's loss on X[idx] at once")


def _expect_reference(student, reference, *, n, d, epochs, lr, batch_size, seed, record=None):
    X, y, w0, b0 = linear_data(n, d, seed=seed)
    expect_reference_losses(
        student, reference, NAME, (X, y, w0, b0, batch_size, epochs, lr, gen(seed + 1)),
        global_seed=GLOBAL_SEED, record=record,
        setting=describe(N=n, d=d, epochs=epochs, lr=lr, batch_size=batch_size),
        diagnose=lambda got: KNOWN.diagnose(got, MINIBATCH, X=X, y=y, w0=w0, b0=b0,
                                            batch_size=batch_size, epochs=epochs, lr=lr,
                                            seed=seed + 1, global_seed=GLOBAL_SEED))


def _losses(student, *args, global_seed=GLOBAL_SEED):
    return as_float_list(student.call(NAME, *args, global_seed=global_seed)["result"], NAME)


@points(NAME, 1)
def test_matches_reference_with_partial_last_batch(student, reference, record_curve):
    _expect_reference(student, reference, n=50, d=1, epochs=5, lr=0.05, batch_size=16, seed=3,
                      record=record_curve)


@points(NAME, 1)
def test_matches_reference_with_batch_larger_than_data(student, reference):
    _expect_reference(student, reference, n=20, d=3, epochs=6, lr=0.1, batch_size=64, seed=4)


@points(NAME, 1)
def test_matches_reference_with_several_features(student, reference):
    _expect_reference(student, reference, n=96, d=4, epochs=4, lr=0.03, batch_size=8, seed=6)


def _expect_equivalent(student, reference, other, other_args, mini, *, what, setting):
    want, against = own_or_reference(student, reference, other, other_args, same=same_trajectory,
                                     read=lambda value: as_float_list(value, other),
                                     global_seed=GLOBAL_SEED)
    assert_trajectory(mini, want, what=what, setting=setting, against=against)


@points(NAME, 1)
def test_full_batch_size_equals_train_batch(student, reference):
    X, y, w0, b0 = linear_data(32, 3, seed=9)
    mini = _losses(student, X, y, w0, b0, 32, 8, 0.1, gen(1))
    _expect_equivalent(student, reference, "train_batch", (X, y, w0, b0, 8, 0.1), mini,
                       what="train_minibatch with batch_size=N",
                       setting="N=32, d=3, epochs=8, lr=0.1; one batch of all samples is full-batch "
                               "gradient descent, so the two must agree")


@points(NAME, 1)
def test_batch_size_one_equals_train_stochastic(student, reference):
    X, y, w0, b0 = linear_data(24, 2, seed=10)
    mini = _losses(student, X, y, w0, b0, 1, 3, 0.05, gen(2))
    _expect_equivalent(student, reference, "train_stochastic", (X, y, w0, b0, 3, 0.05, gen(2)), mini,
                       what="train_minibatch with batch_size=1",
                       setting="N=24, d=2, epochs=3, lr=0.05, same seed; batches of one sample are "
                               "stochastic gradient descent, so the two must agree")


@points(NAME, 0.5)
def test_depends_only_on_the_generator(student):
    X, y, w0, b0 = linear_data(40, 2, seed=12)
    a, b = (_losses(student, X, y, w0, b0, 7, 3, 0.05, gen(8), global_seed=s) for s in (1, 2))
    expect(a == b, "train_minibatch gave different losses for the same generator seed when the "
                   "global seed changed: get batches from minibatch_indices(n, batch_size, generator)")


@points(NAME, 0.5)
def test_inputs_unchanged_zero_epochs_and_plain_floats(student):
    X, y, w0, b0 = linear_data(12, 2, seed=3)
    expect_one_loss_per_epoch(student, NAME, lambda e: (X, y, w0, b0, 4, e, 0.05, gen(1)))
    X, y, w0, b0 = linear_data(30, 2, seed=7)
    expect_unchanged(student, NAME, (X, y, w0, b0, 4, 2, 0.05, gen(1)), ["X", "y", "w0", "b0"])


@points(NAME, 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        X, y, w0, b0 = linear_data(8192, 8, seed=500 + r)
        return (X, y, w0, b0, 128, 2, 0.01, gen(r))
    assert_not_much_slower(student, reference_process, NAME, make_args,
                           workload="N=8192, d=8, batch_size=128, 2 epochs", hint=LOOP_HINT)
