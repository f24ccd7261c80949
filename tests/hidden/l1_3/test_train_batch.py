"""Hidden checks for `train_batch` (full-batch gradient descent)."""

from looplab.checks import expect, points
from looplab.checks.timing import assert_not_much_slower

from .common import (expect_inputs_unchanged, expect_reference,
                     expect_zero_epochs_and_plain_floats, losses)
from .data import make_data
from .mistakes import BATCH

LOOP_HINT = ("a Python loop over samples inside full-batch gradient descent is the usual cause: "
             "compute the loss on all of X at once (X @ w + b)")


@points("train_batch", 1)
def test_matches_reference_with_one_feature(student, reference):
    expect_reference(student, reference, "train_batch", n=40, d=1, epochs=12, lr=0.1, mistakes=BATCH)


@points("train_batch", 1)
def test_matches_reference_with_several_features(student, reference, record_curve):
    expect_reference(student, reference, "train_batch", n=64, d=5, epochs=10, lr=0.05, seed=11,
                     mistakes=BATCH, record=record_curve)


@points("train_batch", 0.5)
def test_loss_decreases_every_epoch(student):
    X, y, w0, b0 = make_data(50, 3, seed=21)
    got = losses(student, "train_batch", X, y, w0, b0, 15, 0.05)
    expect(len(got) == 15, f"train_batch with epochs=15 returned {len(got)} losses; expected 15, "
                           f"one per epoch")
    rises = [e for e in range(1, len(got)) if not got[e] < got[e - 1]]
    expect(not rises,
           f"train_batch (N=50, d=3, lr=0.05) did not lower the loss at epoch(s) {rises[:5]}: "
           f"with a small learning rate full-batch gradient descent must decrease the loss every "
           f"epoch; check the sign of the update and that gradients are reset each step")


@points("train_batch", 0.5)
def test_zero_learning_rate_keeps_the_loss_constant(student):
    X, y, w0, b0 = make_data(30, 2, seed=22)
    got = losses(student, "train_batch", X, y, w0, b0, 4, 0.0)
    expect(len(got) == 4, f"train_batch with lr=0 and epochs=4 returned {len(got)} losses; "
                          f"expected 4, one per epoch")
    expect(max(got) - min(got) <= 1e-6 * max(abs(got[0]), 1.0),
           f"train_batch with lr=0 returned losses {[round(v, 6) for v in got]}; with a zero "
           f"learning rate the parameters never move, so every epoch's loss must be the same")


@points("train_batch", 0.5)
def test_zero_epochs_and_plain_floats(student):
    expect_zero_epochs_and_plain_floats(student, "train_batch", lambda e: (e, 0.1))


@points("train_batch", 0.5)
def test_inputs_unchanged(student):
    expect_inputs_unchanged(student, "train_batch", 5, 0.1)


@points("train_batch", 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        X, y, w0, b0 = make_data(8000, 16, seed=300 + r)
        return (X, y, w0, b0, 150, 0.01)
    assert_not_much_slower(student, reference_process, "train_batch", make_args,
                           workload="N=8000, d=16, 150 epochs", hint=LOOP_HINT)
