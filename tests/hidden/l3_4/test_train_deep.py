"""Hidden checks for `train_deep`: losses and per-layer gradient norms equal the reference's (plain and
residual, with and without clipping); a deep sigmoid stack's gradient vanishes and a residual one's does
not; a residual stack trains where the plain one of the same depth does not move; zero epochs, plain
floats, inputs unchanged, no randomness, bad input."""

from __future__ import annotations

import math

import torch

from looplab.checks import (StudentFault, as_float_list, as_pair, assert_trajectory, describe, expect,
                            expect_raises, fail, gen, points, roughly_equal)

from .mistakes import TRAIN

NAME = "train_deep"
NAMES = tuple(TRAIN.messages)


def problem(reference, n: int, widths: list[int], seed: int) -> tuple:
    X, y = reference.make_rings(n, gen(seed))
    return X, y, reference.init_mlp(widths, gen(seed + 1))


def read(result, epochs: int, L: int, *, strict: bool = False) -> tuple[list[float], list[list[float]]]:
    losses, norms = as_pair(result, NAME, "(losses, grad_norms)")
    losses = as_float_list(losses, f"{NAME}'s losses", strict=strict)
    expect(len(losses) == epochs, f"{NAME} returned {len(losses)} losses for epochs={epochs}; expected one per epoch")
    if not isinstance(norms, (list, tuple)) or len(norms) != epochs:
        fail(f"{NAME}'s grad_norms must be a list of {epochs} lists (one per epoch), got "
             f"{len(norms) if isinstance(norms, (list, tuple)) else type(norms).__name__}")
    rows = []
    for e, row in enumerate(norms):
        row = as_float_list(row, f"{NAME}'s grad_norms[{e}]", strict=strict)
        expect(len(row) == L, f"{NAME}'s grad_norms[{e}] has {len(row)} entries; expected {L}, one per layer")
        rows.append(row)
    return losses, rows


def widths_text(widths: list[int]) -> str:
    hidden = widths[1:-1]
    if len(hidden) > 3 and len(set(hidden)) == 1:
        return f"{widths[0]} -> {hidden[0]} x {len(hidden)} -> {widths[-1]}"
    return " -> ".join(map(str, widths))


def expect_reference(student, reference, *, n: int, widths: list[int], activation: str, residual: bool,
                     epochs: int, lr: float, seed: int, max_norm: float | None = None) -> None:
    X, y, layers0 = problem(reference, n, widths, seed)
    setting = describe(N=n, widths=widths_text(widths), activation=activation, residual=residual, epochs=epochs,
                       lr=lr, max_norm=max_norm)
    losses, norms = read(student.train_deep(X, y, layers0, activation, residual, epochs, lr, max_norm), epochs,
                         len(layers0))
    want_losses, want_norms = reference.train_deep(X, y, layers0, activation, residual, epochs, lr, max_norm)

    def diagnose():
        own = own_parts_differ(student, reference, X, layers0, activation, residual, max_norm)
        if own:
            return own
        got = losses + [v for row in norms for v in row]
        return TRAIN.diagnose(got, NAMES, same=lambda a, b: _close_lists(a, b), X=X, y=y, layers0=layers0,
                              activation=activation, residual=residual, epochs=epochs, lr=lr, max_norm=max_norm)
    assert_trajectory(losses, want_losses, what=NAME, setting=setting, rtol=1e-4, atol=1e-6, diagnose=diagnose)
    for e, (row, want) in enumerate(zip(norms, want_norms)):
        assert_trajectory(row, want, what=f"{NAME}'s grad_norms in epoch {e}", setting=setting, unit="layer",
                          rtol=2e-3, atol=1e-30, diagnose=diagnose)


def own_parts_differ(student, reference, X, layers0, activation, residual, max_norm) -> str | None:
    """Names the student's deep_forward or clip_grad_norm_ when it differs from the reference's in
    this setting: train_deep builds on them, and their own checks say how they differ."""
    try:
        forward = student.deep_forward(X, layers0, activation, residual)
    except StudentFault:
        forward = None
    if not roughly_equal(forward, reference.deep_forward(X, layers0, activation, residual), 1e-4):
        return ("your deep_forward gives other outputs than the reference's in this setting, and train_deep "
                "builds on it: fix deep_forward first (its own checks say how)")
    if max_norm is not None:
        grads = [0.3 * torch.randn(5, 3, generator=gen(0)), torch.randn(3, generator=gen(1))]
        try:
            reply = student.call("clip_grad_norm_", [g.clone() for g in grads], 0.1, return_args=True)
            own = [reply["result"], reply["args_after"][0]]
        except StudentFault:
            own = None
        want = [g.clone() for g in grads]
        if not roughly_equal(own, [reference.clip_grad_norm_(want, 0.1), want], 1e-4):
            return ("your clip_grad_norm_ differs from the reference's, and train_deep builds on it: fix "
                    "clip_grad_norm_ first (its own checks say how)")
    return None


def _close_lists(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= 1e-30 + 3e-3 * abs(y) for x, y in zip(a, b))


@points(NAME, 1.5)
def test_plain_stacks_match_reference(student, reference):
    expect_reference(student, reference, n=60, widths=[2] + [12] * 10 + [1], activation="sigmoid", residual=False,
                     epochs=8, lr=0.5, seed=1)
    expect_reference(student, reference, n=50, widths=[2, 8, 8, 8, 1], activation="relu", residual=False,
                     epochs=10, lr=0.3, seed=2)


@points(NAME, 1.5)
def test_residual_stacks_and_clipping_match_reference(student, reference):
    expect_reference(student, reference, n=60, widths=[2] + [10] * 8 + [1], activation="tanh", residual=True,
                     epochs=10, lr=0.1, seed=3)
    expect_reference(student, reference, n=60, widths=[2] + [10] * 8 + [1], activation="tanh", residual=True,
                     epochs=10, lr=0.1, seed=3, max_norm=0.3)
    expect_reference(student, reference, n=40, widths=[2, 6, 6, 1], activation="sigmoid", residual=False,
                     epochs=6, lr=2.0, seed=4, max_norm=0.05)


@points(NAME, 0.5)
def test_sigmoid_gradient_vanishes_without_skips_and_not_with_them(student, reference):
    widths = [2] + [16] * 12 + [1]
    X, y, layers0 = problem(reference, 80, widths, 5)
    ratios = {}
    for residual in (False, True):
        _, norms = read(student.train_deep(X, y, layers0, "sigmoid", residual, 1, 0.1), 1, len(widths) - 1)
        row = norms[0]
        if not all(math.isfinite(v) and v > 0 for v in row):
            fail(f"{NAME}: epoch 0's norms should all be positive and finite, got {row} (residual={residual})")
        ratios[residual] = row[1] / row[-2]  # hidden layer 2 against hidden layer L-1
    setting = describe(N=80, widths=widths_text(widths), activation="sigmoid", epochs=1)
    expect(ratios[False] < 1e-6,
           f"{NAME}: in the plain sigmoid stack layer 2's weight gradient should be far smaller than layer "
           f"{len(widths) - 2}'s (each sigmoid layer shrinks it by 4 or more), but their ratio is "
           f"{ratios[False]:.3g} ({setting}, residual=False)")
    expect(ratios[True] > 1e-2,
           f"{NAME}: with skip connections the gradient reaches layer 2 through the identity path, so its norm "
           f"should stay within a factor of 100 of layer {len(widths) - 2}'s, but their ratio is "
           f"{ratios[True]:.3g} ({setting}, residual=True)")


@points(NAME, 1)
def test_residual_stack_trains_where_plain_stack_does_not_move(student, reference):
    widths = [2] + [16] * 20 + [1]
    X, y, layers0 = problem(reference, 100, widths, 6)
    setting = describe(N=100, widths=widths_text(widths), activation="tanh", epochs=60, lr=0.05)
    plain, _ = read(student.train_deep(X, y, layers0, "tanh", False, 60, 0.05), 60, len(widths) - 1)
    residual, _ = read(student.train_deep(X, y, layers0, "tanh", True, 60, 0.05), 60, len(widths) - 1)
    expect(min(plain) > math.log(2) - 0.01,
           f"{NAME}: the plain stack should not move below log 2 = 0.693 (guessing), its gradient vanishes "
           f"before the early layers; its lowest loss is {min(plain):.4f} ({setting}, residual=False)")
    expect(residual[-1] < 0.45,
           f"{NAME}: the residual stack of the same depth should train, to a loss below 0.45 after 60 epochs; "
           f"it ends at {residual[-1]:.4f} (starting from {residual[0]:.4f}) ({setting}, residual=True)")


@points(NAME, 0.5)
def test_zero_epochs_inputs_unchanged_no_randomness_and_bad_input(student, reference):
    X, y, layers0 = problem(reference, 20, [2, 5, 5, 1], 7)
    losses, norms = read(student.train_deep(X, y, layers0, "tanh", True, 0, 0.1), 0, 3)
    expect(losses == [] and norms == [], f"{NAME} with epochs=0 should return ([], [])")
    runs = []
    for seed in (1, 2):
        reply = student.call(NAME, X, y, layers0, "tanh", True, 3, 0.1, 1.0, global_seed=seed, return_args=True)
        runs.append(read(reply["result"], 3, 3, strict=True))
        X_after, y_after, layers_after = reply["args_after"][:3]
        expect(torch.equal(X_after, X) and torch.equal(y_after, y), f"{NAME} changed X or y in place")
        for k, ((W, b), (W0, b0)) in enumerate(zip(layers_after, layers0), 1):
            expect(torch.equal(W.detach(), W0) and torch.equal(b.detach(), b0),
                   f"{NAME} changed layers0 in place (layer {k}): train on copies, "
                   f"W.detach().clone().requires_grad_(True)")
    expect(runs[0] == runs[1], f"{NAME} gave different results when only the global random seed changed: it must "
                               f"use no randomness")
    expect_raises(student, NAME, (X, y, layers0, "tanh", True, -1, 0.1), "ValueError", setting="epochs=-1",
                  hint="epochs must be at least 0")
    expect_raises(student, NAME, (X, y[:, 0], layers0, "tanh", True, 2, 0.1), "ValueError",
                  setting="y of shape (20,)", hint="y must have the output's shape (N, 1)")
    expect_raises(student, NAME, (X, y, layers0, "tanh", True, 2, 0.1, -1.0), "ValueError",
                  setting="max_norm=-1.0", hint="max_norm must be at least 0")
