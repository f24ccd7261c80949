"""Hidden checks for `activation`: values and slopes against PyTorch and autograd, extremes, contract."""

from __future__ import annotations

import torch
from torch import Tensor

from looplab.checks import (as_pair, diagnose, expect, expect_raises, expect_unchanged, fail, gen,
                            kind, likely, points)

from .mistakes import ACTIVATION, ACTIVATION_NAMES, TORCH, tensors_agree

EXTREMES = [-1000.0, -500.0, -100.0, -89.0, -50.0, 50.0, 89.0, 100.0, 500.0, 1000.0]


def pytorch_pair(name: str, x: Tensor) -> tuple[Tensor, Tensor]:
    """torch.<name>(x) and its derivative from autograd, entry by entry."""
    leaf = x.detach().clone().requires_grad_(True)
    value = TORCH[name](leaf)
    value.sum().backward()
    return value.detach(), leaf.grad


def grid(dtype: torch.dtype = torch.float32) -> Tensor:
    """Inputs around the origin, exactly 0 and -0 included, and some random ones."""
    special = torch.tensor([0.0, -0.0, 1e-4, -1e-4, 20.0, -20.0])
    return torch.cat([torch.linspace(-8, 8, 33), special, 3 * torch.randn(21, generator=gen(11))]).to(dtype)


def read(result, name: str, x: Tensor) -> tuple[Tensor, Tensor]:
    """The (value, slope) pair, each a tensor of x's shape and dtype, or a failure that says why."""
    value, slope = as_pair(result, f"activation({name!r}, x)", "(value, slope)")
    for what, t in (("value", value), ("slope", slope)):
        if not isinstance(t, Tensor):
            fail(f"activation({name!r}, x) returned a {kind(t)} as its {what}; the contract asks for a tensor")
        if tuple(t.shape) != tuple(x.shape):
            fail(f"activation({name!r}, x) returned a {what} of shape {tuple(t.shape)} for x of shape "
                 f"{tuple(x.shape)}; both tensors keep x's shape")
        if t.dtype != x.dtype:
            hint = " (a comparison like x > 0 is bool: convert it with .to(x.dtype))" if t.dtype == torch.bool else ""
            fail(f"activation({name!r}, x) returned a {t.dtype} {what} for a {x.dtype} x; both tensors "
                 f"keep x's dtype{hint}")
    return value, slope


def expect_pytorch(student, name: str, x: Tensor, setting: str) -> None:
    """Value and slope equal PyTorch's, entry by entry; a known mistake is named."""
    got = read(student.activation(name, x.clone()), name, x)
    want = pytorch_pair(name, x)
    for what, g, w in zip(("value", "slope"), got, want):
        bad = ~torch.isclose(g.double(), w.double(), rtol=1e-5, atol=1e-6, equal_nan=False)
        if bad.any():
            i = tuple(int(k) for k in bad.nonzero()[0])
            cause = diagnose(got, ((ACTIVATION[m], _sim(name, x, m)) for m in ACTIVATION_NAMES[name]),
                             same=tensors_agree)
            fail(f"activation({name!r}, x): {int(bad.sum())} of {x.numel()} {what}s differ from "
                 f"{'torch.' + name if what == 'value' else 'autograd'}'s; first at x = {x[i].item():.6g}: "
                 f"got {g[i].item():.6g}, expected {w[i].item():.6g} ({setting})" + likely(cause))


def _sim(name: str, x: Tensor, mistake: str):
    return lambda: ACTIVATION.simulate(name=name, x=x, mistake=mistake)


@points("activation", 1)
def test_relu_matches_pytorch_including_slope_at_zero(student):
    expect_pytorch(student, "relu", grid(), "60 float32 inputs in [-20, 20], 0 and -0 included")
    expect_pytorch(student, "relu", torch.randn(3, 4, 5, generator=gen(12)), "x of shape (3, 4, 5)")


@points("activation", 1)
def test_sigmoid_matches_pytorch(student):
    expect_pytorch(student, "sigmoid", grid(), "60 float32 inputs in [-20, 20]")
    expect_pytorch(student, "sigmoid", torch.randn(3, 4, 5, generator=gen(13)), "x of shape (3, 4, 5)")


@points("activation", 1)
def test_tanh_matches_pytorch(student):
    expect_pytorch(student, "tanh", grid(), "60 float32 inputs in [-20, 20]")
    expect_pytorch(student, "tanh", torch.randn(3, 4, 5, generator=gen(14)), "x of shape (3, 4, 5)")


@points("activation", 1)
def test_finite_and_right_at_plus_minus_1000(student):
    for dtype in (torch.float32, torch.float64):
        x = torch.tensor(EXTREMES, dtype=dtype)
        for name in ("relu", "sigmoid", "tanh"):
            got = read(student.activation(name, x.clone()), name, x)
            for what, t in zip(("value", "slope"), got):
                if not torch.isfinite(t).all():
                    i = int((~torch.isfinite(t)).nonzero()[0, 0])
                    cause = diagnose(got, ((ACTIVATION[m], _sim(name, x, m)) for m in ACTIVATION_NAMES[name]),
                                     same=tensors_agree)
                    fail(f"activation({name!r}, x) gave the {what} {t[i].item()} at x = {x[i].item():g} "
                         f"({dtype}); the contract asks for finite numbers at every finite x, "
                         f"+-1000 included" + likely(cause))
            expect_pytorch(student, name, x, f"{dtype} x = {EXTREMES}")


@points("activation", 0.5)
def test_keeps_shape_and_dtype_and_leaves_x_unchanged(student):
    for name in ("relu", "sigmoid", "tanh"):
        x64 = torch.randn(2, 3, generator=gen(15), dtype=torch.float64)
        reply = expect_unchanged(student, "activation", (name, x64), ("name", "x"))
        got = read(reply["result"], name, x64)
        want = pytorch_pair(name, x64)
        expect(tensors_agree(got, want, rtol=1e-9, atol=1e-12),
               f"activation({name!r}, x) on float64 x of shape (2, 3) is not accurate to float64 "
               f"precision: compute in x's dtype, without a detour through float32")
        for x in (torch.zeros(0), torch.tensor(0.7)):
            read(student.activation(name, x), name, x)


@points("activation", 0.5)
def test_unknown_name_raises_value_error(student):
    for name in ("softplus", ""):
        expect_raises(student, "activation", (name, torch.zeros(3)), "ValueError",
                      setting=f"name={name!r}", hint="only 'relu', 'sigmoid' and 'tanh' are known")
