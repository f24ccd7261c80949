"""Hidden checks for `dead_relu_fraction`: a unit is dead when it is zero on every input of the batch."""

from __future__ import annotations

import torch

from looplab.checks import (as_float_list, assert_not_much_slower, describe,
                            expect, expect_raises, expect_unchanged, fail, gen, likely,
                            points)

from .mistakes import DEAD, assert_per_layer

NAME = "dead_relu_fraction"
NAMES = tuple(DEAD.messages)


def fractions(student, x, layers) -> list[float]:
    return as_float_list(student.dead_relu_fraction(x, layers), NAME)


def expect_fractions(student, x, layers, want: list[float], setting: str) -> None:
    got = fractions(student, x, layers)
    if len(got) != len(want):
        fail(f"{NAME} returned {len(got)} fractions for {len(layers)} layers; expected {len(want)}, one per "
             f"hidden layer ({setting})" + likely(DEAD.diagnose(got, NAMES, x=x, layers=layers)))
    assert_per_layer(got, want, what=NAME, quantity="dead fraction", setting=setting, rtol=1e-6, atol=1e-6,
                     diagnose=lambda: DEAD.diagnose(got, NAMES, x=x, layers=layers))


def shifted_network(reference, widths: list[int], seed: int, shift: float,
                    dtype: torch.dtype = torch.float32) -> list:
    """init_mlp's layers with every hidden bias lowered by `shift`, so that some units die."""
    layers = reference.init_mlp(widths, gen(seed), dtype=dtype)
    return [(W, b - shift if k < len(layers) - 1 else b) for k, (W, b) in enumerate(layers)]


def expect_reference(student, reference, widths: list[int], n: int, seed: int, shift: float,
                     dtype: torch.dtype = torch.float32) -> None:
    layers = shifted_network(reference, widths, seed, shift, dtype)
    x = torch.randn(n, widths[0], generator=gen(seed + 50), dtype=dtype)
    expect_fractions(student, x, layers, reference.dead_relu_fraction(x, layers),
                     describe(widths=" -> ".join(map(str, widths)), N=n, bias_shift=shift,
                              dtype=str(dtype).replace("torch.", "")))


@points(NAME, 1.5)
def test_matches_reference_on_several_networks(student, reference):
    expect_reference(student, reference, [4, 16, 16, 8, 1], n=64, seed=1, shift=0.6)
    expect_reference(student, reference, [3, 10, 12, 2], n=20, seed=2, shift=0.3, dtype=torch.float64)
    expect_reference(student, reference, [5, 8, 8, 1], n=1, seed=3, shift=0.0)  # one sample


def built_network() -> tuple:
    """A 3 -> 5 -> 4 -> 1 ReLU network whose dead units are known: 3/5 and 2/4."""
    x = torch.tensor([[1.0, -2.0, 0.5], [-1.0, 1.0, 2.0], [2.0, 0.5, -1.0], [0.0, 3.0, 1.0]])
    W1 = torch.tensor([[0.0, 1.0, 0.0, 1.0, 0.0],
                       [0.0, 0.0, 0.0, 0.0, 1.0],
                       [0.0, 0.0, 0.0, 0.0, 0.0]])
    b1 = torch.tensor([0.0, -5.0, -1.0, 0.0, 4.0])  # units 0 (exactly 0), 1 and 2 dead; 3 = relu(x0); 4 alive
    W2 = torch.tensor([[1.0, 0.0, 0.0, 0.0],
                       [0.0, -1.0, 0.0, 0.0],
                       [0.0, 0.0, 0.0, 0.0],
                       [0.0, 0.0, 1.0, 0.0],
                       [0.0, 0.0, 0.0, 1.0]])
    b2 = torch.tensor([0.0, 0.0, 0.0, -10.0])  # units 0 and 1 (inputs exactly 0) and 3 dead; 2 alive
    return x, [(W1, b1), (W2, b2), (torch.ones(4, 1), torch.zeros(1))]


@points(NAME, 1)
def test_zero_on_every_input_is_dead_exact_zero_included(student):
    x, layers = built_network()
    expect_fractions(student, x, layers, [0.6, 0.75],
                     "a 3 -> 5 -> 4 -> 1 network built by hand on 4 inputs: in layer 1, unit 0's input "
                     "is exactly 0, units 1 and 2 are below 0 on every input, unit 3 is zero on two "
                     "of the four; in layer 2, units 0 and 1 read only dead units (input exactly 0) "
                     "and unit 3's bias is -10")


@points(NAME, 1)
def test_no_dead_units_and_all_dead(student, reference):
    layers = reference.init_mlp([3, 6, 6, 1], gen(4))
    x = torch.randn(30, 3, generator=gen(5))
    alive = [(W.abs(), b.abs() + 0.1) if k < 2 else (W, b) for k, (W, b) in enumerate(layers)]
    x_pos = x.abs()
    expect_fractions(student, x_pos, alive, [0.0, 0.0],
                     "positive inputs, positive weights and biases: every hidden unit is positive on "
                     "every input, none is dead")
    dead = [(W, b - 100.0) if k == 0 else (W, b) for k, (W, b) in enumerate(layers)]
    expect_fractions(student, x, dead, reference.dead_relu_fraction(x, dead),
                     "every first-layer bias lowered by 100: all of layer 1 is dead, and layer 2 "
                     "sees only zeros")


@points(NAME, 0.5)
def test_one_layer_gives_nothing_and_bad_input_raises(student, reference):
    layers = reference.init_mlp([3, 2], gen(6))
    got = student.dead_relu_fraction(torch.randn(4, 3, generator=gen(7)), layers)
    expect(got == [], f"{NAME} for a single layer (no hidden layer, so no ReLU) returned {got!r:.60}; "
                      f"expected []")
    expect_raises(student, NAME, (torch.zeros(0, 3), reference.init_mlp([3, 4, 1], gen(8))), "ValueError",
                  setting="x of shape (0, 3)", hint="a unit is dead when it is zero on every input, "
                                                    "so an empty batch says nothing")
    expect_raises(student, NAME, (torch.zeros(2, 3), []), "ValueError", setting="layers=[]",
                  hint="an MLP needs at least one layer")


@points(NAME, 0.5)
def test_plain_floats_and_inputs_unchanged(student, reference):
    layers = shifted_network(reference, [3, 8, 8, 1], seed=9, shift=0.5)
    x = torch.randn(12, 3, generator=gen(10))
    reply = expect_unchanged(student, NAME, (x, layers), ["x"])
    as_float_list(reply["result"], NAME, strict=True)
    after = [t for layer in reply["args_after"][1] for t in layer]
    before = [t for layer in layers for t in layer]
    expect(all(torch.equal(a, b) for a, b in zip(after, before)),
           f"{NAME} changed the layers in place; never modify an argument")


@points(NAME, 0.5)
def test_not_much_slower_than_reference(student, reference, reference_process):
    def make_args(r: int) -> tuple:
        layers = shifted_network(reference, [16, 128, 128, 128, 1], seed=200 + r, shift=0.3)
        return torch.randn(4096, 16, generator=gen(300 + r)), layers
    assert_not_much_slower(student, reference_process, NAME, make_args,
                           workload="N=4096, 16 -> 128 x 3 -> 1",
                           hint="a Python loop over the samples or the units is the usual cause: test "
                                "all rows and units at once with (h == 0).all(dim=0)")
