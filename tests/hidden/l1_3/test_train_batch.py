"""Hidden checks for `train_batch` (full-batch gradient descent)."""

from looplab.checks import (as_float_list, assert_not_much_slower, describe, expect,
                            expect_one_loss_per_epoch, expect_reference_losses, expect_unchanged,
                            linear_data, points)

from .mistakes import BATCH, GLOBAL_SEED, KNOWN

NAME = "train_batch"
LOOP_HINT = ("a Python loop over samples inside full-batch gradient descent is the usual cause: "
             "compute the loss on all of X at once (X @ w + b)")


def _expect_reference(student, reference, *, n, d, epochs, lr, seed=0, record=None):
    X, y, w0, b0 = linear_data(n, d, seed=seed)
    expect_reference_losses(
        student, reference, NAME, (X, y, w0, b0, epochs, lr), global_seed=GLOBAL_SEED,
        setting=describe(N=n, d=d, epochs=epochs, lr=lr), record=record,
        diagnose=lambda got: KNOWN.diagnose(got, BATCH, X=X, y=y, w0=w0, b0=b0, batch_size=None,
                                            epochs=epochs, lr=lr))


@points(NAME, 1)
def test_matches_reference_with_one_feature(student, reference):
    _expect_reference(student, reference, n=40, d=1, epochs=12, lr=0.1)


@points(NAME, 1)
def test_matches_reference_with_several_features(student, reference, record_curve):
    _expect_reference(student, reference, n=64, d=5, epochs=10, lr=0.05, seed=11, record=record_curve)


@points(NAME, 0.5)
def test_loss_decreases_every_epoch(student):
    X, y, w0, b0 = linear_data(50, 3, seed=21)
    got = as_float_list(student.train_batch(X, y, w0, b0, 15, 0.05), NAME)
    expect(len(got) == 15, f"train_batch with epochs=15 returned {len(got)} losses; expected 15, "
                           f"one per epoch")
    rises = [e for e in range(1, len(got)) if not got[e] < got[e - 1]]
    expect(not rises,
           f"train_batch (N=50, d=3, lr=0.05) did not lower the loss at epoch(s) {rises[:5]}: "
           f"with a small learning rate full-batch gradient descent must decrease the loss every "
           f"epoch; check the sign of the update and that gradients are reset each step")


@points(NAME, 0.5)
def test_zero_learning_rate_keeps_the_loss_constant(student):
    X, y, w0, b0 = linear_data(30, 2, seed=22)
    got = as_float_list(student.train_batch(X, y, w0, b0, 4, 0.0), NAME)
    expect(len(got) == 4, f"train_batch with lr=0 and epochs=4 returned {len(got)} losses; "
                          f"expected 4, one per epoch")
    expect(max(got) - min(got) <= 1e-6 * max(abs(got[0]), 1.0),
           f"train_batch with lr=0 returned losses {[round(v, 6) for v in got]}; with a zero "
           f"learning rate the parameters never move, so every epoch's loss must be the same")


@points(NAME, 0.5)
def test_zero_epochs_and_plain_floats(student):
    X, y, w0, b0 = linear_data(12, 2, seed=3)
    expect_one_loss_per_epoch(student, NAME, lambda e: (X, y, w0, b0, e, 0.1))


@points(NAME, 0.5)
def test_inputs_unchanged(student):
    X, y, w0, b0 = linear_data(30, 2, seed=7)
    expect_unchanged(student, NAME, (X, y, w0, b0, 5, 0.1), ["X", "y", "w0", "b0"])


@points(NAME, 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        X, y, w0, b0 = linear_data(8000, 16, seed=300 + r)
        return (X, y, w0, b0, 150, 0.01)
    assert_not_much_slower(student, reference_process, NAME, make_args,
                           workload="N=8000, d=16, 150 epochs", hint=LOOP_HINT)
