"""Reading what a student's function returned, with the standard message when the type is wrong.

Each reader returns the value in the form the check wants (a float, a list of floats, an int,
a tensor) or fails the check with a message that names the contract. `what` is how the message
refers to the value ("train_batch", "the w that train returned").
"""

from __future__ import annotations

from typing import Any

from looplab.checks.expect import fail


def kind(value: Any) -> str:
    """A short type name for messages: `float`, `torch.Tensor`, `numpy.ndarray`."""
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__.split('.')[0]}.{t.__name__}"


def scalar_like(value: Any) -> bool:
    """A one-element torch tensor or numpy value that stands in for a number."""
    shape = getattr(value, "shape", None)
    return (shape is not None and tuple(shape) in ((), (1,))
            and type(value).__module__.startswith(("torch", "numpy")))


def as_float(value: Any, what: str, *, strict: bool = False) -> float:
    """A returned number as a float.

    An int or a one-element tensor is accepted unless `strict`, so that a forgotten
    `.item()` costs only the check that asks for a Python float.
    """
    if type(value) is float:
        return value
    if not strict and (type(value) is int or scalar_like(value)):
        return float(value)
    hint = " (call .item() on the tensor)" if scalar_like(value) else ""
    fail(f"{what} returned a {kind(value)}; the contract asks for a Python float{hint}")


def as_float_list(value: Any, what: str, *, strict: bool = False) -> list[float]:
    """A returned list of numbers (a loss per epoch, say) as floats; see `as_float`."""
    if not isinstance(value, list if strict else (list, tuple)):
        fail(f"{what} returned a {kind(value)}; the contract asks for a list of Python floats")
    out = []
    for i, v in enumerate(value):
        if type(v) is float or (type(v) is int and not strict) or (not strict and scalar_like(v)):
            out.append(float(v))
        else:
            hint = " (call .item() on the loss)" if scalar_like(v) else ""
            fail(f"{what}: entry {i} is a {kind(v)}, not a Python float{hint}")
    return out


def as_int(value: Any, what: str, *, optional: bool = False) -> int | None:
    """A returned count as an int (None allowed when `optional`)."""
    if optional and value is None:
        return None
    if type(value) is not int:
        alt = " (or None)" if optional else ""
        fail(f"{what} returned a {kind(value)}; the contract asks for an int{alt}")
    return value


def as_tensor(value: Any, what: str, *, shape: tuple[int, ...] | None = None,
              dtype: Any = None, floating: bool = False) -> Any:
    """A returned tensor, checked against the contract's shape and dtype.

    `dtype` is one torch dtype or a tuple of accepted ones; `floating` accepts any float dtype.
    """
    import torch
    if not isinstance(value, torch.Tensor):
        fail(f"{what} returned a {kind(value)}; the contract asks for a torch.Tensor"
             + (f" of shape {tuple(shape)}" if shape is not None else ""))
    if shape is not None and tuple(value.shape) != tuple(shape):
        fail(f"{what} returned a tensor of shape {tuple(value.shape)}; expected {tuple(shape)}")
    accepted = dtype if isinstance(dtype, tuple) else (dtype,) if dtype is not None else ()
    if accepted and value.dtype not in accepted:
        names = " or ".join(str(d) for d in accepted)
        fail(f"{what} returned a {value.dtype} tensor; the contract asks for {names}")
    if floating and not value.is_floating_point():
        fail(f"{what} returned a {value.dtype} tensor; the contract asks for a floating-point tensor")
    return value


def as_pair(value: Any, what: str, names: str = "(a, b)") -> tuple[Any, Any]:
    """A returned 2-tuple (a list of two is accepted too)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        size = f" of length {len(value)}" if isinstance(value, (tuple, list)) else ""
        fail(f"{what} returned a {kind(value)}{size}; the contract asks for a tuple {names}")
    return value[0], value[1]
