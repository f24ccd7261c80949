"""Hidden checks for `train_monitored`: every recorded quantity (losses, accuracies, per-layer gradient
norms, update ratios) equals the reference's on the same runs, healthy, overfitting and diverging to NaN;
zero epochs, plain floats, inputs unchanged, no randomness, bad input."""

from __future__ import annotations

import math

from looplab.checks import (as_float_list, assert_trajectory, describe, expect, expect_raises, fail, gen, kind,
                            points)

from .mistakes import KEYS, MONITOR, flatten

NAME = "train_monitored"
NAMES = tuple(MONITOR.messages)


def problem(reference, n: int, n_val: int, widths: list[int], seed: int, noise: float = 0.25) -> tuple:
    X, y = reference.make_rings(n, gen(seed), noise)
    X_val, y_val = reference.make_rings(n_val, gen(seed + 100), noise)
    return X, y, X_val, y_val, reference.init_mlp(widths, gen(seed + 1))


def read(result, L: int, *, strict: bool = False) -> dict:
    """The student's history, checked for shape: six lists of one length, L floats per step for the last two."""
    if not isinstance(result, dict):
        fail(f"{NAME} returned a {kind(result)}; the contract asks for a dict with the keys {list(KEYS)}")
    if set(result) != set(KEYS):
        fail(f"{NAME} returned a dict with the keys {sorted(result)}; the contract asks for exactly {sorted(KEYS)}")
    h = {}
    for key in KEYS[:4]:
        h[key] = as_float_list(result[key], f"{NAME}'s {key}", strict=strict)
    for key in KEYS[4:]:
        rows = result[key]
        if not isinstance(rows, list):
            fail(f"{NAME}'s {key} is a {kind(rows)}; the contract asks for a list with one list per step")
        h[key] = [as_float_list(row, f"{NAME}'s {key}[{t}]", strict=strict) for t, row in enumerate(rows)]
        for t, row in enumerate(h[key]):
            expect(len(row) == L, f"{NAME}'s {key}[{t}] has {len(row)} entries; expected {L}, one per layer")
    lengths = {key: len(h[key]) for key in KEYS}
    expect(len(set(lengths.values())) == 1, f"{NAME}'s six lists must have one entry per step each; their lengths "
                                            f"are {lengths}")
    return h


def expect_reference(student, reference, *, n: int, n_val: int, widths: list[int], epochs: int, lr: float,
                     seed: int, noise: float = 0.25) -> dict:
    X, y, X_val, y_val, layers0 = problem(reference, n, n_val, widths, seed, noise)
    setting = describe(N=n, M=n_val, widths=" -> ".join(map(str, widths)), epochs=epochs, lr=lr)
    got = read(student.train_monitored(X, y, X_val, y_val, layers0, epochs, lr), len(widths) - 1)
    want = reference.train_monitored(X, y, X_val, y_val, layers0, epochs, lr)
    steps = len(want["train_loss"])
    if len(got["train_loss"]) != steps:
        stopped = steps < epochs
        fail(f"{NAME} recorded {len(got['train_loss'])} steps, the reference {steps} ({setting})"
             + ("\nlikely mistake: " + ("training goes on after a NaN or inf loss; stop right after recording the "
                                         "first non-finite step" if len(got["train_loss"]) > steps else
                                         "the first non-finite step is not recorded; record it in full, then stop")
                if stopped else ""))

    def diagnose():
        return MONITOR.diagnose(flatten(got), NAMES, same=_close_lists, X=X, y=y, X_val=X_val, y_val=y_val,
                                layers0=layers0, epochs=epochs, lr=lr)
    for key in KEYS[:4]:
        assert_trajectory(_tame(got[key]), _tame(want[key]), what=f"{NAME}'s {key}", setting=setting, unit="step",
                          rtol=1e-4, atol=1e-6, diagnose=diagnose)
    for key in KEYS[4:]:
        for t, (row, want_row) in enumerate(zip(got[key], want[key])):
            assert_trajectory(_tame(row), _tame(want_row), what=f"{NAME}'s {key} in step {t}", setting=setting, unit="layer",
                              rtol=2e-3, atol=1e-12, diagnose=diagnose)
    return got


def _tame(values: list[float]) -> list[float]:
    """Infinities as +-1e308, so that an inf is close to the same inf (NaNs already match NaNs)."""
    return [max(-1e308, min(1e308, v)) if math.isinf(v) else v for v in values]


def _close_lists(a: list[float], b: list[float]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
            if not ((math.isnan(x) and math.isnan(y)) or x == y):
                return False
        elif abs(x - y) > 1e-7 + 3e-3 * abs(y):
            return False
    return True


@points(NAME, 1.5)
def test_healthy_run_matches_reference(student, reference):
    expect_reference(student, reference, n=60, n_val=40, widths=[2, 8, 8, 1], epochs=12, lr=0.3, seed=1)
    expect_reference(student, reference, n=30, n_val=30, widths=[2, 12, 6, 4, 1], epochs=8, lr=0.8, seed=2)


@points(NAME, 1)
def test_overfitting_run_matches_reference(student, reference):
    expect_reference(student, reference, n=12, n_val=50, widths=[2, 32, 32, 1], epochs=40, lr=0.5, seed=3,
                     noise=0.5)


@points(NAME, 0.5)
def test_run_diverging_to_nan_stops_after_recording_it(student, reference):
    got = expect_reference(student, reference, n=40, n_val=20, widths=[2, 8, 1], epochs=15, lr=1e30, seed=4)
    expect(not math.isfinite(got["train_loss"][-1]), f"{NAME} at lr=1e30 should end on the non-finite loss it "
                                                    f"stopped at")


@points(NAME, 1)
def test_zero_epochs_inputs_unchanged_no_randomness_and_bad_input(student, reference):
    X, y, X_val, y_val, layers0 = problem(reference, 20, 10, [2, 5, 1], 7)
    empty = read(student.train_monitored(X, y, X_val, y_val, layers0, 0, 0.1), 2)
    expect(all(empty[key] == [] for key in KEYS), f"{NAME} with epochs=0 should return six empty lists")
    runs = []
    for seed in (1, 2):
        reply = student.call(NAME, X, y, X_val, y_val, layers0, 3, 0.1, global_seed=seed, return_args=True)
        runs.append(flatten(read(reply["result"], 2, strict=True)))
        X_after, y_after, Xv_after, yv_after, layers_after = reply["args_after"][:5]
        for name, before, after in (("X", X, X_after), ("y", y, y_after), ("X_val", X_val, Xv_after),
                                    ("y_val", y_val, yv_after)):
            expect(after.shape == before.shape and (after == before).all().item(), f"{NAME} changed {name} in place")
        for k, ((W, b), (W0, b0)) in enumerate(zip(layers_after, layers0), 1):
            expect((W.detach() == W0).all().item() and (b.detach() == b0).all().item(),
                   f"{NAME} changed layers0 in place (layer {k}): train on copies, "
                   f"W.detach().clone().requires_grad_(True)")
    expect(runs[0] == runs[1], f"{NAME} gave different results when only the global random seed changed: it must "
                               f"use no randomness")
    expect_raises(student, NAME, (X, y, X_val, y_val, layers0, -1, 0.1), "ValueError", setting="epochs=-1",
                  hint="epochs must be at least 0")
    expect_raises(student, NAME, (X, y, X_val, y_val, layers0, 2, -0.1), "ValueError", setting="lr=-0.1",
                  hint="lr must be at least 0")
    expect_raises(student, NAME, (X, y[:, 0], X_val, y_val, layers0, 2, 0.1), "ValueError",
                  setting="y of shape (20,)", hint="y must have shape (N, 1)")
    expect_raises(student, NAME, (X, y, X_val, y_val[:5], layers0, 2, 0.1), "ValueError",
                  setting="y_val of shape (5, 1) with X_val of 10 rows", hint="y_val must have shape (M, 1)")
