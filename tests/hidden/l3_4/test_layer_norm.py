"""Hidden checks for `layer_norm`: equals nn.LayerNorm on 1-, 2- and 3-D inputs (values and gradients),
each sample normalised on its own, arguments unchanged, bad shapes raise, whole tensors at once."""

from __future__ import annotations

import torch

from looplab.checks import (StudentError, as_tensor, assert_not_much_slower, assert_tensor, describe, drive, expect,
                            expect_raises, expect_unchanged, fail, gen, points, unfinished)

from .mistakes import LAYER, tensors_agree
from .yardsticks import layer_norm_module

NAME = "layer_norm"
NAMES = tuple(LAYER.messages)


def problem(shape: tuple, seed: int, dtype=torch.float32) -> tuple:
    g = gen(seed)
    D = shape[-1]
    x = 2 * torch.randn(*shape, generator=g, dtype=dtype) + torch.randn(D, generator=g, dtype=dtype)
    return x, torch.rand(D, generator=g, dtype=dtype) + 0.5, torch.randn(D, generator=g, dtype=dtype)


def expect_layer(student, shape: tuple, eps: float, seed: int, dtype=torch.float32, note: str = "") -> None:
    x, gamma, beta = problem(shape, seed, dtype)
    got = as_tensor(student.layer_norm(x, gamma, beta, eps), NAME, shape=shape, dtype=dtype)
    with torch.no_grad():
        want = layer_norm_module(gamma, beta, eps)(x)
    tight = dtype == torch.float64
    assert_tensor(got, want, what=f"{NAME} (against nn.LayerNorm)",
                  setting=describe(shape=shape, eps=eps, dtype=str(dtype).replace("torch.", "")) + note,
                  rtol=1e-9 if tight else 1e-5, atol=1e-10 if tight else 1e-5,
                  diagnose=lambda: LAYER.diagnose(got, NAMES, same=tensors_agree, x=x, gamma=gamma, beta=beta, eps=eps))


@points(NAME, 1.5)
def test_matches_nn_layernorm(student):
    expect_layer(student, (8, 6), 1e-5, 1)
    expect_layer(student, (3, 5, 4), 1e-5, 2)
    expect_layer(student, (6, 3), 0.5, 3, torch.float64)
    expect_layer(student, (7,), 1e-5, 4, note=" (a single vector)")
    expect_layer(student, (1, 5), 1e-3, 5, note=" (one sample)")
    expect_layer(student, (4, 1), 1e-5, 6, note=" (D=1: every vector is its own mean, so y = beta)")


def grads_of(x, gamma, beta, upstream):
    """Driver: gradients of (layer_norm(...) * upstream).sum() for x, gamma and beta."""
    x, gamma, beta = x.clone().requires_grad_(True), gamma.clone().requires_grad_(True), beta.clone().requires_grad_(True)
    (layer_norm(x, gamma, beta, 1e-5) * upstream).sum().backward()
    if x.grad is None or gamma.grad is None or beta.grad is None:
        return "no gradient reached x, gamma or beta"
    return [x.grad, gamma.grad, beta.grad]


@points(NAME, 1)
def test_gradients_match_nn_layernorm(student):
    x, gamma, beta = problem((5, 4), 7)
    upstream = torch.randn(5, 4, generator=gen(8))
    setting = describe(shape=(5, 4)) + ", loss (y * upstream).sum()"
    try:
        got = drive(student, NAME, grads_of, x, gamma, beta, upstream)
    except StudentError as err:
        if unfinished(err) or err.type != "RuntimeError":
            raise
        fail(f"backward() through {NAME} raised RuntimeError ({setting}): {err}")
    if isinstance(got, str):
        fail(f"{NAME}: {got} ({setting}); keep y in autograd's graph")
    ln = layer_norm_module(gamma, beta, 1e-5)
    xr = x.clone().requires_grad_(True)
    (ln(xr) * upstream).sum().backward()
    for what, g, w in zip(("x", "gamma", "beta"), got, [xr.grad, ln.weight.grad, ln.bias.grad]):
        assert_tensor(g, w, what=f"the gradient of {what} through {NAME} (against nn.LayerNorm)", setting=setting,
                      rtol=1e-4, atol=1e-5,
                      diagnose=lambda: "the mean or variance is detached (or computed with .item()): the gradient "
                                       "flows through them too" if what == "x" else None)


@points(NAME, 0.5)
def test_each_sample_on_its_own(student):
    x, gamma, beta = problem((6, 5), 9)
    together = as_tensor(student.layer_norm(x, gamma, beta, 1e-5), NAME, shape=(6, 5))
    for i in (0, 4):
        alone = as_tensor(student.layer_norm(x[i:i + 1], gamma, beta, 1e-5), NAME, shape=(1, 5))
        expect(torch.allclose(alone[0], together[i], atol=1e-6),
               f"{NAME}: sample {i} normalised alone differs from the same sample in a batch of 6; layer norm uses "
               f"each sample's own statistics\nlikely mistake: " + LAYER["over_the_batch"])


@points(NAME, 1)
def test_arguments_unchanged_and_bad_shapes_raise(student):
    x, gamma, beta = problem((4, 6), 10)
    expect_unchanged(student, NAME, (x, gamma, beta, 1e-5), ["x", "gamma", "beta"])
    expect_raises(student, NAME, (x, gamma[:4], beta, 1e-5), "ValueError", setting="gamma of shape (4,), D=6",
                  hint="gamma and beta must have shape (D,), D = x.shape[-1]")
    expect_raises(student, NAME, (x, gamma, beta[:1], 1e-5), "ValueError", setting="beta of shape (1,), D=6",
                  hint="gamma and beta must have shape (D,)")


@points(NAME, 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r: int) -> tuple:
        x, gamma, beta = problem((20_000, 16), 100 + r)
        return x, gamma, beta, 1e-5
    assert_not_much_slower(student, reference_process, NAME, make_args,
                           workload="x of shape (20000, 16)",
                           hint="a Python loop over the samples is the usual cause: take the mean and variance "
                                "of every row at once with dim=-1, keepdim=True")
