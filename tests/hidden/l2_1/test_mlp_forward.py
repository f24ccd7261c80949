"""Hidden checks for `mlp_forward`: nn.Sequential at every depth, the linear case, contract, speed."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from looplab.checks import (StudentError, assert_not_much_slower, expect, expect_raises, fail, gen,
                            likely, points, unfinished)
from looplab.checks.results import as_tensor

from .mistakes import FORWARD, FORWARD_NAMES, tensors_agree

MODULES = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
FIXED_DEPTH = ("the code is written for a fixed number of layers; loop over `layers`, "
               "whatever their number (one layer is allowed)")


def sequential(layers: list, name: str) -> nn.Sequential:
    """nn.Sequential(Linear, activation, ..., Linear) holding the same weights (Linear stores W.T)."""
    modules: list[nn.Module] = []
    for k, (W, b) in enumerate(layers):
        linear = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype)
        with torch.no_grad():
            linear.weight.copy_(W.T)
            linear.bias.copy_(b)
        modules.append(linear)
        if k < len(layers) - 1:
            modules.append(MODULES[name]())
    return nn.Sequential(*modules)


def setting_of(x: Tensor, layers: list, name: str) -> str:
    widths = " -> ".join(str(w) for w in [x.shape[1], *(W.shape[1] for W, _ in layers)])
    return f"N={x.shape[0]}, widths {widths}, activation={name!r}, {x.dtype}"


def forward(student, x: Tensor, layers: list, name: str) -> Tensor:
    """The student's output on valid input; an error raised there is explained when recognised."""
    try:
        out = student.mlp_forward(x, layers, name)
    except StudentError as err:
        if unfinished(err):
            raise
        fail(f"mlp_forward raised {err.message} on valid input ({setting_of(x, layers, name)})"
             + likely(error_cause(err, x, layers)))
    return as_tensor(out, "mlp_forward", floating=True)


def error_cause(err: StudentError, x: Tensor, layers: list) -> str | None:
    """Why valid input might raise: code for a fixed depth, or the (out, in) convention."""
    if err.type == "IndexError" or "unpack" in err.message:
        return FIXED_DEPTH
    transposed_fits, width = True, x.shape[1]  # read as (out, in), does every W still fit?
    for W, _ in layers:
        transposed_fits, width = transposed_fits and W.shape[1] == width, W.shape[0]
    if not transposed_fits and ("shape" in err.message or "size" in err.message):
        return FORWARD["transposed"]
    return None


def expect_sequential(student, reference, x: Tensor, layers: list, name: str) -> None:
    setting = setting_of(x, layers, name)
    with torch.no_grad():
        want = sequential(layers, name)(x)
    got = forward(student, x, layers, name)
    if tuple(got.shape) != tuple(want.shape):
        cause = FORWARD.diagnose(got, FORWARD_NAMES, same=tensors_agree, x=x, layers=layers, name=name)
        fail(f"mlp_forward returned shape {tuple(got.shape)}, expected {tuple(want.shape)} ({setting})"
             + likely(cause))
    if not tensors_agree(got, want, rtol=1e-4, atol=1e-5):
        bad = ~torch.isclose(got.double(), want.double(), rtol=1e-4, atol=1e-5)
        i = tuple(int(k) for k in bad.nonzero()[0])
        cause = FORWARD.diagnose(got, FORWARD_NAMES, same=tensors_agree, x=x, layers=layers, name=name)
        fail(f"mlp_forward differs from nn.Sequential with the same weights: {int(bad.sum())} of "
             f"{want.numel()} outputs; first at {i}: {got[i].item():.6g}, expected {want[i].item():.6g} "
             f"({setting})" + likely(cause))


def data(widths: list[int], seed: int, reference, n: int = 7, dtype: torch.dtype = torch.float32):
    g = gen(seed)
    x = torch.randn(n, widths[0], generator=g, dtype=dtype)
    return x, reference.init_mlp(widths, g, dtype)


@points("mlp_forward", 1.5)
def test_matches_sequential_at_every_depth(student, reference):
    for seed, widths in enumerate([[3, 2], [3, 5, 2], [3, 5, 4, 2], [3, 5, 4, 6, 2], [2, 7, 3, 5, 4, 1]]):
        x, layers = data(widths, 20 + seed, reference)
        expect_sequential(student, reference, x, layers, "relu")


@points("mlp_forward", 1)
def test_matches_sequential_for_each_activation_with_square_layers(student, reference):
    for seed, name in enumerate(["sigmoid", "tanh", "relu"]):
        x, layers = data([4, 4, 4, 4], 30 + seed, reference)  # square: a transposed W still fits
        expect_sequential(student, reference, x, layers, name)
        x, layers = data([3, 6, 2], 40 + seed, reference)
        expect_sequential(student, reference, x, layers, name)


@points("mlp_forward", 0.5)
def test_one_layer_is_the_linear_model(student, reference):
    for seed, name in enumerate(["relu", "sigmoid", "tanh"]):
        x, layers = data([4, 3], 50 + seed, reference, n=9)
        (W, b), = layers
        got = forward(student, x, layers, name)
        expect(tensors_agree(got, x @ W + b, rtol=1e-5, atol=1e-6),
               f"mlp_forward with one layer and activation={name!r} should be the linear model x @ W + b, "
               f"with no activation at all (N=9, widths 4 -> 3)"
               + likely(FORWARD.diagnose(got, FORWARD_NAMES, same=tensors_agree, x=x, layers=layers, name=name)))


@points("mlp_forward", 0.5)
def test_float64_single_sample_differentiable_and_inputs_unchanged(student, reference):
    x, layers = data([3, 5, 2], 60, reference, n=1, dtype=torch.float64)
    expect_sequential(student, reference, x, layers, "tanh")
    got = forward(student, x, layers, "tanh")
    expect(got.dtype == torch.float64, f"mlp_forward returned {got.dtype} for float64 inputs and layers; "
                                       f"keep x's dtype")
    trainable = [(W.clone().requires_grad_(True), b.clone().requires_grad_(True)) for W, b in layers]
    reply = student.call("mlp_forward", x, trainable, "relu", return_args=True)
    out = as_tensor(reply["result"], "mlp_forward", floating=True)
    expect(out.requires_grad, "mlp_forward's result does not require gradients although the layers do: "
                              "autograd could not train through it (no .detach(), no torch.no_grad(), "
                              "no .item() or .tolist() inside)")
    x_after, layers_after = reply["args_after"][0], reply["args_after"][1]
    expect(torch.equal(x_after, x), "mlp_forward changed its input x in place; never modify an argument")
    for k, ((W, b), (W2, b2)) in enumerate(zip(layers, layers_after), 1):
        expect(torch.equal(W2.detach(), W) and torch.equal(b2.detach(), b),
               f"mlp_forward changed layer {k}'s W or b in place; never modify an argument")


@points("mlp_forward", 0.5)
def test_bad_input_raises_value_error(student, reference):
    x, layers = data([3, 5, 2], 70, reference)
    (W1, b1), (W2, b2) = layers
    cases = [((x, [], "relu"), "layers=[]", "an MLP has at least one layer"),
             ((x, layers, "softmax"), "activation='softmax'", "only 'relu', 'sigmoid' and 'tanh' are known"),
             ((x[:, :2], layers, "relu"), "x of width 2 for W_1 of shape (3, 5)", "check that the shapes chain"),
             ((x, [(W1, b1), (W2[:4], b2)], "relu"), "W_1 (3, 5) followed by W_2 (4, 2)",
              "check that the shapes chain"),
             ((x, [(W1, b1[:4]), (W2, b2)], "relu"), "b_1 of shape (4,) for W_1 of shape (3, 5)",
              "each b_k has shape (d_k,)")]
    for args, setting, hint in cases:
        expect_raises(student, "mlp_forward", args, "ValueError", setting=setting, hint=hint)


@points("mlp_forward", 1)
def test_not_much_slower_than_reference(student, reference, reference_process):
    def make_args(r: int) -> tuple:
        x, layers = data([4, 16, 16, 1], 80 + r, reference, n=20_000)
        return (x, layers, "relu")
    assert_not_much_slower(student, reference_process, "mlp_forward", make_args,
                           workload="N=20000, widths 4 -> 16 -> 16 -> 1",
                           hint="a Python loop over the samples is the usual cause: compute h @ W + b "
                                "for all N rows at once")
