"""Hidden checks for `train_minibatch`, including the lesson's two equivalences."""

from looplab.checks import assert_trajectory, expect, points, same_trajectory
from looplab.checks.timing import assert_not_much_slower

from .common import (expect_inputs_unchanged, expect_reference,
                     expect_zero_epochs_and_plain_floats, losses)
from .data import gen, make_data
from .mistakes import MINIBATCH

LOOP_HINT = ("a Python loop over the samples of each batch is the usual cause: "
             "compute each batch's loss on X[idx] at once")


@points("train_minibatch", 1)
def test_matches_reference_with_partial_last_batch(student, reference, record_curve):
    expect_reference(student, reference, "train_minibatch", n=50, d=1, epochs=5, lr=0.05,
                     batch_size=16, seed=3, mistakes=MINIBATCH, record=record_curve)


@points("train_minibatch", 1)
def test_matches_reference_with_batch_larger_than_data(student, reference):
    expect_reference(student, reference, "train_minibatch", n=20, d=3, epochs=6, lr=0.1,
                     batch_size=64, seed=4, mistakes=MINIBATCH)


@points("train_minibatch", 1)
def test_matches_reference_with_several_features(student, reference):
    expect_reference(student, reference, "train_minibatch", n=96, d=4, epochs=4, lr=0.03,
                     batch_size=8, seed=6, mistakes=MINIBATCH)


def _expect_equivalent(mini: list[float], own: list[float], right: list[float], *, what: str,
                       other: str, setting: str) -> None:
    """train_minibatch must agree with the student's own `other` function.

    When they disagree but train_minibatch agrees with the reference's `other`,
    the fault is `other`'s (its own checks take the points), not train_minibatch's.
    """
    if same_trajectory(mini, own) or same_trajectory(mini, right):
        return
    assert_trajectory(mini, own, what=what, setting=setting, against=f"your {other}")


@points("train_minibatch", 1)
def test_full_batch_size_equals_own_train_batch(student, reference):
    X, y, w0, b0 = make_data(32, 3, seed=9)
    mini = losses(student, "train_minibatch", X, y, w0, b0, 32, 8, 0.1, gen(1))
    full = losses(student, "train_batch", X, y, w0, b0, 8, 0.1)
    _expect_equivalent(mini, full, reference.train_batch(X, y, w0, b0, 8, 0.1),
                       what="train_minibatch with batch_size=N", other="train_batch",
                       setting="N=32, d=3, epochs=8, lr=0.1; one batch of all samples is full-batch "
                               "gradient descent, so the two must agree")


@points("train_minibatch", 1)
def test_batch_size_one_equals_own_train_stochastic(student, reference):
    X, y, w0, b0 = make_data(24, 2, seed=10)
    mini = losses(student, "train_minibatch", X, y, w0, b0, 1, 3, 0.05, gen(2))
    sgd = losses(student, "train_stochastic", X, y, w0, b0, 3, 0.05, gen(2))
    _expect_equivalent(mini, sgd, reference.train_stochastic(X, y, w0, b0, 3, 0.05, gen(2)),
                       what="train_minibatch with batch_size=1", other="train_stochastic",
                       setting="N=24, d=2, epochs=3, lr=0.05, same seed; batches of one sample are "
                               "stochastic gradient descent, so the two must agree")


@points("train_minibatch", 0.5)
def test_depends_only_on_the_generator(student):
    X, y, w0, b0 = make_data(40, 2, seed=12)
    a = losses(student, "train_minibatch", X, y, w0, b0, 7, 3, 0.05, gen(8), global_seed=1)
    b = losses(student, "train_minibatch", X, y, w0, b0, 7, 3, 0.05, gen(8), global_seed=2)
    expect(a == b, "train_minibatch gave different losses for the same generator seed when the "
                   "global seed changed: get batches from minibatch_indices(n, batch_size, generator)")


@points("train_minibatch", 0.5)
def test_inputs_unchanged_zero_epochs_and_plain_floats(student):
    expect_zero_epochs_and_plain_floats(student, "train_minibatch", lambda e: (4, e, 0.05, gen(1)))
    expect_inputs_unchanged(student, "train_minibatch", 4, 2, 0.05, gen(1))


@points("train_minibatch", 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        X, y, w0, b0 = make_data(8192, 8, seed=500 + r)
        return (X, y, w0, b0, 128, 2, 0.01, gen(r))
    assert_not_much_slower(student, reference_process, "train_minibatch", make_args,
                           workload="N=8192, d=8, batch_size=128, 2 epochs", hint=LOOP_HINT)
