"""Judging a sample of initial weights against a formula and against torch.nn.init.

A correct init is random, so its draws are never compared number by number: a sample is judged
by its mean (0), its variance (the scheme's formula, and what torch.nn.init's own draws give on
the same layer), its largest entry (inside the uniform bound, and close to it), its kurtosis
(1.8 for a uniform, 3 for a normal) and its distinct values (independent draws, no repeated
column). Every sample has at least 6000 draws, so the tolerances below sit at five or more
standard errors of the estimate: a correct init fails them with a negligible probability.

`candidates` maps the message of a known mistake to the variance that mistake produces in the
setting tried; a failed variance check names the candidate whose variance the sample matches.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from looplab.checks import as_tensor, drive, fail, likely

KURTOSIS = {"uniform": 1.8, "normal": 3.0}


def tolerance(n: int, distribution: str) -> float:
    """Relative tolerance on a variance estimated from n draws: 5% or five standard errors."""
    spread = 0.8 if distribution == "uniform" else 2.0  # kurtosis - 1 = Var(x^2) / Var(x)^2
    return max(0.05, 5 * math.sqrt(spread / n))


def expect_sample(value: Any, *, what: str, setting: str, shape: tuple[int, int], dtype: torch.dtype,
                  var: float, formula: str, distribution: str, torch_var: float | None = None,
                  candidates: dict[str, float] | None = None) -> Tensor:
    """Fail unless `value` is a (shape, dtype) tensor of independent draws from `distribution`
    with mean 0 and variance `var` (the scheme's `formula`). Returns the tensor."""
    W = as_tensor(value, what, shape=shape, dtype=dtype)
    x = W.detach().double().flatten()
    n = x.numel()
    if not torch.isfinite(x).all():
        fail(f"{what} holds inf or NaN entries ({setting})")
    distinct = torch.unique(x).numel()
    if distinct < 0.98 * n:
        fail(f"{what}: only {distinct} distinct values among its {n} entries, so entries repeat "
             f"({setting})" + likely("one row or column was drawn and copied (expand, repeat, "
                                     "broadcasting): draw every entry of the matrix independently"))
    mean, got = x.mean().item(), x.var(unbiased=False).item()
    tol = tolerance(n, distribution)
    if abs(got / var - 1) > tol:
        near = [m for m, v in (candidates or {}).items() if abs(got / v - 1) <= tol]
        fail(f"{what}: the variance of its {n} entries is {got:.4g}; expected {formula} = {var:.4g}"
             + _torch_says(torch_var) + f", within {tol:.0%} ({setting})" + likely(near[:1]))
    if torch_var is not None and abs(got / torch_var - 1) > 2 * tol:
        fail(f"{what}: the variance {got:.4g} differs from torch.nn.init's {torch_var:.4g} on the same "
             f"layer by more than {2 * tol:.0%} ({setting})")
    if abs(mean) > 6 * math.sqrt(var / n):
        fail(f"{what}: the mean of its {n} entries is {mean:.3g}; a weight init is centred on 0, and "
             f"{n} draws put the mean within {6 * math.sqrt(var / n):.2g} of it ({setting})"
             + likely("the draws are shifted: torch.rand is U(0, 1), so U(-a, a) is 2a * rand - a, "
                      "not a * rand"))
    _expect_shape_of_distribution(x, what=what, setting=setting, var=var, distribution=distribution)
    return W


def _expect_shape_of_distribution(x: Tensor, *, what: str, setting: str, var: float,
                                  distribution: str) -> None:
    n = x.numel()
    kurtosis = (((x - x.mean()) ** 4).mean() / x.var(unbiased=False) ** 2).item()
    bound = math.sqrt(3 * var)
    if distribution == "uniform":
        top = x.abs().max().item()
        if top > bound * (1 + 1e-5):
            fail(f"{what}: an entry reaches {top:.4g}, outside the uniform bound a = sqrt(3 * {var:.4g}) = "
                 f"{bound:.4g} ({setting})"
                 + likely("drawn from a normal: distribution='uniform' asks for U(-a, a), e.g. "
                          "torch.empty(shape).uniform_(-a, a, generator=generator)"
                          if abs(kurtosis - 3) < 0.3 else None))
        if top < 0.99 * bound and n >= 5000:
            fail(f"{what}: its largest entry is {top:.4g}, but {n} draws from U(-a, a) with a = {bound:.4g} "
                 f"come within 1% of a ({setting})")
    if abs(kurtosis - KURTOSIS[distribution]) > 0.3:
        other = "normal" if distribution == "uniform" else "uniform"
        looks = f"; it looks {other}" if abs(kurtosis - KURTOSIS[other]) <= 0.3 else ""
        fail(f"{what}: the entries' kurtosis is {kurtosis:.2f}; a {distribution} distribution has "
             f"{KURTOSIS[distribution]} ({setting}){looks}"
             + likely(f"distribution={distribution!r} drew from a {other} distribution" if looks else None))


def _torch_says(torch_var: float | None) -> str:
    return "" if torch_var is None else f" (torch.nn.init's own draws on this layer: {torch_var:.4g})"


def torch_variance(init: str, shape: tuple[int, int], seed: int, **kwargs: Any) -> float:
    """The variance of torch.nn.init.<init> on the layer's (out, in) weight (nn.Linear's layout)."""
    import torch.nn as nn
    weight = torch.empty(shape[1], shape[0], dtype=torch.float64)
    getattr(nn.init, init)(weight, generator=torch.Generator().manual_seed(seed), **kwargs)
    return weight.var(unbiased=False).item()


def in_dtype(name: str, args: list, kwargs: dict, dtype_name: str):
    """Runs in the student process (a driver): a torch.dtype cannot cross, so it is named."""
    return globals()[name](*args, dtype=getattr(torch, dtype_name), **kwargs)


def call(student: Any, name: str, *args: Any, dtype: torch.dtype = torch.float32, **kwargs: Any) -> Any:
    """`student.<name>(*args, **kwargs)`, passing `dtype` through a driver when it is not the default."""
    if dtype == torch.float32:
        return student.call(name, *args, **kwargs)["result"]
    return drive(student, name, in_dtype, name, list(args), kwargs, str(dtype).removeprefix("torch."))
