"""Hidden checks for `collapse_linear`: the one linear map an identity-activation MLP computes."""

from __future__ import annotations

import torch

from looplab.checks import (as_pair, as_tensor, assert_tensor, describe, expect_raises, fail,
                            gen, points)

from .mistakes import COLLAPSE, tensors_agree

NAME = "collapse_linear"
NAMES = tuple(COLLAPSE.messages)


def collapsed(student, layers: list) -> tuple:
    """The student's (W, b), read as tensors in the contract's shapes."""
    W, b = as_pair(student.collapse_linear(layers), NAME, "(W, b)")
    W, b = as_tensor(W, f"{NAME}'s W"), as_tensor(b, f"{NAME}'s b")
    return W, b


def diagnose(layers: list, got: tuple):
    return lambda: COLLAPSE.diagnose(got, NAMES, same=tensors_agree, layers=layers)


def expect_network_outputs(student, reference, widths: list[int], seed: int, n: int = 9) -> None:
    layers = reference.init_mlp(widths, gen(seed))
    x = torch.randn(n, widths[0], generator=gen(seed + 100))
    W, b = collapsed(student, layers)
    setting = describe(widths=" -> ".join(map(str, widths)), N=n)
    if tuple(W.shape) != (widths[0], widths[-1]) or tuple(b.shape) != (widths[-1],):
        assert_tensor(W, torch.zeros(widths[0], widths[-1]), what=f"{NAME}'s W", setting=setting,
                      diagnose=diagnose(layers, (W, b)))
        assert_tensor(b, torch.zeros(widths[-1]), what=f"{NAME}'s b", setting=setting,
                      diagnose=diagnose(layers, (W, b)))
    network = reference.mlp_forward(x, layers, "identity")  # (n, d_L): the network's own outputs
    assert_tensor(x @ W.to(x.dtype) + b.to(x.dtype), network, rtol=1e-4, atol=1e-5,
                  what="x @ W + b against the network's outputs mlp_forward(x, layers, 'identity')",
                  setting=setting, diagnose=diagnose(layers, (W, b)))


@points(NAME, 1.5)
def test_x_times_W_plus_b_equals_the_networks_outputs(student, reference):
    expect_network_outputs(student, reference, [3, 5, 4, 2], seed=1)
    expect_network_outputs(student, reference, [4, 4, 4, 4, 4], seed=2)
    expect_network_outputs(student, reference, [2, 8, 1], seed=3, n=1)


def expect_reference(student, reference, widths: list[int], seed: int,
                     dtype: torch.dtype = torch.float32) -> None:
    layers = reference.init_mlp(widths, gen(seed), dtype=dtype)
    W, b = collapsed(student, layers)
    W_ref, b_ref = reference.collapse_linear(layers)
    setting = describe(widths=" -> ".join(map(str, widths)), dtype=str(dtype).replace("torch.", ""))
    for what, got, want in ((f"{NAME}'s W", W, W_ref), (f"{NAME}'s b", b, b_ref)):
        assert_tensor(got, want, what=what, setting=setting, rtol=1e-4, atol=1e-6,
                      diagnose=diagnose(layers, (W, b)))


@points(NAME, 1.5)
def test_matches_reference_on_several_networks(student, reference):
    expect_reference(student, reference, [5, 5, 5, 5, 5], seed=4)  # equal widths: any bias rule runs
    expect_reference(student, reference, [2, 7, 3, 6, 1], seed=5)
    expect_reference(student, reference, [6, 16, 1, 16, 6], seed=6)  # a bottleneck of width 1
    expect_reference(student, reference, [3, 2], seed=7)  # one layer: itself


@points(NAME, 0.5)
def test_keeps_the_layers_dtype(student, reference):
    W, b = as_pair(student.collapse_linear(reference.init_mlp([3, 4, 2], gen(12))), NAME, "(W, b)")
    as_tensor(W, f"{NAME}'s W for float32 layers", shape=(3, 2), dtype=torch.float32)
    as_tensor(b, f"{NAME}'s b for float32 layers", shape=(2,), dtype=torch.float32)
    layers = reference.init_mlp([3, 4, 2], gen(8), dtype=torch.float64)
    W, b = as_pair(student.collapse_linear(layers), NAME, "(W, b)")
    as_tensor(W, f"{NAME}'s W for float64 layers", shape=(3, 2), dtype=torch.float64)
    as_tensor(b, f"{NAME}'s b for float64 layers", shape=(2,), dtype=torch.float64)
    expect_reference(student, reference, [3, 6, 6, 2], seed=9, dtype=torch.float64)


@points(NAME, 1)
def test_raises_value_error_for_empty_or_mismatched_layers(student, reference):
    hint = "check the layers before multiplying"
    expect_raises(student, NAME, ([],), "ValueError", setting="layers=[]",
                  hint="an MLP needs at least one layer")
    (W1, b1), (W2, b2), (W3, b3) = reference.init_mlp([3, 4, 5, 2], gen(10))
    expect_raises(student, NAME, ([(W1, b1), (W3, b3)],), "ValueError",
                  setting="W_1 of shape (3, 4) followed by W_2 of shape (5, 2)", hint=hint)
    expect_raises(student, NAME, ([(W1, b1), (W2, b2[:3])],), "ValueError",
                  setting="W_2 of shape (4, 5) with b_2 of shape (3,)", hint=hint)


@points(NAME, 0.5)
def test_leaves_the_layers_unchanged(student, reference):
    layers = reference.init_mlp([3, 5, 5, 2], gen(11))
    flat = tuple(t for layer in layers for t in layer)
    names = [f"{p}_{k}" for k in range(1, 4) for p in ("W", "b")]
    reply = student.call(NAME, layers, return_args=True)
    after = [t for layer in reply["args_after"][0] for t in layer]
    for name, before, now in zip(names, flat, after):
        if not torch.equal(before, now):
            fail(f"{NAME} changed the layers' {name} in place; never modify an argument: work on "
                 f"copies (e.g. `W = W.clone()`), so the caller's layers stay as they were")
