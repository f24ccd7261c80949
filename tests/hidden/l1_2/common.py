"""Reading the student's results, and the checks several tasks share."""

from __future__ import annotations

import torch
from torch import Tensor

from looplab.checks import expect, fail

BROADCAST = ("the residual became an (N, N) matrix: the prediction and y have different shapes "
             "((N,) against (N, 1)), so subtracting them broadcasts; keep both (N, 1), "
             "e.g. X @ w + b - y with w of shape (d, 1)")


def kind(value: object) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__.split('.')[0]}.{t.__name__}"


def tensors(result: object, what: str, names: tuple[str, ...]) -> tuple[Tensor, ...]:
    """The result as a tuple of len(names) tensors, or a failure that says what came back."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        fail(f"{what} returned a {kind(result)}"
             + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
             + f"; expected a tuple ({', '.join(names)})")
    for name, value in zip(names, result):
        if not isinstance(value, Tensor):
            fail(f"{what}: {name} is a {kind(value)}; expected a torch tensor")
    return tuple(result)


def shape_hint(got: tuple[int, ...], want: tuple[int, ...], n: int) -> str:
    d = want[0]
    if want == (1,):
        if got == ():
            return "a 0-dim tensor; b has shape (1,), so keep one dimension (e.g. sum(dim=0) or .reshape(1))"
        if got == (1, 1):
            return "b has shape (1,), not (1, 1)"
        if n in got and n > 1:
            return BROADCAST
        return "it should have the shape of b, (1,)"
    if got == (1, d) and d > 1:
        return "transposed: X.T @ r has shape (d, 1), r.T @ X has shape (1, d)"
    if got == (d,):
        return "a flat (d,) tensor; keep the column shape (d, 1) of w"
    if n in got and n > 1:
        return BROADCAST
    return "it should have the shape of w, (d, 1)"


def expect_shape_and_dtype(value: Tensor, want: tuple[int, ...], name: str, what: str, n: int) -> None:
    got = tuple(value.shape)
    if got != want:
        fail(f"{what}: {name} has shape {got}, expected {want}: {shape_hint(got, want, n)}")
    expect(value.dtype == torch.float32,
           f"{what}: {name} has dtype {value.dtype}, expected torch.float32 like the inputs "
           f"(compute in the inputs' dtype, or convert back with .float())")


def values(value: Tensor, want: tuple[int, ...], name: str, what: str, n: int) -> Tensor:
    """The values as float64 in the expected shape; a wrong shape with the right count is forgiven
    here (the shape check takes the point), any other count fails."""
    if value.numel() != _count(want):
        fail(f"{what}: {name} has shape {tuple(value.shape)}, expected {want}: "
             f"{shape_hint(tuple(value.shape), want, n)}")
    out = value.detach().double().reshape(want)
    if want[0] > 1 and tuple(value.shape) == (1, want[0]):
        out = value.detach().double().reshape(1, -1).T  # a transposed (1, d) result, read as (d, 1)
    return out


def _count(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def close(got: Tensor, want: Tensor, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """Entry-wise |got - want| <= atol * (1 + max|want|) + rtol * |want|; NaN never matches."""
    scale = 1.0 + want.abs().max().item() if want.numel() else 1.0
    return bool(torch.isfinite(got).all()) and bool(((got - want).abs() <= atol * scale + rtol * want.abs()).all())


def show(t: Tensor, k: int = 3) -> str:
    flat = t.detach().double().flatten().tolist()
    shown = ", ".join(f"{v:.5g}" for v in flat[:k])
    return f"[{shown}{', ...' if len(flat) > k else ''}]"


def expect_no_grad(result: tuple[Tensor, ...], names: tuple[str, ...], what: str) -> None:
    for name, value in zip(names, result):
        expect(not value.requires_grad,
               f"{what}: the returned {name} requires grad, so it was computed with autograd "
               f"(requires_grad_, backward or torch.autograd). This lesson derives the gradient "
               f"by hand: compute it from the formula with plain tensors")


def expect_inputs_unchanged(student, name: str, args: tuple, names: list[str],
                            hint: str = "work on copies (e.g. `w = w0.clone()`)") -> dict:
    """Call once with the arguments sent back; values and requires_grad flags must be as sent."""
    reply = student.call(name, *args, return_args=True)
    for arg_name, before, now in zip(names, args, reply["args_after"]):
        if not (isinstance(before, Tensor) and isinstance(now, Tensor)):
            continue
        if before.shape != now.shape or not torch.equal(before.to(now.dtype), now):
            fail(f"{name} changed its input `{arg_name}` in place; {hint}, so the caller's "
                 f"tensors stay as they were")
        expect(now.requires_grad == before.requires_grad,
               f"{name} switched on requires_grad of its input `{arg_name}`: that is autograd "
               f"at work (and a change to the caller's tensor); compute the gradient from the "
               f"formula instead")
    return reply
