"""Hidden checks for `train_mlp`, including the lesson's equivalence: the penalty
lambda/2 * |W|^2 in the loss gives the trajectory of torch.optim.SGD(weight_decay=lambda)
on the weight matrices, with the biases left undecayed."""

from __future__ import annotations

import torch

from looplab.checks import (as_float_list, as_pair, as_tensor, assert_tensor, assert_trajectory,
                            describe, expect, expect_raises, fail, fresh, gen, points)

from .data import GLOBAL_SEED, flat, make_problem, names
from .sim import TRAIN, TRAIN_LAYERS, layers_close

NAMES = ["no_half", "biases_decayed", "penalty_not_recorded", "penalty_mean", "decay_w1_only",
         "no_zero_grad", "no_dropout", "unscaled_dropout", "dropout_on_output"]


def read(result, layers0, what: str = "train_mlp") -> tuple[list, list[float]]:
    """(layers, losses) from the student's result, checked against the contract's types; the
    layers come back flat, [W_1, b_1, W_2, b_2, ...]."""
    layers, losses = as_pair(result, what, "(layers, losses)")
    shape = f"a list of {len(layers0)} (W, b) pairs, like layers0"
    if not isinstance(layers, (list, tuple)) or len(layers) != len(layers0):
        fail(f"{what} returned layers of type {type(layers).__name__}"
             f"{' of length ' + str(len(layers)) if isinstance(layers, (list, tuple)) else ''}; "
             f"the contract asks for {shape}, as in lesson 2.1")
    for k, layer in enumerate(layers, 1):
        if not isinstance(layer, (list, tuple)) or len(layer) != 2:
            fail(f"{what} returned layer {k} as {type(layer).__name__}"
                 f"{' of length ' + str(len(layer)) if isinstance(layer, (list, tuple)) else ''}; "
                 f"the contract asks for {shape}: each layer a (W, b) tuple")
    out = [as_tensor(t, f"{what}'s {name}", shape=tuple(t0.shape), dtype=torch.float32)
           for t, t0, name in zip(flat(layers), flat(layers0), names(layers0))]
    return out, as_float_list(losses, f"{what}'s losses", strict=True)


def run(student, X, y, layers0, epochs, lr, wd, p, seed, **kwargs):
    reply = student.call("train_mlp", X, y, layers0, epochs, lr, wd, p, gen(seed),
                         global_seed=kwargs.pop("global_seed", GLOBAL_SEED), **kwargs)
    return read(reply["result"], layers0), reply


def pairs(tensors: list) -> list:
    """[(W_1, b_1), ...] from the flat [W_1, b_1, ...] that `read` returns."""
    return list(zip(tensors[0::2], tensors[1::2]))


def expect_reference(student, reference, *, n, sizes, epochs, lr, wd, p, seed, record=None) -> None:
    X, y, layers0 = make_problem(n, sizes, seed)
    (got, losses), _ = run(student, X, y, layers0, epochs, lr, wd, p, seed + 1)
    want_layers, want_losses = reference.train_mlp(X, y, fresh(layers0), epochs, lr, wd, p, gen(seed + 1))
    if record is not None:
        record("train_mlp", f"train_mlp objective (lambda={wd}, p={p})", losses, want_losses)
    setting = describe(N=n, sizes=sizes, epochs=epochs, lr=lr, weight_decay=wd, p=p)
    sim = dict(X=X, y=y, layers0=layers0, epochs=epochs, lr=lr, weight_decay=wd, p=p,
               generator=gen(seed + 1))
    assert_trajectory(losses, want_losses, what="train_mlp's recorded objective", setting=setting,
                      rtol=2e-4, atol=1e-6, diagnose=lambda: TRAIN.diagnose(losses, NAMES, **sim))
    for name, t, want in zip(names(layers0), got, flat(want_layers)):
        assert_tensor(t, want, what=f"train_mlp's trained {name}", setting=setting, rtol=2e-4,
                      atol=1e-5, diagnose=lambda: TRAIN_LAYERS.diagnose(
                          pairs(got), NAMES, same=layers_close, **sim))


@points("train_mlp", 1)
def test_matches_reference_plain_gradient_descent(student, reference, record_curve):
    expect_reference(student, reference, n=40, sizes=[5, 16, 1], epochs=30, lr=0.1,
                     wd=0.0, p=0.0, seed=1, record=record_curve)


@points("train_mlp", 1)
def test_matches_reference_with_weight_decay(student, reference):
    expect_reference(student, reference, n=32, sizes=[4, 12, 2], epochs=25, lr=0.05,
                     wd=0.3, p=0.0, seed=2)


def _sgd_weight_decay(X, y, layers0, epochs, lr, wd) -> list:
    """torch.optim.SGD with weight_decay on every W, none on the biases, on the plain mse;
    returns the flat [W_1, b_1, W_2, b_2, ...]."""
    layers = [(W.clone().requires_grad_(True), b.clone().requires_grad_(True)) for W, b in layers0]
    opt = torch.optim.SGD([{"params": [W for W, _ in layers], "weight_decay": wd},
                           {"params": [b for _, b in layers], "weight_decay": 0.0}], lr=lr)
    for _ in range(epochs):
        opt.zero_grad()
        h = X
        for W, b in layers[:-1]:
            h = torch.relu(h @ W + b)
        W, b = layers[-1]
        ((h @ W + b - y) ** 2).mean().backward()
        opt.step()
    return [t.detach() for t in flat(layers)]


@points("train_mlp", 1.5)
def test_l2_penalty_equals_sgd_weight_decay(student):
    """The lesson's equivalence, with torch itself as the oracle."""
    for wd, lr, epochs in [(0.1, 0.1, 40), (1.0, 0.05, 20)]:
        X, y, layers0 = make_problem(36, [6, 10, 1], seed=3)
        (got, _), _ = run(student, X, y, layers0, epochs, lr, wd, 0.0, 0)
        want = _sgd_weight_decay(X, y, layers0, epochs, lr, wd)
        setting = describe(N=36, sizes=[6, 10, 1], epochs=epochs, lr=lr, weight_decay=wd, p=0)
        sim = dict(X=X, y=y, layers0=layers0, epochs=epochs, lr=lr, weight_decay=wd, p=0.0, generator=gen(0))
        for name, t, w in zip(names(layers0), got, want):
            assert_tensor(t, w, what=f"train_mlp's {name}, against torch.optim.SGD(weight_decay="
                                     f"{wd}) on W_1 and W_2 (0 on the biases)",
                          setting=setting + "; lambda/2 * |W|^2 in the loss adds lambda * W to the "
                                            "gradient, which is exactly SGD's weight_decay",
                          rtol=2e-4, atol=1e-5,
                          diagnose=lambda: TRAIN_LAYERS.diagnose(pairs(got), NAMES, same=layers_close,
                                                                 **sim))


@points("train_mlp", 1)
def test_biases_are_not_decayed(student):
    """With zero inputs the weights get no data gradient through W_1, and large biases would
    shrink by a factor (1 - lr * lambda) per epoch if they were decayed."""
    X = torch.zeros(10, 3)
    y = torch.full((10, 1), 2.0)
    g = gen(7)
    layers0 = [(torch.randn(3, 4, generator=g), torch.full((4,), 1.5)),
               (0.5 * torch.randn(4, 1, generator=g), torch.full((1,), 2.0))]
    (got, _), _ = run(student, X, y, layers0, 10, 0.1, 0.5, 0.0, 0)
    want = _sgd_weight_decay(X, y, layers0, 10, 0.1, 0.5)
    setting = describe(X="zeros (10, 3)", y="all 2.0", b_1="all 1.5", b_2=2.0, epochs=10, lr=0.1,
                       weight_decay=0.5, p=0)
    for name, i in [("b_1", 1), ("b_2", 3)]:
        if not torch.allclose(got[i], want[i], rtol=1e-4, atol=1e-5):
            fail(f"train_mlp's trained {name} is {got[i].flatten()[0].item():.5g}..., expected "
                 f"{want[i].flatten()[0].item():.5g}... ({setting})\nlikely mistake: "
                 + TRAIN.messages["biases_decayed"])
    expect(torch.allclose(got[0], want[0], rtol=1e-4, atol=1e-5),
           f"train_mlp's W_1 should only shrink by (1 - lr * lambda) per epoch here ({setting}); "
           f"it did not: is W_1 decayed, with lambda/2 * sum of W_1**2 in the objective?")


@points("train_mlp", 1)
def test_dropout_masks_match_reference(student, reference):
    """One hidden layer, then two: one mask per hidden layer and epoch, first to last, none
    after the last layer."""
    expect_reference(student, reference, n=30, sizes=[4, 20, 1], epochs=15, lr=0.05,
                     wd=0.05, p=0.4, seed=4)
    expect_reference(student, reference, n=24, sizes=[3, 10, 6, 2], epochs=8, lr=0.05,
                     wd=0.1, p=0.3, seed=9)


@points("train_mlp", 0.5)
def test_randomness_only_from_the_generator(student):
    X, y, layers0 = make_problem(20, [3, 8, 1], seed=5)
    (_, a), _ = run(student, X, y, layers0, 6, 0.05, 0.0, 0.5, 9, global_seed=1)
    (_, b), _ = run(student, X, y, layers0, 6, 0.05, 0.0, 0.5, 9, global_seed=2)
    expect(a == b, "train_mlp with p=0.5 gave different losses for the same generator seed when "
                   "the global seed changed: draw the dropout masks only from `generator`")


@points("train_mlp", 0.5)
def test_zero_epochs_and_inputs_unchanged(student):
    X, y, layers0 = make_problem(12, [3, 5, 1], seed=6)
    (got, losses), _ = run(student, X, y, layers0, 0, 0.1, 0.1, 0.2, 0)
    expect(losses == [], f"train_mlp with epochs=0 returned losses {losses!r:.60}; expected []")
    expect(all(torch.equal(a, b) for a, b in zip(got, flat(layers0))),
           "train_mlp with epochs=0 should return copies of layers0 unchanged")
    reply = student.call("train_mlp", X, y, layers0, 3, 0.1, 0.1, 0.2, gen(0), return_args=True)
    X_after, y_after, layers_after = reply["args_after"][:3]
    changed = [name for name, before, after in [("X", X, X_after), ("y", y, y_after)]
               if not torch.equal(before, after)]
    if isinstance(layers_after, (list, tuple)):
        changed += [f"layers0's {n}" for n, before, after
                    in zip(names(layers0), flat(layers0), flat(layers_after)) if not torch.equal(before, after)]
    expect(not changed, f"train_mlp changed {', '.join(changed)} in place; train on copies such as "
                        f"[(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True)) "
                        f"for W, b in layers0]")


@points("train_mlp", 1)
def test_rejects_bad_weight_decay_and_p(student):
    X, y, layers0 = make_problem(8, [2, 3, 1], seed=8)
    expect_raises(student, "train_mlp", (X, y, layers0, 2, 0.1, -0.1, 0.0, gen(0)), "ValueError",
                  setting="weight_decay=-0.1", hint="a negative lambda would reward large weights")
    for p in (1.0, -0.2):
        expect_raises(student, "train_mlp", (X, y, layers0, 2, 0.1, 0.0, p, gen(0)), "ValueError",
                      setting=f"p={p}", hint="the dropout probability must be in [0, 1)")
