"""Hidden checks for `train_mlp_with`: given the reference's step functions (sent as source, so a
fault in the student's own step functions never costs points here), its losses and trained
layers equal the same loop driven by torch.optim; zero epochs, plain floats, inputs unchanged,
no randomness, bad input."""

from __future__ import annotations

import inspect

import torch

from looplab.checks import (Function, StudentError, as_float_list, as_pair, assert_tensor, assert_trajectory, describe,
                            expect, expect_raises, fail, kind, points, unfinished)

from .runs import one_thread, problem, torch_name, torch_step
from .sims import TRAIN, train_losses

NAME = "train_mlp_with"


def step_function(reference, task: str) -> Function:
    """The reference's step function, sent to the student process as source."""
    return Function("from torch import Tensor\n\n" + inspect.getsource(getattr(reference, task)), task)


def read(result, layers0: list, epochs: int, *, strict: bool = False) -> tuple[list, list[float]]:
    layers, losses = as_pair(result, NAME, "(layers, losses)")
    losses = as_float_list(losses, f"{NAME}'s losses", strict=strict)
    expect(len(losses) == epochs, f"{NAME} returned {len(losses)} losses for epochs={epochs}; expected one per epoch")
    if not isinstance(layers, (list, tuple)) or len(layers) != len(layers0):
        fail(f"{NAME} returned {kind(layers)} as its layers; expected a list of {len(layers0)} (W, b) tuples")
    out = []
    for k, (layer, (W0, b0)) in enumerate(zip(layers, layers0), 1):
        W, b = as_pair(layer, f"{NAME}'s layer {k}", "(W, b)")
        for what, t, t0 in (("W", W, W0), ("b", b, b0)):
            if not isinstance(t, torch.Tensor) or t.shape != t0.shape or t.dtype != t0.dtype:
                got = f"{t.dtype} tensor of shape {tuple(t.shape)}" if isinstance(t, torch.Tensor) else kind(t)
                fail(f"{NAME}'s layer {k} {what} is a {got}; expected a {t0.dtype} tensor of shape "
                     f"{tuple(t0.shape)}, like layers0's")
        out.append((W.detach(), b.detach()))
    return out, losses


def expect_torch_loop(student, reference, task: str, hyper: dict, *, seed: int, widths: list[int],
                      activation: str, epochs: int, dtype: torch.dtype, record=None) -> None:
    X, y, layers0 = problem(60, widths, seed, dtype)
    against = f"the same loop with torch.optim.{torch_name(task, hyper)}"
    setting = describe(step=task, **hyper, activation=activation, epochs=epochs,
                       widths=" -> ".join(map(str, widths)), dtype=str(dtype).replace("torch.", ""))
    tight = dtype == torch.float64
    rtol, atol = (1e-8, 1e-10) if tight else (2e-4, 1e-6)
    got_layers, got = read(student.call(NAME, X, y, layers0, activation, epochs, step_function(reference, task),
                                        hyper, global_seed=1)["result"], layers0, epochs)
    with one_thread():
        want_layers, want = reference.train_mlp_with(X, y, layers0, activation, epochs, torch_step(task, hyper), hyper)
    if record is not None:
        record(NAME, f"{NAME} ({setting})", got, want)

    def diagnose():
        with one_thread():
            return _diagnose()

    def _diagnose():
        for name, message in TRAIN.items():
            try:
                simulated = train_losses(X, y, layers0, activation, epochs, getattr(reference, task), hyper, name)
            except (RuntimeError, ValueError, TypeError):
                continue
            if len(simulated) == len(got) and all(abs(a - b) <= 1e-6 + 1e-4 * abs(b) for a, b in zip(got, simulated)):
                return message
        return None
    assert_trajectory(got, want, what=NAME, setting=setting, rtol=rtol, atol=atol, against=against,
                      diagnose=diagnose)
    for k, ((W, b), (W_ref, b_ref)) in enumerate(zip(got_layers, want_layers), 1):
        assert_tensor(W, W_ref, what=f"{NAME}'s trained W of layer {k}", setting=setting, rtol=rtol * 10, atol=atol * 10)
        assert_tensor(b, b_ref, what=f"{NAME}'s trained b of layer {k}", setting=setting, rtol=rtol * 10, atol=atol * 10)


@points(NAME, 1)
def test_with_adam_matches_torch_adam(student, reference, record_curve):
    expect_torch_loop(student, reference, "adam_step", {"lr": 0.05}, seed=21, widths=[2, 8, 1],
                      activation="tanh", epochs=60, dtype=torch.float64, record=record_curve)
    expect_torch_loop(student, reference, "adam_step", {"lr": 0.02, "weight_decay": 0.1, "decoupled": True},
                      seed=22, widths=[2, 6, 4, 1], activation="relu", epochs=40, dtype=torch.float64)


@points(NAME, 0.5)
def test_with_momentum_and_rmsprop_in_float32(student, reference):
    expect_torch_loop(student, reference, "sgd_momentum_step", {"lr": 0.2, "momentum": 0.9, "nesterov": True},
                      seed=23, widths=[2, 8, 1], activation="tanh", epochs=40, dtype=torch.float32)
    expect_torch_loop(student, reference, "rmsprop_step", {"lr": 0.01, "alpha": 0.9}, seed=24,
                      widths=[2, 5, 1], activation="sigmoid", epochs=30, dtype=torch.float32)


@points(NAME, 0.5)
def test_zero_epochs_plain_floats_and_inputs_unchanged(student, reference):
    X, y, layers0 = problem(30, [2, 4, 1], 25, torch.float32)
    step = step_function(reference, "adam_step")
    layers, _ = read(student.call(NAME, X, y, layers0, "tanh", 0, step, {"lr": 0.1})["result"], layers0, 0)
    for k, ((W, b), (W0, b0)) in enumerate(zip(layers, layers0), 1):
        expect(torch.equal(W, W0) and torch.equal(b, b0),
               f"{NAME} with epochs=0 changed layer {k}; zero epochs train nothing (expected layers0's values)")
    reply = student.call(NAME, X, y, layers0, "tanh", 3, step, {"lr": 0.1}, return_args=True)
    read(reply["result"], layers0, 3, strict=True)
    X_after, y_after, layers_after = reply["args_after"][:3]
    expect(torch.equal(X_after, X) and torch.equal(y_after, y), f"{NAME} changed X or y in place; never modify an argument")
    for k, ((W, b), (W0, b0)) in enumerate(zip(layers_after, layers0), 1):
        expect(torch.equal(W.detach(), W0) and torch.equal(b.detach(), b0),
               f"{NAME} changed layers0 in place (layer {k}): train on copies, "
               f"W.detach().clone().requires_grad_(True), so the caller's layers stay as they were")


@points(NAME, 0.5)
def test_no_randomness_and_bad_input(student, reference):
    X, y, layers0 = problem(30, [2, 5, 1], 26, torch.float32)
    step = step_function(reference, "adam_step")
    runs = [read(student.call(NAME, X, y, layers0, "relu", 4, step, {"lr": 0.05}, global_seed=s)["result"],
                 layers0, 4)[1] for s in (1, 2)]
    expect(runs[0] == runs[1], f"{NAME} gave different losses when only the global random seed changed: it "
                               f"must use no randomness (start from layers0)")
    expect_raises(student, NAME, (X, y, layers0, "relu", -1, step, {"lr": 0.05}), "ValueError",
                  setting="epochs=-1", hint="epochs must be at least 0")
    expect_raises(student, NAME, (X, y[:, 0], layers0, "relu", 2, step, {"lr": 0.05}), "ValueError",
                  setting="y of shape (30,)", hint="y must have shape (N, 1)")


def probe_step(params, grads, state, lr, shapes):
    """A plain gradient step that refuses params in any other order or layout than the contract's."""
    got = [list(p.shape) for p in params]
    if got != shapes:
        raise ValueError(f"probe: params have shapes {got}, expected {shapes}")
    if any(g is None or list(g.shape) != s for g, s in zip(grads, shapes)):
        raise ValueError("probe: grads do not match params")
    state["calls"] = state.get("calls", 0) + 1
    with torch.no_grad():
        for p, g in zip(params, grads):
            p -= lr * g


@points(NAME, 0.5)
def test_step_gets_params_in_order_and_every_hyperparameter(student, reference):
    X, y, layers0 = problem(30, [2, 5, 3, 1], 27, torch.float32)
    shapes = [list(t.shape) for layer in layers0 for t in layer]
    setting = "layers 2 -> 5 -> 3 -> 1, a step function taking (params, grads, state, lr, shapes)"
    try:
        result = student.call(NAME, X, y, layers0, "tanh", 3, Function(inspect.getsource(probe_step), "probe_step"),
                              {"lr": 0.1, "shapes": shapes})["result"]
    except StudentError as err:
        if unfinished(err):
            raise
        fail(f"{NAME} ({setting}) failed: {err.message}. step must get params = [W_1, b_1, ..., W_L, b_L] "
             f"(shapes {shapes}), grads = [p.grad for p in params], and every entry of hyper as a keyword "
             f"(step(params, grads, state, **hyper))")
    _, losses = read(result, layers0, 3)
    _, want = reference.train_mlp_with(X, y, layers0, "tanh", 3, probe_step, {"lr": 0.1, "shapes": shapes})
    assert_trajectory(losses, want, what=NAME, setting=setting, rtol=1e-4, atol=1e-6)
