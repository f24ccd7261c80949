"""Hidden checks for `train_stochastic` (one update per sample)."""

from looplab.checks import (as_float_list, assert_not_much_slower, describe, expect,
                            expect_one_loss_per_epoch, expect_reference_losses, expect_unchanged,
                            gen, linear_data, points)

from .mistakes import GLOBAL_SEED, KNOWN, STOCHASTIC

NAME = "train_stochastic"


def _expect_reference(student, reference, *, n, d, epochs, lr, seed, record=None):
    X, y, w0, b0 = linear_data(n, d, seed=seed)
    expect_reference_losses(
        student, reference, NAME, (X, y, w0, b0, epochs, lr, gen(seed + 1)),
        global_seed=GLOBAL_SEED, setting=describe(N=n, d=d, epochs=epochs, lr=lr), record=record,
        diagnose=lambda got: KNOWN.diagnose(got, STOCHASTIC, X=X, y=y, w0=w0, b0=b0, batch_size=1,
                                            epochs=epochs, lr=lr, seed=seed + 1,
                                            global_seed=GLOBAL_SEED))


@points(NAME, 1)
def test_matches_reference_with_one_feature(student, reference):
    _expect_reference(student, reference, n=30, d=1, epochs=4, lr=0.05, seed=2)


@points(NAME, 1)
def test_matches_reference_with_several_features(student, reference, record_curve):
    _expect_reference(student, reference, n=25, d=4, epochs=3, lr=0.02, seed=13, record=record_curve)


@points(NAME, 1)
def test_depends_only_on_the_generator(student):
    X, y, w0, b0 = linear_data(20, 2, seed=5)
    a, b = (as_float_list(student.call(NAME, X, y, w0, b0, 3, 0.05, gen(8), global_seed=s)["result"],
                          NAME) for s in (1, 2))
    expect(a == b, "train_stochastic gave different losses for the same generator seed when the "
                   "global seed changed: shuffle with torch.randperm(n, generator=generator), "
                   "and use no other randomness")


@points(NAME, 0.5)
def test_zero_epochs_and_plain_floats(student):
    X, y, w0, b0 = linear_data(12, 2, seed=3)
    expect_one_loss_per_epoch(student, NAME, lambda e: (X, y, w0, b0, e, 0.05, gen(1)))


@points(NAME, 0.5)
def test_inputs_unchanged(student):
    X, y, w0, b0 = linear_data(30, 2, seed=7)
    expect_unchanged(student, NAME, (X, y, w0, b0, 2, 0.05, gen(1)), ["X", "y", "w0", "b0"])


@points(NAME, 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        X, y, w0, b0 = linear_data(600, 8, seed=400 + r)
        return (X, y, w0, b0, 2, 0.01, gen(r))
    assert_not_much_slower(student, reference_process, NAME, make_args,
                           workload="N=600, d=8, 2 epochs")
