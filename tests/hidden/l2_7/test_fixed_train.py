"""Hidden checks for `fixed_train`: broken_train with all six bugs fixed.

A failed comparison searches for the smallest set of broken_train's bugs (and of the mistakes
a repair commonly makes) that reproduces the student's losses, and names every one of them.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from looplab.checks import (StudentError, as_float_list, as_pair, describe, expect, expect_raises,
                            fail, first_difference, fresh_all, gen, likely, points, unfinished)

from .bugs import diagnose

NAME = "fixed_train"
GLOBAL_SEED = 4242  # set in the student process before calls, to expose use of the global RNG


def blobs(n: int, k: int, d: int, seed: int) -> tuple[Tensor, Tensor]:
    """n samples of k overlapping Gaussian clusters in d dimensions; labels 0, 1, ..., k-1 in turn."""
    g = gen(seed)
    centres = 1.5 * torch.randn(k, d, generator=g)  # (k, d)
    y = torch.arange(n) % k  # (n,) int64
    return centres[y] + torch.randn(n, d, generator=g), y


def setting_of(widths: list[int], n: int, m: int, seed: int) -> tuple:
    X, y = blobs(n + m, widths[-1], widths[0], seed)
    g = gen(seed + 1)
    layers0 = [((2 * torch.rand(a, b, generator=g) - 1) / math.sqrt(a),  # lesson 2.1's init_mlp
                (2 * torch.rand(b, generator=g) - 1) / math.sqrt(a))
               for a, b in zip(widths[:-1], widths[1:])]
    return X[:n], y[:n], X[n:], y[n:], layers0


def read(value: object, epochs: int, *, strict: bool = False) -> tuple[list[float], list[float]]:
    train, val = as_pair(value, NAME, "(train_losses, val_losses)")
    train = as_float_list(train, f"{NAME}'s train_losses", strict=strict)
    val = as_float_list(val, f"{NAME}'s val_losses", strict=strict)
    for what, losses in (("train_losses", train), ("val_losses", val)):
        expect(len(losses) == epochs, f"{NAME} returned {len(losses)} {what} for epochs={epochs}; "
                                      f"expected {epochs}, one per epoch")
    return train, val


def expect_reference(student, reference, *, widths, n, m, p, batch_size, epochs, lr, seed) -> None:
    X, y, X_val, y_val, layers0 = setting_of(widths, n, m, seed)
    args = (X, y, X_val, y_val, layers0, p, batch_size, epochs, lr, gen(seed + 3))
    setting = describe(N=n, M=m, widths=" -> ".join(map(str, widths)), p=p, batch_size=batch_size,
                       epochs=epochs, lr=lr)
    got = read(student.call(NAME, *args, global_seed=GLOBAL_SEED)["result"], epochs)
    want = read(reference.fixed_train(*fresh_all(args)), epochs)
    differences = [f"{what}: {diff}" for what, diff in (
        ("training losses", first_difference(got[0], want[0], rtol=1e-3, atol=1e-5)),
        ("validation losses", first_difference(got[1], want[1], rtol=1e-3, atol=1e-5))) if diff]
    if differences:
        found = diagnose(got[0] + got[1], X=X, y=y, X_val=X_val, y_val=y_val, layers0=layers0, p=p,
                         batch_size=batch_size, epochs=epochs, lr=lr, generator=gen(seed + 3))
        fail(f"{NAME}: {'; '.join(differences)} ({setting})" + likely(found))


@points(NAME, 1.5)
def test_matches_reference_with_dropout_and_a_partial_last_batch(student, reference):
    expect_reference(student, reference, widths=[2, 10, 3], n=40, m=30, p=0.3, batch_size=16,
                     epochs=4, lr=0.5, seed=1)


@points(NAME, 1)
def test_matches_reference_with_two_hidden_layers_and_one_batch(student, reference):
    expect_reference(student, reference, widths=[3, 8, 6, 4], n=30, m=20, p=0.2, batch_size=64,
                     epochs=5, lr=0.8, seed=2)


@points(NAME, 1)
def test_matches_reference_without_dropout(student, reference):
    expect_reference(student, reference, widths=[4, 12, 2], n=48, m=24, p=0.0, batch_size=10,
                     epochs=3, lr=0.3, seed=3)


@points(NAME, 1)
def test_inputs_unchanged(student):
    X, y, X_val, y_val, layers0 = setting_of([2, 6, 3], 24, 12, seed=4)
    args = (X, y, X_val, y_val, layers0, 0.25, 8, 2, 0.5, gen(5))
    after = student.call(NAME, *fresh_all(args), return_args=True)["args_after"]
    for name, before, now in zip(["X", "y", "X_val", "y_val"], args, after):
        if not (isinstance(now, Tensor) and torch.equal(before, now)) or now.requires_grad:
            fail(f"{NAME} changed its input `{name}` (its values or its requires_grad); leave the "
                 f"data as it is")
    for k, ((W0, b0), layer) in enumerate(zip(layers0, after[4]), 1):
        for what, t0, t in (("W", W0, layer[0]), ("b", b0, layer[1])):
            if not torch.equal(t0, t) or t.requires_grad:
                fail(f"{NAME} changed layers0's {what} of layer {k} (its values or its requires_grad): "
                     f"train copies, such as W.detach().clone().requires_grad_(True)")


@points(NAME, 0.5)
def test_depends_only_on_the_generator(student):
    X, y, X_val, y_val, layers0 = setting_of([2, 8, 3], 30, 10, seed=6)
    args = (X, y, X_val, y_val, layers0, 0.3, 7, 3, 0.5, gen(7))
    a, b = (read(student.call(NAME, *fresh_all(args), global_seed=s)["result"], 3) for s in (1, 2))
    expect(a == b, f"{NAME} gave different losses for the same generator seed when the global seed "
                   f"changed: shuffle with torch.randperm(N, generator=generator) and draw every "
                   f"dropout mask from the generator too (dropout(h, p, training, generator))")


@points(NAME, 0.5)
def test_zero_epochs_and_plain_floats(student):
    X, y, X_val, y_val, layers0 = setting_of([2, 5, 2], 12, 6, seed=8)
    try:
        empty = student.call(NAME, X, y, X_val, y_val, layers0, 0.1, 4, 0, 0.1, gen(1))["result"]
    except StudentError as err:
        if unfinished(err):
            raise
        fail(f"{NAME} with epochs=0 raised {err.message}; expected ([], []): no epochs, no losses")
    expect(isinstance(empty, (tuple, list)) and len(empty) == 2
           and all(isinstance(e, list) and e == [] for e in empty),
           f"{NAME} with epochs=0 returned {empty!r:.60}; expected ([], [])")
    read(student.call(NAME, X, y, X_val, y_val, layers0, 0.1, 4, 2, 0.1, gen(1))["result"], 2,
         strict=True)


@points(NAME, 0.5)
def test_bad_batch_size_or_p_raise_value_error(student):
    X, y, X_val, y_val, layers0 = setting_of([2, 4, 2], 8, 4, seed=9)
    for p, batch_size in ((0.2, 0), (0.2, -3), (1.0, 4), (-0.1, 4)):
        expect_raises(student, NAME, (X, y, X_val, y_val, layers0, p, batch_size, 2, 0.1, gen(1)),
                      "ValueError", setting=f"..., p={p}, batch_size={batch_size}, ...",
                      hint="check batch_size >= 1 and 0 <= p < 1 first")
