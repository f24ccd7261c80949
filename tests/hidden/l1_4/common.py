"""Reading the tensors the student returns, with messages that say what was expected."""

from __future__ import annotations

import torch
from torch import Tensor

from looplab.checks import fail


def _kind(value: object) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__.split('.')[0]}.{t.__name__}"


def as_tensor(value: object, what: str, shape: tuple[int, ...], hint: str = "") -> Tensor:
    """A floating tensor of exactly `shape`, as float64, or a failure that says what differs."""
    if not isinstance(value, Tensor):
        fail(f"{what} returned a {_kind(value)}; the contract asks for a torch tensor of shape {shape}")
    if not value.is_floating_point():
        fail(f"{what} returned a {value.dtype} tensor; the contract asks for a floating-point tensor "
             f"(the dtype of x)")
    if tuple(value.shape) != shape:
        fail(f"{what} returned shape {tuple(value.shape)}, expected {shape}" + (f"\n{hint}" if hint else ""))
    return value.detach().double()


def first_difference(got: Tensor, want: Tensor, rtol: float, atol: float) -> tuple[int, ...] | None:
    """Index of the first entry where got and want differ beyond the tolerance, or None."""
    bad = ~torch.isclose(got, want, rtol=rtol, atol=atol)
    if not bad.any():
        return None
    return tuple(int(i) for i in bad.nonzero()[0])
