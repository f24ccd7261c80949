"""Hidden checks for `overfitting_gap`: the split, the evaluation, and the lesson's claim that
on a small noisy data set regularisation narrows the gap between validation and training loss."""

from __future__ import annotations

import torch

from looplab.checks import (as_float, as_pair, assert_float, describe, expect, expect_raises,
                            fresh, gen, points)

from .data import GLOBAL_SEED, flat, make_problem
from .sim import GAP

NAMES = ["swapped", "int_split", "train_first", "eval_dropout", "eval_penalty", "train_on_all"]


def run(student, X, y, layers0, epochs, lr, wd, p, val_fraction, seed, **kwargs) -> tuple[float, float]:
    reply = student.call("overfitting_gap", X, y, layers0, epochs, lr, wd, p, val_fraction, gen(seed),
                         global_seed=kwargs.pop("global_seed", GLOBAL_SEED), **kwargs)
    train, val = as_pair(reply["result"], "overfitting_gap", "(train_loss, val_loss)")
    return (as_float(train, "overfitting_gap's train_loss", strict=True),
            as_float(val, "overfitting_gap's val_loss", strict=True))


def expect_reference(student, reference, *, n, d_in, hidden, epochs, lr, wd, p, val_fraction,
                     seed) -> None:
    X, y, layers0 = make_problem(n, [d_in, hidden, 1], seed)
    got = run(student, X, y, layers0, epochs, lr, wd, p, val_fraction, seed + 1)
    want = reference.overfitting_gap(X, y, fresh(layers0), epochs, lr, wd, p, val_fraction, gen(seed + 1))
    setting = describe(N=n, sizes=[d_in, hidden, 1], epochs=epochs, lr=lr, weight_decay=wd, p=p,
                       val_fraction=val_fraction)
    sim = dict(X=X, y=y, layers0=layers0, epochs=epochs, lr=lr, weight_decay=wd, p=p,
               val_fraction=val_fraction, generator=gen(seed + 1))
    diagnose = lambda: GAP.diagnose(list(got), NAMES, **sim)  # noqa: E731
    assert_float(got[0], want[0], what="overfitting_gap's train_loss", setting=setting, rtol=5e-4,
                 atol=1e-6, diagnose=diagnose)
    assert_float(got[1], want[1], what="overfitting_gap's val_loss", setting=setting, rtol=5e-4,
                 atol=1e-6, diagnose=diagnose)


@points("overfitting_gap", 1)
def test_matches_reference_without_regularisation(student, reference):
    expect_reference(student, reference, n=40, d_in=6, hidden=16, epochs=60, lr=0.1, wd=0.0, p=0.0,
                     val_fraction=0.25, seed=1)


@points("overfitting_gap", 1)
def test_matches_reference_with_l2_and_dropout(student, reference):
    expect_reference(student, reference, n=36, d_in=5, hidden=12, epochs=40, lr=0.1, wd=0.2, p=0.3,
                     val_fraction=0.5, seed=2)


@points("overfitting_gap", 1)
def test_split_rounds_and_evaluates_layers0_when_untrained(student, reference):
    """epochs=0: both losses are layers0's, so only the split and the evaluation matter.
    N=30 and val_fraction=0.29 give n_val = round(8.7) = 9 (int() would give 8)."""
    expect_reference(student, reference, n=30, d_in=3, hidden=8, epochs=0, lr=0.1, wd=0.5, p=0.5,
                     val_fraction=0.29, seed=3)


@points("overfitting_gap", 1)
def test_regularisation_narrows_the_gap(student):
    """The lesson's claim on a small noisy data set (40 samples, 8 inputs of which one matters,
    noise variance 0.25): with no regularisation the network fits the noise of its 20 training
    samples; L2 (lambda=0.1) and dropout (p=0.3) each narrow the gap, on your own split.
    200 epochs are enough for the whole effect: the reference's gaps are 1.79 without
    regularisation and 0.36 and 0.53 times that with L2 and dropout (after 300 epochs, as in
    the lesson's demonstration: 1.97, 0.32 and 0.55 times), against the limits 0.5 and 0.8."""
    X, y, layers0 = make_problem(40, [8, 32, 1], seed=0)
    args = (X, y, layers0, 200, 0.1)
    gaps = {}
    for label, wd, p in [("none", 0.0, 0.0), ("L2, lambda=0.1", 0.1, 0.0), ("dropout, p=0.3", 0.0, 0.3)]:
        train, val = run(student, *args, wd, p, 0.5, 2)
        gaps[label] = (train, val, val - train)
    table = "; ".join(f"{k}: train {t:.3f}, validation {v:.3f}, gap {g:.3f}" for k, (t, v, g) in gaps.items())
    setting = f"N=40, d_in=8, hidden=32, 200 epochs, lr=0.1, val_fraction=0.5, seed 2 ({table})"
    expect(gaps["none"][2] > 0.5, f"without regularisation the validation loss should be well above "
                                  f"the training loss (gap over 0.5) ({setting})")
    for label in ("L2, lambda=0.1", "dropout, p=0.3"):
        expect(gaps[label][2] < 0.8 * gaps["none"][2],
               f"{label} should narrow the gap to under 80% of the unregularised one ({setting})")


@points("overfitting_gap", 0.5)
def test_rejects_empty_sets_and_what_train_mlp_rejects(student):
    X, y, layers0 = make_problem(10, [2, 4, 1], seed=4)
    for fraction, size in [(0.0, "n_val = 0"), (1.0, "n_val = N"), (0.04, "n_val = round(0.4) = 0"),
                           (0.97, "n_val = round(9.7) = 10 = N")]:
        expect_raises(student, "overfitting_gap", (X, y, layers0, 2, 0.1, 0.0, 0.0, fraction, gen(0)),
                      "ValueError", setting=f"N=10, val_fraction={fraction}: {size}",
                      hint="both the training and the validation set need at least one sample")
    expect_raises(student, "overfitting_gap", (X, y, layers0, 2, 0.1, -1.0, 0.0, 0.5, gen(0)),
                  "ValueError", setting="weight_decay=-1.0",
                  hint="overfitting_gap raises what train_mlp raises: a negative lambda is refused")


@points("overfitting_gap", 0.5)
def test_inputs_unchanged_and_only_the_generator(student):
    X, y, layers0 = make_problem(20, [3, 6, 1], seed=5)
    a = run(student, X, y, layers0, 5, 0.1, 0.1, 0.5, 0.3, 7, global_seed=1)
    b = run(student, X, y, layers0, 5, 0.1, 0.1, 0.5, 0.3, 7, global_seed=2)
    expect(a == b, "overfitting_gap gave different results for the same generator seed when the "
                   "global seed changed: split with torch.randperm(N, generator=generator) and pass "
                   "the same generator to train_mlp")
    reply = student.call("overfitting_gap", X, y, layers0, 3, 0.1, 0.1, 0.5, 0.3, gen(0), return_args=True)
    X_after, y_after, layers_after = reply["args_after"][:3]
    same = torch.equal(X, X_after) and torch.equal(y, y_after) and all(
        torch.equal(t, u) for t, u in zip(flat(layers0), flat(layers_after)))
    expect(same, "overfitting_gap changed X, y or layers0 in place; index into copies, never assign "
                 "into the caller's tensors")
