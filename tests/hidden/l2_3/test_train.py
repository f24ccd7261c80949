"""Hidden checks for `train`: forward, loss, backward and update in one full-batch loop."""

import math

import torch

from looplab.checks import (as_float_list, assert_not_much_slower, assert_tensor, assert_trajectory,
                            diagnose, expect, expect_raises, expect_unchanged, fail, gen, loosely_same,
                            points)

from .model import NAMES, TRAIN_MISTAKES, in_inference_mode, network, read_tensors, shapes, simulate_train

LOOP_HINT = ("likely mistake: a Python loop over the samples; each epoch is one forward and one backward "
             "pass on the whole of X")
TARGET_ACCURACY = 0.95


def _spiral(reference, n_per_class: int, h: int, seed: int):
    g = gen(seed)
    X, y = reference.make_spiral(n_per_class, 3, 0.2, g)
    return X, y, reference.init_params(2, h, 3, g)


def _settings(reference):
    yield _spiral(reference, 20, 6, 1), 30, 0.5, "a 3-class spiral of 60 points"
    yield network(25, 4, 7, 2, 2), 20, 0.3, "random data"


def _run(student, X, y, params, epochs, lr, what="train"):
    result = student.call("train", X, y, *params, epochs, lr)["result"]
    return _read(result, params, what)


def _read(result, params, what):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{what} returned a {type(result).__name__}; the contract asks for a tuple (losses, (W1, b1, W2, b2))")
    losses = as_float_list(result[0], what, strict=True)
    return losses, read_tensors(result[1], f"{what} (final parameters)", params, NAMES)


@points("train", 1.5)
def test_losses_match_reference(student, reference, record_curve):
    for (X, y, params), epochs, lr, data in _settings(reference):
        setting = f"{data}, {shapes(X, params)}, epochs={epochs}, lr={lr}"
        got, _ = _run(student, X, y, params, epochs, lr)
        want, _ = reference.train(X, y, *params, epochs, lr)
        record_curve("train", f"train ({setting})", got, want)
        assert_trajectory(got, want, what="train", setting=setting, rtol=1e-7, atol=1e-10, diagnose=lambda: diagnose(
            got, ((msg, (lambda m=m: simulate_train(X, y, params, epochs, lr, m))) for m, msg in TRAIN_MISTAKES.items()),
            same=loosely_same))


@points("train", 0.5)
def test_final_parameters_match_reference(student, reference):
    (X, y, params), epochs, lr, data = next(_settings(reference))
    _, got = _run(student, X, y, params, epochs, lr)
    _, want = reference.train(X, y, *params, epochs, lr)
    for name, a, b in zip(NAMES, got, want):
        assert_tensor(a, b, what=f"train's final {name}", rtol=1e-7, atol=1e-10,
                      setting=f"{data}, {shapes(X, params)}, epochs={epochs}, lr={lr}")


@points("train", 1)
def test_reaches_target_accuracy_on_spiral(student, reference):
    X, y, params = _spiral(reference, 80, 32, 5)
    losses, trained = _run(student, X, y, params, 300, 1.0)
    accuracy = (reference.forward(X, *trained)[1].argmax(dim=1) == y).double().mean().item()
    expect(accuracy >= TARGET_ACCURACY,
           f"after train on a 3-class spiral of 240 points (h=32, epochs=300, lr=1.0) the network classifies "
           f"{accuracy:.1%} of the points correctly; at least {TARGET_ACCURACY:.0%} is expected (the reference "
           f"reaches about 99%). Loss went from {losses[0]:.4g} to {losses[-1]:.4g}" if losses else
           f"train returned no losses for 300 epochs")


@points("train", 0.5)
def test_runs_without_autograd(student, reference):
    (X, y, params), epochs, lr, data = next(_settings(reference))
    got, _ = _read(in_inference_mode(student, "train", X, y, *params, 5, lr), params,
                   "train inside torch.inference_mode()")
    want, _ = reference.train(X, y, *params, 5, lr)
    assert_trajectory(got, want, what="train inside torch.inference_mode()", rtol=1e-7, atol=1e-10,
                      setting=f"{data}, epochs=5, lr={lr}")


@points("train", 0.5)
def test_zero_epochs_inputs_unchanged_and_errors(student, reference):
    X, y, params = network(12, 3, 4, 3, 7)
    reply = expect_unchanged(student, "train", (X, y, *params, 3, 0.5), ["X", "y", *NAMES])
    losses, _ = _read(reply["result"], params, "train")
    expect(len(losses) == 3, f"train with epochs=3 returned {len(losses)} losses; expected 3, one per epoch")
    empty, same = _read(student.train(X, y, *params, 0, 0.5), params, "train with epochs=0")
    expect(empty == [], f"train with epochs=0 returned losses {empty!r:.60}; expected []")
    expect(all(torch.equal(a, b) for a, b in zip(same, params)),
           "train with epochs=0 should return the starting parameters unchanged")
    again = student.call("train", X, y, *params, 3, 0.5, global_seed=99)["result"]
    expect(as_float_list(again[0], "train") == losses,
           "train gave different losses when the global random seed changed: it must use no randomness")
    expect_raises(student, "train", (X, y, *params, -1, 0.5), "ValueError", setting="epochs=-1",
                  hint="a negative number of epochs is an error")


@points("train", 1)
def test_not_much_slower_than_reference(student, reference_process, reference):
    def make_args(r):
        X, y, params = _spiral(reference, 1000, 32, 200 + r)
        return (X, y, *params, 10, 0.5)
    assert_not_much_slower(student, reference_process, "train", make_args,
                           workload="a 3000-point spiral, h=32, 10 epochs", hint=LOOP_HINT)
