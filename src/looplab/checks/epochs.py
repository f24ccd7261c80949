"""The contract every training loop of the course shares: one loss per epoch, as floats.

`expect_one_loss_per_epoch` calls a trainer with zero and with a few epochs: zero epochs
train nothing and return [], and k epochs return k Python floats.
"""

from __future__ import annotations

from typing import Any, Callable

from looplab.checks.compare import assert_trajectory
from looplab.checks.data import fresh_all
from looplab.checks.expect import expect, fail
from looplab.checks.faults import StudentError, unfinished
from looplab.checks.results import as_float_list


def expect_one_loss_per_epoch(student: Any, name: str, make_args: Callable[[int], tuple], *,
                              epochs: int = 3, unit: str = "epoch", **call_kwargs: Any) -> list[float]:
    """`make_args(k)` gives the arguments for k epochs; returns the k-epoch losses."""
    try:
        empty = student.call(name, *make_args(0), **call_kwargs)["result"]
    except StudentError as err:
        if unfinished(err):
            raise
        try:  # an error on every call is reported as it is, with its traceback
            student.call(name, *make_args(epochs), **call_kwargs)
        except StudentError:
            raise err from None
        fail(f"{name} with {unit}s=0 raised {err.message}, but with {unit}s={epochs} it runs; "
             f"expected [] (no {unit}s, no losses): {unit}s=0 is allowed and trains nothing")
    expect(empty == [] and isinstance(empty, list),
           f"{name} with {unit}s=0 returned {empty!r:.60}; expected [] (no {unit}s, no losses)")
    losses = as_float_list(student.call(name, *make_args(epochs), **call_kwargs)["result"], name,
                           strict=True)
    expect(len(losses) == epochs, f"{name} with {unit}s={epochs} returned {len(losses)} losses; "
                                  f"expected {epochs}, one per {unit}")
    return losses


def expect_reference_losses(student: Any, reference: Any, name: str, args: tuple, *, setting: str,
                            diagnose: Callable[[list[float]], str | None] | None = None,
                            record: Callable[..., None] | None = None,
                            global_seed: int | None = None, rtol: float = 1e-4,
                            atol: float = 1e-6) -> list[float]:
    """The student's `name(*args)` returns the reference's losses, epoch by epoch.

    The reference runs on fresh copies of `args` (its own generator state). `diagnose(got)`
    names the likely mistake when they differ; `record` (the `record_curve` fixture) keeps
    both curves for the feedback page. Returns the student's losses.
    """
    got = as_float_list(student.call(name, *args, global_seed=global_seed)["result"], name)
    want = getattr(reference, name)(*fresh_all(args))
    if record is not None:
        record(name, f"{name} ({setting})", got, want)
    assert_trajectory(got, want, what=name, setting=setting, rtol=rtol, atol=atol,
                      diagnose=(lambda: diagnose(got)) if diagnose else None)
    return got
