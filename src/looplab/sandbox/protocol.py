"""Wire format between the checker and a student process.

Messages are length-prefixed JSON. Tensors, numpy arrays and generator states
travel as tagged dicts holding raw bytes in base64; decoding builds fresh
objects from those bytes, so the checker never runs code the student wrote
(no pickle, no `__eq__`, no `__float__` on the checker's side).
"""

from __future__ import annotations

import base64
import json
import math
import os
import select
import socket
import struct
import time
from typing import Any

MAX_MESSAGE = 256 * 1024 * 1024  # bytes; a bigger reply is treated as a crash

# dtypes allowed across the wire, by name; anything else is refused.
_DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "int16",
           "int32", "int64", "uint8", "bool")


class ProtocolError(Exception):
    """The other side sent something that is not a valid message."""


def frame(message: dict) -> bytes:
    """The one framing of every message between looplab's processes: an 8-byte big-endian
    length, then the JSON text."""
    data = json.dumps(message, allow_nan=True).encode()
    return struct.pack(">Q", len(data)) + data


def send(fd: int, message: dict) -> None:
    _write_all(fd, frame(message))


def send_with_fds(sock: socket.socket, message: dict, fds: list[int]) -> None:
    """`send` over a Unix socket, passing file descriptors along with the length prefix."""
    data = frame(message)
    socket.send_fds(sock, [data[:8]], list(fds))
    sock.sendall(data[8:])


def recv_with_fds(sock: socket.socket, max_fds: int = 8) -> tuple[dict, list[int]]:
    """`recv` over a Unix socket, with the file descriptors sent along (ProtocolError on EOF)."""
    head, fds, _, _ = socket.recv_fds(sock, 8, max_fds)
    if not head:
        raise ProtocolError("connection closed")
    head += read_exact(sock.fileno(), 8 - len(head))
    return _decode_body(sock.fileno(), head, None), fds


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_exact(fd: int, n: int, deadline: float | None = None) -> bytes:
    """Read exactly n bytes; ProtocolError on EOF, TimeoutError past `deadline`
    (a time.perf_counter() value), so a half-sent message cannot hang the reader."""
    chunks = []
    while n:
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError("the reply stopped half-way")
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise ProtocolError("connection closed")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv(fd: int, deadline: float | None = None) -> dict:
    return _decode_body(fd, read_exact(fd, 8, deadline), deadline)


def _decode_body(fd: int, head: bytes, deadline: float | None) -> dict:
    (size,) = struct.unpack(">Q", head)
    if size > MAX_MESSAGE:
        raise ProtocolError(f"message of {size} bytes is too large")
    message = json.loads(read_exact(fd, size, deadline))
    if not isinstance(message, dict):
        raise ProtocolError("message is not an object")
    return message


# --- values -------------------------------------------------------------

class Function:
    """A function the checker hands to student code, sent as source text.

    The student process rebuilds it with `exec` (with `torch` and `math` in scope)
    and passes the resulting callable; the checker never receives callables back.
    A driver (`build(scope)`) also sees the names in `scope`, a copy of the
    submission's namespace, so it can use the student's classes.
    """

    def __init__(self, source: str, name: str) -> None:
        self.source, self.name = source, name

    def build(self, scope: dict | None = None):
        import math

        import torch
        namespace: dict = {**(scope or {}), "torch": torch, "math": math}
        exec(compile(self.source, f"<checker function {self.name}>", "exec"), namespace)
        return namespace[self.name]


def encode(value: Any) -> Any:
    """Turn a value into JSON-ready data; raise TypeError for unknown types.

    Exact builtin types are kept; tensors, numpy arrays/scalars and
    torch.Generator are tagged; lists and tuples become lists (tuples tagged).
    A matplotlib Figure or Axes travels as its description (figures.py), tagged.
    """
    t = type(value)
    if value is None or t in (bool, int, str):
        return value
    if t is float:
        return value
    if t in (list, tuple):
        items = [encode(v) for v in value]
        return items if t is list else {"__tuple__": items}
    if t is dict:
        return {"__dict__": [[encode(k), encode(v)] for k, v in value.items()]}
    if t is Function:
        return {"__function__": {"source": value.source, "name": value.name}}
    module = t.__module__ or ""
    if module.startswith("torch"):
        return _encode_torch(value)
    if module.startswith("numpy"):
        return _encode_numpy(value)
    if module.startswith("matplotlib"):
        return {"__figure__": _describe_figure(value)}
    raise TypeError(f"cannot send an object of type {module}.{t.__qualname__}")


def _describe_figure(value: Any) -> dict:
    """A Figure or Axes as plain data (figures.py); any failure is a TypeError."""
    from looplab.sandbox.figures import describe_figure
    try:
        return describe_figure(value)
    except TypeError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the student built, report it plainly
        raise TypeError(f"cannot describe the matplotlib {type(value).__qualname__}: "
                        f"{type(exc).__name__}: {exc}") from None


def _encode_torch(value: Any) -> dict:
    import torch

    if isinstance(value, torch.Generator):
        return {"__generator__": _b64(value.get_state().numpy().tobytes())}
    if isinstance(value, torch.Tensor):
        t = value.detach().to("cpu").contiguous()
        dtype = str(t.dtype).removeprefix("torch.")
        if dtype not in _DTYPES:
            raise TypeError(f"cannot send a tensor of dtype {t.dtype}")
        raw = t.view(torch.int16) if dtype == "bfloat16" else t
        return {"__tensor__": {"dtype": dtype, "shape": list(t.shape),
                               "requires_grad": bool(value.requires_grad),
                               "data": _b64(raw.numpy().tobytes())}}
    raise TypeError(f"cannot send an object of type {type(value).__qualname__}")


def _encode_numpy(value: Any) -> dict:
    import numpy as np

    if isinstance(value, np.ndarray):
        dtype = str(value.dtype)
        if dtype not in _DTYPES:
            raise TypeError(f"cannot send an array of dtype {dtype}")
        return {"__ndarray__": {"dtype": dtype, "shape": list(value.shape),
                                "data": _b64(np.ascontiguousarray(value).tobytes())}}
    if isinstance(value, np.generic):
        dtype = str(value.dtype)
        if dtype not in _DTYPES:
            raise TypeError(f"cannot send a numpy scalar of dtype {dtype}")
        return {"__npscalar__": {"dtype": dtype, "value": value.item()}}
    raise TypeError(f"cannot send an object of type {type(value).__qualname__}")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def decode(data: Any, *, functions: bool = False) -> Any:
    """Inverse of `encode`, validating every field; ProtocolError if malformed.

    Only the student process passes functions=True: the checker never turns
    data it received into code.
    """
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(v, functions=functions) for v in data]
    if type(data) is not dict or len(data) != 1:
        raise ProtocolError("malformed value")
    (tag, body), = data.items()
    if tag == "__tuple__" and type(body) is list:
        return tuple(decode(v, functions=functions) for v in body)
    if tag == "__dict__" and type(body) is list:
        return {_hashable(decode(k)): decode(v, functions=functions) for k, v in _pairs(body)}
    if tag == "__function__" and functions and type(body) is dict:
        return Function(str(body.get("source")), str(body.get("name"))).build()
    if tag == "__tensor__":
        return _decode_tensor(body)
    if tag == "__ndarray__":
        return _decode_ndarray(body)
    if tag == "__npscalar__":
        import numpy as np
        dtype = _dtype_name(body)
        value = body.get("value")
        if type(value) not in (bool, int, float):
            raise ProtocolError("malformed numpy scalar")
        return np.dtype(dtype).type(value)
    if tag == "__figure__" and type(body) is dict:
        return _plain(body)
    if tag == "__generator__" and type(body) is str:
        import torch
        g = torch.Generator()
        g.set_state(torch.frombuffer(bytearray(_unb64(body)), dtype=torch.uint8))
        return g
    raise ProtocolError(f"unknown tag {tag!r}")


def _plain(body: dict) -> dict:
    """A figure description, checked to hold only JSON types; returned as it is."""
    stack: list = [body]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            if not all(type(k) is str for k in item):
                raise ProtocolError("malformed figure")
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
        elif item is not None and type(item) not in (bool, int, float, str):
            raise ProtocolError("malformed figure")
    return body


def _pairs(body: list) -> list:
    if not all(type(p) is list and len(p) == 2 for p in body):
        raise ProtocolError("malformed dict")
    return body


def _hashable(key: Any) -> Any:
    if type(key) not in (bool, int, float, str, tuple) and key is not None:
        raise ProtocolError("dict keys must be plain values")
    return key


def _dtype_name(body: Any) -> str:
    if type(body) is not dict or body.get("dtype") not in _DTYPES:
        raise ProtocolError("malformed dtype")
    return body["dtype"]


def _shape(body: dict) -> tuple[int, ...]:
    shape = body.get("shape")
    if type(shape) is not list or not all(type(s) is int and s >= 0 for s in shape):
        raise ProtocolError("malformed shape")
    return tuple(shape)


def _unb64(text: Any) -> bytes:
    if type(text) is not str:
        raise ProtocolError("malformed data")
    return base64.b64decode(text, validate=True)


def _decode_ndarray(body: Any):
    import numpy as np
    dtype, shape = _dtype_name(body), _shape(body)
    if dtype == "bfloat16":
        raise ProtocolError("numpy has no bfloat16")
    raw = _unb64(body.get("data"))
    array = np.frombuffer(raw, dtype=np.dtype(dtype)).copy()
    if array.size != math.prod(shape):
        raise ProtocolError("data does not match shape")
    return array.reshape(shape)


def _decode_tensor(body: Any):
    import torch
    dtype, shape = _dtype_name(body), _shape(body)
    raw = bytearray(_unb64(body.get("data")))
    if dtype == "bfloat16":
        flat = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16) if raw else torch.empty(0, dtype=torch.bfloat16)
    else:
        flat = torch.frombuffer(raw, dtype=getattr(torch, dtype)) if raw else torch.empty(0, dtype=getattr(torch, dtype))
    if flat.numel() != math.prod(shape):
        raise ProtocolError("data does not match shape")
    tensor = flat.clone().reshape(shape)
    if body.get("requires_grad") is True and tensor.is_floating_point():
        tensor.requires_grad_(True)
    return tensor

