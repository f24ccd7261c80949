"""Hidden checks for `train_mlp`: the reference's losses and layers, the rings, the contract."""

from __future__ import annotations

import torch
from torch import Tensor

from looplab.checks import (as_float_list, as_pair, assert_tensor, assert_trajectory, describe,
                            expect, expect_raises, fail, gen, kind, points)

from .mistakes import TRAIN, TRAIN_NAMES

GLOBAL_SEED = 4242


def rings(reference, n: int, seed: int, widths: list[int]) -> tuple[Tensor, Tensor, list]:
    X, y = reference.make_rings(n, gen(seed))
    return X, y, reference.init_mlp(widths, gen(seed + 1))


def read(result, layers0: list, epochs: int, *, strict: bool = False) -> tuple[list, list[float]]:
    """(layers, losses) in the contract's form, or a failure that says what is off."""
    layers, losses = as_pair(result, "train_mlp", "(layers, losses)")
    losses = as_float_list(losses, "train_mlp's losses", strict=strict)
    expect(len(losses) == epochs, f"train_mlp returned {len(losses)} losses for epochs={epochs}; "
                                  f"expected one per epoch")
    if not isinstance(layers, (list, tuple)) or len(layers) != len(layers0):
        fail(f"train_mlp returned {kind(layers)} as its layers; expected a list of {len(layers0)} (W, b) tuples")
    out = []
    for k, (layer, (W0, b0)) in enumerate(zip(layers, layers0), 1):
        W, b = as_pair(layer, f"train_mlp's layer {k}", "(W, b)")
        for what, t, t0 in (("W", W, W0), ("b", b, b0)):
            if not isinstance(t, Tensor) or t.shape != t0.shape or t.dtype != t0.dtype:
                got = f"{t.dtype} tensor of shape {tuple(t.shape)}" if isinstance(t, Tensor) else kind(t)
                fail(f"train_mlp's layer {k} {what} is a {got}; expected a {t0.dtype} tensor of shape "
                     f"{tuple(t0.shape)}, like layers0's")
        out.append((W.detach(), b.detach()))
    return out, losses


def expect_reference(student, reference, *, n: int, seed: int, widths: list[int], name: str,
                     epochs: int, lr: float, record=None) -> None:
    X, y, layers0 = rings(reference, n, seed, widths)
    setting = describe(N=n, widths=" -> ".join(map(str, widths)), activation=name, epochs=epochs, lr=lr)
    got_layers, got = read(student.call("train_mlp", X, y, layers0, name, epochs, lr,
                                        global_seed=GLOBAL_SEED)["result"], layers0, epochs)
    want_layers, want = reference.train_mlp(X, y, layers0, name, epochs, lr)
    if record is not None:
        record("train_mlp", f"train_mlp ({setting})", got, want)
    assert_trajectory(got, want, what="train_mlp", setting=setting, rtol=2e-4, atol=1e-6,
                      diagnose=lambda: TRAIN.diagnose(got, TRAIN_NAMES, X=X, y=y, layers0=layers0,
                                                      name=name, epochs=epochs, lr=lr))
    for k, ((W, b), (W_ref, b_ref)) in enumerate(zip(got_layers, want_layers), 1):
        assert_tensor(W, W_ref, what=f"train_mlp's trained W of layer {k}", setting=setting, rtol=1e-3, atol=1e-4)
        assert_tensor(b, b_ref, what=f"train_mlp's trained b of layer {k}", setting=setting, rtol=1e-3, atol=1e-4)


@points("train_mlp", 1.5)
def test_matches_reference_with_one_hidden_layer(student, reference, record_curve):
    expect_reference(student, reference, n=120, seed=1, widths=[2, 8, 1], name="tanh", epochs=25, lr=0.5,
                     record=record_curve)


@points("train_mlp", 1)
def test_matches_reference_deeper_and_with_one_layer(student, reference):
    expect_reference(student, reference, n=90, seed=3, widths=[2, 6, 5, 1], name="relu", epochs=15, lr=0.3)
    expect_reference(student, reference, n=60, seed=5, widths=[2, 1], name="sigmoid", epochs=10, lr=0.5)


def ring_accuracy(student, reference, widths: list[int], name: str) -> tuple[float, float]:
    X, y, layers0 = rings(reference, 400, 7, widths)
    X_new, y_new = reference.make_rings(400, gen(99))
    layers, _ = read(student.call("train_mlp", X, y, layers0, name, 300, 1.0)["result"], layers0, 300)
    with torch.no_grad():
        return (reference.accuracy(reference.mlp_forward(X, layers, name), y),
                reference.accuracy(reference.mlp_forward(X_new, layers, name), y_new))


@points("train_mlp", 1.5)
def test_hidden_layer_separates_the_rings_and_a_line_does_not(student, reference):
    setting = "400 ring points, 300 epochs, lr=1.0"
    for name in ("relu", "tanh"):
        train, fresh = ring_accuracy(student, reference, [2, 16, 1], name)
        expect(train >= 0.95 and fresh >= 0.9,
               f"the 2 -> 16 -> 1 {name} MLP trained by train_mlp classifies {train:.1%} of its training "
               f"points and {fresh:.1%} of 400 fresh ones; expected at least 95% and 90% ({setting})")
    train, _ = ring_accuracy(student, reference, [2, 1], "relu")
    expect(train <= 0.6,
           f"a single layer (a linear model) trained by train_mlp classifies {train:.1%} of the rings; "
           f"no straight line separates them and gradient descent should stay near 50% ({setting}): "
           f"with one layer train_mlp must train the plain linear model")


@points("train_mlp", 1)
def test_zero_epochs_plain_floats_and_inputs_unchanged(student, reference):
    X, y, layers0 = rings(reference, 40, 9, [2, 4, 1])
    layers, losses = read(student.train_mlp(X, y, layers0, "tanh", 0, 0.5), layers0, 0)
    for k, ((W, b), (W0, b0)) in enumerate(zip(layers, layers0), 1):
        expect(torch.equal(W, W0) and torch.equal(b, b0),
               f"train_mlp with epochs=0 changed layer {k}; zero epochs train nothing (expected layers0's values)")
    reply = student.call("train_mlp", X, y, layers0, "tanh", 3, 0.5, return_args=True)
    read(reply["result"], layers0, 3, strict=True)
    X_after, y_after, layers_after = reply["args_after"][:3]
    expect(torch.equal(X_after, X) and torch.equal(y_after, y),
           "train_mlp changed X or y in place; never modify an argument")
    for k, ((W, b), (W0, b0)) in enumerate(zip(layers_after, layers0), 1):
        expect(torch.equal(W.detach(), W0) and torch.equal(b.detach(), b0),
               f"train_mlp changed layers0 in place (layer {k}): train on copies, "
               f"W.detach().clone().requires_grad_(True), so the caller's layers stay as they were")


@points("train_mlp", 0.5)
def test_uses_no_randomness(student, reference):
    X, y, layers0 = rings(reference, 50, 11, [2, 5, 1])
    a = student.call("train_mlp", X, y, layers0, "relu", 4, 0.5, global_seed=1)["result"]
    b = student.call("train_mlp", X, y, layers0, "relu", 4, 0.5, global_seed=2)["result"]
    la, lb = read(a, layers0, 4)[1], read(b, layers0, 4)[1]
    expect(la == lb, "train_mlp gave different losses when only the global random seed changed: it must "
                     "use no randomness (start from layers0, never from fresh random weights)")


@points("train_mlp", 0.5)
def test_bad_input_raises_value_error(student, reference):
    X, y, layers0 = rings(reference, 30, 13, [2, 3, 1])
    expect_raises(student, "train_mlp", (X, y, layers0, "relu", -1, 0.1), "ValueError",
                  setting="epochs=-1", hint="epochs must be at least 0")
    expect_raises(student, "train_mlp", (X, y[:, 0], layers0, "relu", 2, 0.1), "ValueError",
                  setting="y of shape (30,)", hint="y must have shape (N, 1)")
