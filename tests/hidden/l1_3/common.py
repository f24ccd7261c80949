"""Helpers shared by the trainer checks of lesson 1.3."""

from __future__ import annotations

import torch

from looplab.checks import as_float_list, assert_trajectory, expect, fail, not_mutated
from looplab.sandbox.runner import StudentError

from .data import describe, gen, make_data
from .mistakes import diagnose

GLOBAL_SEED = 4242  # set in the student process before calls, to expose use of the global RNG


def losses(student, name: str, *args, global_seed: int = GLOBAL_SEED) -> list[float]:
    return as_float_list(student.call(name, *args, global_seed=global_seed)["result"], name)


def expect_reference(student, reference, name: str, *, n: int, d: int, epochs: int, lr: float,
                     batch_size: int | None = None, seed: int = 0, mistakes: tuple = (),
                     record=None) -> None:
    """The student's trajectory equals the reference's on one setting.

    `record` (the record_curve fixture) keeps both curves for the feedback plot.
    """
    X, y, w0, b0 = make_data(n, d, seed=seed)
    args: tuple = (X, y, w0, b0)
    setting = dict(N=n, d=d, epochs=epochs, lr=lr)
    if name == "train_minibatch":
        args += (batch_size, epochs, lr, gen(seed + 1))
        setting["batch_size"] = batch_size
    elif name == "train_stochastic":
        args += (epochs, lr, gen(seed + 1))
    else:
        args += (epochs, lr)
    got = losses(student, name, *args)
    want = getattr(reference, name)(X, y, w0, b0, *args[4:-1], _fresh(args[-1]))
    if record is not None:
        record(name, f"{name} ({describe(**setting)})", got, want)
    sim_bs = {"train_batch": None, "train_stochastic": 1}.get(name, batch_size)
    assert_trajectory(got, want, what=name, setting=describe(**setting), diagnose=lambda: diagnose(
        got, mistakes, X=X, y=y, w0=w0, b0=b0, batch_size=sim_bs, epochs=epochs, lr=lr,
        seed=seed + 1, global_seed=GLOBAL_SEED))


def _fresh(last):
    """A fresh copy of a generator argument (the reference must not share its state)."""
    if isinstance(last, torch.Generator):
        g = torch.Generator()
        g.set_state(last.get_state())
        return g
    return last


def expect_inputs_unchanged(student, name: str, *rest) -> None:
    X, y, w0, b0 = make_data(30, 2, seed=7)
    reply = student.call(name, X, y, w0, b0, *rest, return_args=True)
    not_mutated([X, y, w0, b0], reply["args_after"][:4], ["X", "y", "w0", "b0"], name)


def expect_zero_epochs_and_plain_floats(student, name: str, make_rest) -> None:
    X, y, w0, b0 = make_data(12, 2, seed=3)
    try:
        empty = student.call(name, X, y, w0, b0, *make_rest(0))["result"]
    except StudentError as err:
        if err.type == "NotImplementedError" or err.kind != "error":
            raise
        try:  # an error on every call is reported as it is, with its traceback
            student.call(name, X, y, w0, b0, *make_rest(3))
        except StudentError:
            raise err from None
        fail(f"{name} with epochs=0 raised {err.message}, but with epochs=3 it runs; "
             f"expected [] (no epochs, no losses): epochs=0 is allowed and trains nothing")
    expect(empty == [] and isinstance(empty, list),
           f"{name} with epochs=0 returned {empty!r:.60}; expected [] (no epochs, no losses)")
    three = as_float_list(student.call(name, X, y, w0, b0, *make_rest(3))["result"], name, strict=True)
    expect(len(three) == 3, f"{name} with epochs=3 returned {len(three)} losses; expected 3")
