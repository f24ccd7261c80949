"""The reference's own results, computed once per process for each distinct input.

A worker that grades a class runs the same hidden checks on every submission, and most of
them call the reference solution on the same fixed inputs each time. `memoised(module)`
returns a stand-in for the reference module whose top-level functions remember their
results by the value of their arguments, so the second submission onwards gets them for
the cost of hashing the inputs.

A call is remembered only when doing so cannot change what a check sees:

- every argument is plain data (None, bool, int, float, str, bytes, tensors that do not
  require grad, NumPy arrays, `torch.Generator`s, and lists, tuples and dicts of those);
  a callable, a module or an nn.Module makes the call pass straight through;
- the call leaves its tensor arguments as they were and does not draw from the global
  random generators (torch's, Python's, NumPy's);
- the result is plain data too (a tensor in an autograd graph is not).

A remembered call returns a fresh copy of the result and leaves every generator argument
in the state the original call left it in, exactly as calling again would. Exceptions are
never remembered. Timing is not affected: speed checks time the reference's own process.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import inspect
import random
from types import ModuleType
from typing import Any, Callable

import numpy as np
import torch

_MODULES: dict[int, ModuleType] = {}
_SKIP = object()


class _NotPlain(Exception):
    """An argument or result that cannot be keyed or copied safely."""


def memoised(module: ModuleType) -> ModuleType:
    """A module-like copy of `module` (the same per process) whose functions remember results."""
    key = id(module)
    if key not in _MODULES:
        stand_in = ModuleType(module.__name__, module.__doc__)
        stand_in.__dict__.update(vars(module))
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                setattr(stand_in, name, remember(value))
        _MODULES[key] = stand_in
    return _MODULES[key]


def remember(fn: Callable) -> Callable:
    """`fn`, remembering its results under the rules in this module's docstring."""
    cache: dict[bytes, tuple[Any, list[bytes]]] = {}

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            digest, generators, tensors = _key((args, kwargs))
        except _NotPlain:
            return fn(*args, **kwargs)
        hit = cache.get(digest)
        if hit is _SKIP:
            return fn(*args, **kwargs)
        if hit is not None:
            result, states = hit
            for generator, state in zip(generators, states):
                generator.set_state(state)
            return copy.deepcopy(result)
        before = [t.clone() for t in tensors]
        rng = _global_rng()
        result = fn(*args, **kwargs)
        if not _same_global_rng(rng) or any(not _identical(a, b) for a, b in zip(tensors, before)):
            cache[digest] = _SKIP
            return result
        try:
            _key(result)
            stored = copy.deepcopy(result)
        except (_NotPlain, TypeError, RuntimeError):
            cache[digest] = _SKIP
            return result
        cache[digest] = (stored, [g.get_state() for g in generators])
        return result

    return wrapper


def _key(value: Any) -> tuple[bytes, list[torch.Generator], list[torch.Tensor]]:
    """(digest of the value, its generators in order, its tensors in order)."""
    hasher = hashlib.blake2b(digest_size=20)
    generators: list[torch.Generator] = []
    tensors: list[torch.Tensor] = []

    def walk(v: Any) -> None:
        if v is None or isinstance(v, (bool, int, str, bytes)):
            hasher.update(f"{type(v).__name__}:{v!r};".encode())
        elif isinstance(v, float):
            hasher.update(f"f:{v.hex()};".encode())
        elif isinstance(v, torch.Tensor):
            if v.requires_grad or v.grad_fn is not None or v.is_sparse or v.device.type != "cpu":
                raise _NotPlain
            hasher.update(f"T:{v.dtype}:{tuple(v.shape)};".encode())
            hasher.update(_bytes(v))
            tensors.append(v)
        elif isinstance(v, np.ndarray):
            if v.dtype == object:
                raise _NotPlain
            hasher.update(f"N:{v.dtype}:{v.shape};".encode())
            hasher.update(np.ascontiguousarray(v).tobytes())
        elif isinstance(v, torch.Generator):
            hasher.update(b"G:" + bytes(v.get_state().numpy()) + b";")
            generators.append(v)
        elif type(v) in (list, tuple):
            hasher.update(f"{type(v).__name__}[{len(v)}".encode())
            for item in v:
                walk(item)
            hasher.update(b"]")
        elif type(v) is dict:
            hasher.update(f"dict[{len(v)}".encode())
            for k, item in v.items():
                walk(k)
                walk(item)
            hasher.update(b"]")
        else:
            raise _NotPlain

    walk(value)
    return hasher.digest(), generators, tensors


def _bytes(t: torch.Tensor) -> bytes:
    flat = t.detach().contiguous().reshape(-1)
    return bytes(flat.view(torch.uint8).numpy()) if flat.numel() else b""


def _identical(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and _bytes(a) == _bytes(b)


def _global_rng() -> tuple:
    _, keys, position, *_ = np.random.get_state()
    return torch.get_rng_state(), random.getstate(), keys.copy(), position


def _same_global_rng(before: tuple) -> bool:
    torch_state, py_state, np_keys, np_position = before
    _, keys, position, *_ = np.random.get_state()
    return (torch.equal(torch_state, torch.get_rng_state()) and py_state == random.getstate()
            and position == np_position and np.array_equal(np_keys, keys))
