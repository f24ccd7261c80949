"""Helpers for the fixed_train checks: calling it, and comparing with the reference."""

from __future__ import annotations

from looplab.checks import as_float_list, fail
from looplab.checks import close
from looplab.sandbox.runner import StudentError

from .bugs import DESCRIPTIONS, diagnose
from .data import gen, make_data

GLOBAL_SEED = 4242  # set in the student process before calls, to expose use of the global RNG
NAME = "fixed_train"


def losses(student, *args, global_seed: int = GLOBAL_SEED, strict: bool = False) -> list[float]:
    result = student.call(NAME, *args, global_seed=global_seed)["result"]
    return as_float_list(result, NAME, strict=strict)


def _first_difference(got: list[float], want: list[float]) -> str:
    if len(got) != len(want):
        return (f"returned {len(got)} losses, expected {len(want)}: one entry per epoch")
    for epoch, (g, w) in enumerate(zip(got, want)):
        if not close(g, w):
            return f"epoch {epoch} loss {g:.6g}, reference {w:.6g}"
    return ""


def expect_reference(student, reference, *, n: int, d: int, batch_size: int, epochs: int,
                     lr: float, seed: int) -> None:
    """fixed_train's losses equal the reference's on one setting; name any bug still there."""
    X, y, w0, b0 = make_data(n, d, seed=seed)
    setting = f"N={n}, d={d}, batch_size={batch_size}, epochs={epochs}, lr={lr}"
    try:
        got = losses(student, X, y, w0, b0, batch_size, epochs, lr, gen(seed + 1))
    except StudentError as err:
        if err.type == "ZeroDivisionError" and batch_size > n:
            fail(f"{NAME} raised {err.message} ({setting}): with batch_size > N the only batch "
                 f"of an epoch is the last, smaller one, and it must be kept"
                 f"\nlikely mistake: {DESCRIPTIONS['drop_last']}")
        raise
    want = reference.fixed_train(X, y, w0, b0, batch_size, epochs, lr, gen(seed + 1))
    difference = _first_difference(got, want)
    if difference:
        fail(f"{NAME}: {difference} ({setting})" + diagnose(
            got, X=X, y=y, w0=w0, b0=b0, batch_size=batch_size, epochs=epochs, lr=lr,
            seed=seed + 1, global_seed=GLOBAL_SEED))
