"""Hidden checks for `deep_forward`: plain equals lesson 2.1's MLP as an nn.Sequential, residual equals
the same stack with Residual blocks around hidden layers 2..L-1 (values and gradients), bad shapes
raise, inputs stay unchanged."""

from __future__ import annotations

import torch

from looplab.checks import (StudentError, as_tensor, assert_tensor, describe, drive, expect_raises,
                            expect_unchanged, fail, gen, points, unfinished)

from .mistakes import FORWARD, tensors_agree
from .yardsticks import stack, stack_output_and_grads

NAME = "deep_forward"
NAMES = tuple(FORWARD.messages)


def setting_of(n: int, widths: list[int], activation: str, residual: bool, dtype: torch.dtype) -> str:
    return describe(N=n, widths=" -> ".join(map(str, widths)), activation=activation, residual=residual,
                    dtype=str(dtype).replace("torch.", ""))


def problem(n: int, widths: list[int], seed: int, dtype: torch.dtype = torch.float32) -> tuple:
    g = gen(seed)
    x = torch.randn(n, widths[0], generator=g, dtype=dtype)
    layers = []
    for a, b in zip(widths[:-1], widths[1:]):
        bound = 1 / a ** 0.5
        layers.append(((2 * torch.rand(a, b, generator=g, dtype=dtype) - 1) * bound,
                       (2 * torch.rand(b, generator=g, dtype=dtype) - 1) * bound))
    return x, layers


def expect_forward(student, n: int, widths: list[int], activation: str, residual: bool, seed: int,
                   dtype: torch.dtype = torch.float32) -> None:
    x, layers = problem(n, widths, seed, dtype)
    setting = setting_of(n, widths, activation, residual, dtype)
    got = as_tensor(student.deep_forward(x, layers, activation, residual), NAME, shape=(n, widths[-1]), dtype=dtype)
    with torch.no_grad():
        want = stack(layers, activation, residual)(x)
    tight = dtype == torch.float64
    assert_tensor(got, want, what=f"{NAME} against PyTorch's " + ("residual stack" if residual else "nn.Sequential"),
                  setting=setting, rtol=1e-9 if tight else 1e-5, atol=1e-10 if tight else 1e-5,
                  diagnose=lambda: FORWARD.diagnose(got, NAMES, same=tensors_agree, x=x, layers=layers,
                                                    activation=activation, residual=residual))


@points(NAME, 1)
def test_plain_matches_nn_sequential(student):
    expect_forward(student, 7, [3, 7, 5, 2], "relu", False, seed=1)
    expect_forward(student, 5, [2, 6, 6, 6, 1], "sigmoid", False, seed=2)
    expect_forward(student, 4, [4, 4, 1], "tanh", False, seed=3, dtype=torch.float64)
    expect_forward(student, 3, [3, 2], "tanh", False, seed=4)


@points(NAME, 2)
def test_residual_matches_pytorch_residual_stack(student):
    expect_forward(student, 6, [5, 5, 5, 5, 5], "tanh", True, seed=5)  # every layer square
    expect_forward(student, 8, [2, 8, 8, 8, 1], "relu", True, seed=6)
    expect_forward(student, 5, [3, 6, 6, 6, 6, 2], "sigmoid", True, seed=7, dtype=torch.float64)
    expect_forward(student, 4, [4, 4, 4], "tanh", True, seed=8)  # two layers: no hidden layer to skip
    expect_forward(student, 3, [3, 1], "relu", True, seed=9)  # one layer


def grads_of(x, layers, activation, upstream):
    """Driver: the gradients of (deep_forward(...) * upstream).sum() for [W_1, b_1, ..., W_L, b_L]."""
    params = [(W.clone().requires_grad_(True), b.clone().requires_grad_(True)) for W, b in layers]
    out = deep_forward(x, params, activation, True)
    (out * upstream).sum().backward()
    grads = []
    for W, b in params:
        grads += [W.grad, b.grad]
    if any(g is None for g in grads):
        return "a layer got no gradient"
    return grads


@points(NAME, 1)
def test_residual_gradients_match_pytorch(student):
    for widths, activation, seed in (([3, 6, 6, 6, 2], "tanh", 10), ([4, 5, 5, 5, 5, 1], "sigmoid", 11)):
        x, layers = problem(6, widths, seed)
        upstream = torch.randn(6, widths[-1], generator=gen(seed + 100))
        setting = setting_of(6, widths, activation, True, torch.float32) + "; loss (output * upstream).sum()"
        try:
            got = drive(student, NAME, grads_of, x, layers, activation, upstream)
        except StudentError as err:
            if unfinished(err) or err.type != "RuntimeError":
                raise
            fail(f"backward() through {NAME} raised RuntimeError ({setting}): {err}\nlikely mistake: a tensor "
                 f"autograd still needs was changed in place (h += f(...)); write h = h + f(...)")
        if isinstance(got, str):
            fail(f"{NAME}: {got} after backward() ({setting}); keep every layer in the graph (no .detach(), no "
                 f"torch.no_grad() in the forward pass)")
        _, want = stack_output_and_grads(x, layers, activation, True, upstream)
        names = [f"{w}_{k}" for k in range(1, len(layers) + 1) for w in ("W", "b")]
        for name, g, w in zip(names, got, want):
            assert_tensor(g, w, what=f"the gradient of {name} through {NAME}", setting=setting, rtol=1e-4,
                          atol=1e-6)


@points(NAME, 1)
def test_bad_shapes_raise_and_inputs_unchanged(student):
    x, layers = problem(5, [3, 6, 4, 1], 12)
    expect_raises(student, NAME, (x, layers, "tanh", True), "ValueError",
                  setting="residual=True, widths 3 -> 6 -> 4 -> 1",
                  hint="hidden layer 2 maps 6 to 4: h_1 and f(h_1 @ W_2 + b_2) cannot be added")
    expect_raises(student, NAME, (x, layers[1:], "tanh", False), "ValueError",
                  setting="x of width 3 into a layer of shape (6, 4)", hint="the shapes must chain")
    expect_raises(student, NAME, (x, [], "tanh", False), "ValueError", setting="layers=[]",
                  hint="an MLP needs at least one layer")
    expect_raises(student, NAME, (x, layers, "softplus", False), "ValueError", setting="activation='softplus'",
                  hint="the names are 'relu', 'sigmoid' and 'tanh'")
    x, layers = problem(5, [4, 4, 4, 4, 2], 13)
    reply = expect_unchanged(student, NAME, (x, layers, "relu", True), ["x"])
    after = [t for layer in reply["args_after"][1] for t in layer]
    if not all(torch.equal(a, b) for a, b in zip(after, [t for layer in layers for t in layer])):
        fail(f"{NAME} changed the layers in place; never modify an argument")
