"""Hidden checks for `train_stochastic` (one update per sample)."""

from looplab.checks import expect, points
from looplab.checks.timing import assert_not_much_slower

from .common import (expect_inputs_unchanged, expect_reference,
                     expect_zero_epochs_and_plain_floats, losses)
from .data import gen, make_data
from .mistakes import STOCHASTIC


@points("train_stochastic", 1)
def test_matches_reference_with_one_feature(student, reference):
    expect_reference(student, reference, "train_stochastic", n=30, d=1, epochs=4, lr=0.05,
                     seed=2, mistakes=STOCHASTIC)


@points("train_stochastic", 1)
def test_matches_reference_with_several_features(student, reference, record_curve):
    expect_reference(student, reference, "train_stochastic", n=25, d=4, epochs=3, lr=0.02,
                     seed=13, mistakes=STOCHASTIC, record=record_curve)


@points("train_stochastic", 1)
def test_depends_only_on_the_generator(student):
    X, y, w0, b0 = make_data(20, 2, seed=5)
    a = losses(student, "train_stochastic", X, y, w0, b0, 3, 0.05, gen(8), global_seed=1)
    b = losses(student, "train_stochastic", X, y, w0, b0, 3, 0.05, gen(8), global_seed=2)
    expect(a == b, "train_stochastic gave different losses for the same generator seed when the "
                   "global seed changed: shuffle with torch.randperm(n, generator=generator), "
                   "and use no other randomness")


@points("train_stochastic", 0.5)
def test_zero_epochs_and_plain_floats(student):
    expect_zero_epochs_and_plain_floats(student, "train_stochastic", lambda e: (e, 0.05, gen(1)))


@points("train_stochastic", 0.5)
def test_inputs_unchanged(student):
    expect_inputs_unchanged(student, "train_stochastic", 2, 0.05, gen(1))


@points("train_stochastic", 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        X, y, w0, b0 = make_data(600, 8, seed=400 + r)
        return (X, y, w0, b0, 2, 0.01, gen(r))
    assert_not_much_slower(student, reference_process, "train_stochastic", make_args,
                           workload="N=600, d=8, 2 epochs")
