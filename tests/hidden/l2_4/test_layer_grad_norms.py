"""Hidden checks for `layer_grad_norms`: per-layer gradient norms, and sigmoid's vanishing gradient."""

from __future__ import annotations

import math

import torch

from looplab.checks import (as_float_list, describe, expect, expect_raises,
                            expect_unchanged, fail, gen, likely, points)

from .mistakes import GRADS, assert_per_layer

NAME = "layer_grad_norms"
NAMES = tuple(GRADS.messages)


def norms(student, x, y, layers, activation) -> list[float]:
    return as_float_list(student.layer_grad_norms(x, y, layers, activation), NAME)


def expect_norms(student, x, y, layers, activation, want: list[float], setting: str) -> list[float]:
    got = norms(student, x, y, layers, activation)
    if len(got) != len(want):
        fail(f"{NAME} returned {len(got)} norms for {len(layers)} layers; expected one per layer ({setting})")
    assert_per_layer(got, want, what=NAME, quantity="gradient norm", setting=setting, rtol=1e-3, atol=1e-9,
                     diagnose=lambda: GRADS.diagnose(got, NAMES, x=x, y=y, layers=layers, name=activation))
    return got


def rings_setting(reference, n: int, widths: list[int], seed: int, dtype=torch.float32):
    X, y = reference.make_rings(n, gen(seed))
    return X.to(dtype), y.to(dtype), reference.init_mlp(widths, gen(seed + 1), dtype=dtype)


@points(NAME, 1.5)
def test_matches_reference_on_several_networks(student, reference):
    for n, widths, activation, seed, dtype in ((60, [2, 8, 8, 1], "relu", 1, torch.float32),
                                               (40, [2, 6, 5, 1], "tanh", 2, torch.float32),
                                               (30, [2, 4, 4, 1], "identity", 3, torch.float64),
                                               (50, [2, 12, 12, 12, 1], "sigmoid", 4, torch.float32)):
        X, y, layers = rings_setting(reference, n, widths, seed, dtype)
        expect_norms(student, X, y, layers, activation, reference.layer_grad_norms(X, y, layers, activation),
                     describe(N=n, widths=" -> ".join(map(str, widths)), activation=activation,
                              dtype=str(dtype).replace("torch.", "")))


@points(NAME, 1)
def test_one_layer_is_the_logistic_regression_gradient(student, reference):
    for n, d, seed in ((25, 3, 5), (1, 4, 6)):
        x = torch.randn(n, d, generator=gen(seed))
        y = (torch.rand(n, 1, generator=gen(seed + 1)) > 0.5).float()
        layers = reference.init_mlp([d, 1], gen(seed + 2))
        W, b = layers[0]
        p = torch.sigmoid(x @ W + b)  # (n, 1)
        want = [(x.T @ (p - y) / n).norm().item()]  # lesson 2.1's gradient x^T (p - y) / N
        expect_norms(student, x, y, layers, "sigmoid", want,
                     describe(N=n, widths=f"{d} -> 1") + "; one layer is logistic regression, whose "
                     "weight gradient is x^T (sigmoid(x W + b) - y) / N")


@points(NAME, 1.5)
def test_sigmoid_gradient_shrinks_with_depth(student, reference):
    for seed, width, depth in ((11, 32, 9), (12, 16, 8), (13, 24, 10)):
        X, y, layers = rings_setting(reference, 128, [2] + [width] * (depth - 1) + [1], seed)
        got = norms(student, X, y, layers, "sigmoid")
        setting = describe(N=128, widths=f"2 -> {width} x {depth - 1} -> 1", activation="sigmoid")
        expect(len(got) == depth, f"{NAME} returned {len(got)} norms for {depth} layers; expected one per "
                                  f"layer ({setting})")
        if not all(v > 0 and math.isfinite(v) for v in got):
            fail(f"{NAME} returned {got} ({setting}); every norm should be positive and finite")
        steps = depth - 2  # from the last layer down to layer 2 (layer 1 reads the raw input)
        factor = (got[-1] / got[1]) ** (1 / steps)  # how much smaller, per layer, on average
        if factor < 3:
            mistake = GRADS.diagnose(got, NAMES, x=X, y=y, layers=layers, name="sigmoid")
            if mistake is None and got[1] > got[-1]:
                mistake = GRADS["reversed"]
            fail(f"{NAME}: through {steps} sigmoid layers the weight gradient should shrink by a factor "
                 f"of at least 3 per layer on average (each sigmoid slope is at most 1/4 and these "
                 f"weights stretch by about 1.1), but layer 2's norm is {got[1]:.3g} and layer {depth}'s "
                 f"is {got[-1]:.3g}: from layer {depth} down to layer 2 the norm changes by a factor of "
                 f"{1 / factor:.3g} per layer on average, where at most 1/3 is expected ({setting})"
                 + likely(mistake))


@points(NAME, 0.5)
def test_raises_value_error_for_bad_activation_or_labels(student, reference):
    X, y, layers = rings_setting(reference, 10, [2, 4, 1], 20)
    expect_raises(student, NAME, (X, y, layers, "softplus"), "ValueError", setting="activation='softplus'",
                  hint="the names are 'identity', 'relu', 'sigmoid' and 'tanh'")
    expect_raises(student, NAME, (X, y[:, 0], layers, "relu"), "ValueError",
                  setting="y of shape (10,) for outputs of shape (10, 1)",
                  hint="y must have the output's shape (N, d_L)")


@points(NAME, 0.5)
def test_plain_floats_and_inputs_unchanged(student, reference):
    X, y, layers = rings_setting(reference, 16, [2, 5, 5, 1], 21)
    reply = expect_unchanged(student, NAME, (X, y, layers, "tanh"), ["x", "y"])
    as_float_list(reply["result"], NAME, strict=True)
    after = [t for layer in reply["args_after"][2] for t in layer]
    expect(all(torch.equal(a, b) for a, b in zip(after, [t for layer in layers for t in layer])),
           f"{NAME} changed the layers in place; never modify an argument: differentiate copies")
