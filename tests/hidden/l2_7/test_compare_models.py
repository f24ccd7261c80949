"""Hidden checks for `compare_models`: the reference's scores, module 1's loop, the contract."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from looplab.checks import (as_float, close, describe, expect, expect_raises, expect_unchanged, fail,
                            fresh_all, gen, kind, likely, linear_loop, points)

from .fits import FITS, KEYS, NAMES

NAME = "compare_models"
GLOBAL_SEED = 4242  # set in the student process before calls, to expose use of the global RNG


def wave(n: int, m: int, d: int, seed: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """n training and m held-out samples of a curved target: y = sin(2 x_1) + x_2^2 / 2 + noise."""
    g = gen(seed)
    X = 4 * torch.rand(n + m, d, generator=g) - 2  # (n + m, d) in [-2, 2]
    y = torch.sin(2 * X[:, :1]) + 0.1 * torch.randn(n + m, 1, generator=g)  # (n + m, 1)
    if d > 1:
        y = y + 0.5 * X[:, 1:2] ** 2
    return X[:n], y[:n], X[n:], y[n:]


def read(value: object, *, strict: bool = False) -> list[float]:
    """The four scores in KEYS' order, or a failure that says what is off."""
    if type(value) is not dict:
        fail(f"{NAME} returned a {kind(value)}; the contract asks for a dict with the keys "
             f"{', '.join(map(repr, KEYS))}")
    missing = [k for k in KEYS if k not in value]
    if missing:
        fail(f"{NAME}'s dict has no {', '.join(map(repr, missing))}; the keys are "
             f"{', '.join(map(repr, KEYS))} (got {sorted(map(str, value))[:6]})")
    return [as_float(value[k], f"{NAME}[{k!r}]", strict=strict) for k in KEYS]


def shown(scores: list[float]) -> str:
    return ", ".join(f"{k} {v:.5g}" for k, v in zip(KEYS, scores))


def expect_reference(student, reference, *, n, m, d, hidden, activation, epochs, lr, seed) -> None:
    X, y, X_test, y_test = wave(n, m, d, seed)
    args = (X, y, X_test, y_test, hidden, activation, epochs, lr, gen(seed + 1))
    setting = describe(N=n, M=m, d=d, hidden=hidden, activation=activation, epochs=epochs, lr=lr)
    got = read(student.call(NAME, *args, global_seed=GLOBAL_SEED)["result"])
    want = read(reference.compare_models(*fresh_all(args)))
    wrong = [k for k, g, w in zip(KEYS, got, want) if not close(g, w, rtol=1e-3, atol=1e-5)]
    if wrong:
        found = FITS.diagnose(got, NAMES, X_train=X, y_train=y, X_test=X_test, y_test=y_test,
                              hidden=hidden, activation=activation, epochs=epochs, lr=lr,
                              generator=gen(seed + 1))
        fail(f"{NAME}: {', '.join(wrong)} differ ({setting})\n  got:      {shown(got)}\n"
             f"  expected: {shown(want)}" + likely(found))


@points(NAME, 1.5)
def test_matches_reference_on_a_curved_target(student, reference):
    expect_reference(student, reference, n=48, m=64, d=1, hidden=12, activation="tanh", epochs=120,
                     lr=0.2, seed=1)


@points(NAME, 1)
def test_matches_reference_with_two_features_and_relu(student, reference):
    expect_reference(student, reference, n=40, m=30, d=2, hidden=8, activation="relu", epochs=60,
                     lr=0.1, seed=2)


@points(NAME, 1)
def test_linear_model_is_module_1_gradient_descent(student):
    """The one-layer model from zeros is module 1's full-batch gradient descent: after `epochs`
    updates its training loss is entry `epochs` of lesson 1.3's loop run one epoch longer."""
    for epochs in (0, 25):
        X, y, X_test, y_test = wave(36, 20, 2, seed=5)
        setting = describe(N=36, d=2, hidden=4, activation="tanh", epochs=epochs, lr=0.1)
        got = read(student.call(NAME, X, y, X_test, y_test, 4, "tanh", epochs, 0.1, gen(6))["result"])
        d = X.shape[1]
        want = linear_loop(X, y, torch.zeros(d, 1), torch.zeros(1), batch_size=None, epochs=epochs + 1,
                           lr=0.1)[-1]
        if not close(got[0], want, rtol=1e-3, atol=1e-5):
            found = FITS.diagnose(got, NAMES, X_train=X, y_train=y, X_test=X_test, y_test=y_test,
                                  hidden=4, activation="tanh", epochs=epochs, lr=0.1, generator=gen(6))
            what = ("with epochs=0 it scores the starting model, W = 0 and b = 0, whose mse is the "
                    "mean of y_train ** 2" if epochs == 0 else
                    f"module 1's full-batch gradient descent from zeros, after {epochs} updates")
            fail(f"{NAME}['linear_train'] is {got[0]:.6g}, expected {want:.6g}: {what} ({setting})"
                 + likely(found))


@points(NAME, 1)
def test_inputs_unchanged(student):
    X, y, X_test, y_test = wave(20, 10, 2, seed=7)
    names = ["X_train", "y_train", "X_test", "y_test"]
    reply = expect_unchanged(student, NAME, (X, y, X_test, y_test, 5, "relu", 3, 0.1, gen(1)), names)
    for name, tensor in zip(names, reply["args_after"]):
        if isinstance(tensor, Tensor) and tensor.requires_grad:
            fail(f"{NAME} switched on requires_grad of the caller's `{name}`: data needs no gradient; "
                 f"only the copies of W and b that you train do")


@points(NAME, 0.5)
def test_depends_only_on_the_generator(student):
    X, y, X_test, y_test = wave(24, 12, 1, seed=8)
    runs = [read(student.call(NAME, X, y, X_test, y_test, 6, "tanh", 10, 0.1, gen(9),
                              global_seed=seed)["result"]) for seed in (1, 2)]
    expect(runs[0] == runs[1], f"{NAME} gave different scores for the same generator seed when the "
                               f"global seed changed ({shown(runs[0])} against {shown(runs[1])}): the "
                               f"MLP starts from init_mlp([d, hidden, 1], generator), and nothing else "
                               f"draws random numbers")


@points(NAME, 0.5)
def test_zero_epochs_scores_the_starting_models_as_floats(student, reference):
    X, y, X_test, y_test = wave(16, 8, 1, seed=10)
    args = (X, y, X_test, y_test, 3, "sigmoid", 0, 0.1, gen(11))
    got = read(student.call(NAME, *args)["result"], strict=True)
    want = read(reference.compare_models(*fresh_all(args)))
    expect(all(close(g, w, rtol=1e-4) for g, w in zip(got, want)),
           f"{NAME} with epochs=0 returned {shown(got)}; expected the scores of the starting models, "
           f"{shown(want)}: zero epochs make no update")
    expect(not any(math.isnan(v) for v in got), f"{NAME} with epochs=0 returned NaN scores")


@points(NAME, 0.5)
def test_bad_hidden_or_epochs_raise_value_error(student):
    X, y, X_test, y_test = wave(8, 4, 1, seed=12)
    for hidden, epochs in ((0, 3), (-2, 3), (4, -1)):
        expect_raises(student, NAME, (X, y, X_test, y_test, hidden, "tanh", epochs, 0.1, gen(1)),
                      "ValueError", setting=f"..., hidden={hidden}, activation='tanh', epochs={epochs}, ...",
                      hint="check hidden >= 1 and epochs >= 0 first")
