"""Hidden checks for `train_curves`: the same net trained with each activation by the student's loop."""

from __future__ import annotations

import math

import torch

from looplab.checks import (as_float_list, assert_trajectory, describe, expect, expect_raises,
                            expect_unchanged, fail, gen, kind, points)

from .mistakes import TRAIN, curves_agree

NAME = "train_curves"
NAMES = tuple(TRAIN.messages)
GLOBAL_SEED = 2024
ALL = ["identity", "relu", "sigmoid", "tanh"]


def read(result, names: list[str], epochs: int, *, strict: bool = False) -> dict[str, list[float]]:
    """{name: losses} in the contract's form, or a failure that says what is off."""
    if not isinstance(result, dict):
        fail(f"{NAME} returned a {kind(result)}; the contract asks for a dict {{name: list of losses}}")
    expect(list(result) == list(names), f"{NAME} returned the keys {list(result)}; expected {list(names)}, "
                                        f"one per activation, in the order given")
    curves = {name: as_float_list(result[name], f"{NAME}'s curve for {name!r}", strict=strict) for name in names}
    for name, losses in curves.items():
        expect(len(losses) == epochs, f"{NAME}'s curve for {name!r} has {len(losses)} losses for "
                                      f"epochs={epochs}; expected one per epoch")
    return curves


def rings_setting(reference, n: int, widths: list[int], seed: int, dtype=torch.float32):
    X, y = reference.make_rings(n, gen(seed))
    return X.to(dtype), y.to(dtype), reference.init_mlp(widths, gen(seed + 1), dtype=dtype)


def expect_reference(student, reference, *, n: int, widths: list[int], seed: int, names: list[str],
                     epochs: int, lr: float, dtype=torch.float32, record=None) -> None:
    X, y, layers0 = rings_setting(reference, n, widths, seed, dtype)
    got = read(student.call(NAME, X, y, layers0, names, epochs, lr, global_seed=GLOBAL_SEED)["result"],
               names, epochs)
    want = reference.train_curves(X, y, layers0, names, epochs, lr)
    for name in names:
        setting = describe(N=n, widths=" -> ".join(map(str, widths)), activations=names, run=name,
                           epochs=epochs, lr=lr, dtype=str(dtype).replace("torch.", ""))
        if record is not None:
            record(NAME, f"{NAME}, {name} ({setting})", got[name], want[name])
        assert_trajectory(got[name], want[name], what=f"{NAME}'s {name} curve", setting=setting,
                          rtol=2e-4, atol=1e-6,
                          diagnose=lambda: TRAIN.diagnose(got, NAMES, same=curves_agree, X=X, y=y,
                                                          layers0=layers0, activations=names, epochs=epochs,
                                                          lr=lr))


@points(NAME, 2)
def test_matches_reference_with_all_four_activations(student, reference, record_curve):
    expect_reference(student, reference, n=80, widths=[2, 6, 6, 1], seed=1, names=ALL, epochs=10, lr=0.5,
                     record=record_curve)


@points(NAME, 1)
def test_matches_reference_in_another_order_and_in_float64(student, reference):
    expect_reference(student, reference, n=50, widths=[2, 5, 1], seed=3, names=["tanh", "relu"], epochs=8,
                     lr=0.8, dtype=torch.float64)
    expect_reference(student, reference, n=40, widths=[2, 1], seed=5, names=["sigmoid"], epochs=5, lr=0.5)


@points(NAME, 0.5)
def test_the_activation_decides_what_the_net_learns(student, reference):
    X, y, layers0 = rings_setting(reference, 200, [2, 16, 1], 7)
    names = ["identity", "relu", "tanh"]
    curves = read(student.call(NAME, X, y, layers0, names, 300, 1.0)["result"], names, 300)
    setting = describe(N=200, widths="2 -> 16 -> 1", epochs=300, lr=1.0)
    expect(curves["identity"][-1] > 0.65,
           f"{NAME}: with the identity the network is one linear layer and cannot separate the rings, "
           f"so its loss should stay near log 2 = {math.log(2):.3f}; it reached {curves['identity'][-1]:.3f} "
           f"({setting})")
    for name in ("relu", "tanh"):
        expect(curves[name][-1] < 0.3,
               f"{NAME}: with {name} one hidden layer of 16 units separates the rings, so the loss should "
               f"fall below 0.3; it reached {curves[name][-1]:.3f} ({setting})")


@points(NAME, 0.5)
def test_zero_epochs_no_names_and_plain_floats(student, reference):
    X, y, layers0 = rings_setting(reference, 20, [2, 4, 1], 9)
    empty = student.train_curves(X, y, layers0, ["relu", "tanh"], 0, 0.5)
    expect(empty == {"relu": [], "tanh": []},
           f"{NAME} with epochs=0 returned {empty!r:.80}; expected {{'relu': [], 'tanh': []}} (no epochs, no losses)")
    none = student.train_curves(X, y, layers0, [], 3, 0.5)
    expect(none == {}, f"{NAME} with no activations returned {none!r:.80}; expected {{}}")
    read(student.train_curves(X, y, layers0, ["identity"], 2, 0.5), ["identity"], 2, strict=True)


@points(NAME, 0.5)
def test_raises_value_error_before_training(student, reference):
    X, y, layers0 = rings_setting(reference, 20, [2, 4, 1], 10)
    expect_raises(student, NAME, (X, y, layers0, ["relu"], -1, 0.5), "ValueError", setting="epochs=-1",
                  hint="epochs must be at least 0")
    expect_raises(student, NAME, (X, y, layers0, ["relu", "swish"], 0, 0.5), "ValueError",
                  setting="activations=['relu', 'swish'], epochs=0",
                  hint="check every name before training anything, even when there is nothing to train")


@points(NAME, 0.5)
def test_inputs_unchanged_and_no_randomness(student, reference):
    X, y, layers0 = rings_setting(reference, 30, [2, 5, 1], 11)
    reply = expect_unchanged(student, NAME, (X, y, layers0, ["relu", "tanh"], 3, 0.5), ["X", "y"],
                             global_seed=1)
    after = [t for layer in reply["args_after"][2] for t in layer]
    expect(all(torch.equal(a, b) for a, b in zip(after, [t for layer in layers0 for t in layer])),
           f"{NAME} changed layers0 in place; train copies: W.detach().clone().requires_grad_(True)")
    again = student.call(NAME, X, y, layers0, ["relu", "tanh"], 3, 0.5, global_seed=2)["result"]
    expect(reply["result"] == again,
           f"{NAME} gave different curves when the global random seed changed; it uses no randomness: "
           f"every run starts from layers0 itself, not from freshly drawn weights")
