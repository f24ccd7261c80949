"""Hidden checks for `train_mlp`, including the lesson's equivalence: the penalty
lambda/2 * |W|^2 in the loss gives the trajectory of torch.optim.SGD(weight_decay=lambda)
on the weight matrices, with the biases left undecayed."""

from __future__ import annotations

import torch

from looplab.checks import (as_float_list, as_pair, as_tensor, assert_tensor, assert_trajectory,
                            describe, expect, expect_raises, fail, fresh, gen, points)

from .data import GLOBAL_SEED, make_problem
from .sim import TRAIN, TRAIN_PARAMS, params_close

NAMES = ["no_half", "biases_decayed", "penalty_not_recorded", "penalty_mean", "decay_w1_only",
         "no_zero_grad", "no_dropout", "unscaled_dropout"]
PARAM_NAMES = ["W1", "b1", "W2", "b2"]


def read(result, params0, what: str = "train_mlp") -> tuple[list, list[float]]:
    """(params, losses) from the student's result, checked against the contract's types."""
    params, losses = as_pair(result, what, "(params, losses)")
    if not isinstance(params, (list, tuple)) or len(params) != 4:
        fail(f"{what} returned params of type {type(params).__name__}"
             f"{' of length ' + str(len(params)) if isinstance(params, (list, tuple)) else ''}; "
             f"the contract asks for a list [W1, b1, W2, b2]")
    out = [as_tensor(t, f"{what}'s {name}", shape=tuple(t0.shape), dtype=torch.float32)
           for t, t0, name in zip(params, params0, PARAM_NAMES)]
    return out, as_float_list(losses, f"{what}'s losses", strict=True)


def run(student, X, y, params0, epochs, lr, wd, p, seed, **kwargs):
    reply = student.call("train_mlp", X, y, params0, epochs, lr, wd, p, gen(seed),
                         global_seed=kwargs.pop("global_seed", GLOBAL_SEED), **kwargs)
    return read(reply["result"], params0), reply


def expect_reference(student, reference, *, n, d_in, hidden, d_out, epochs, lr, wd, p, seed,
                     record=None) -> None:
    X, y, params0 = make_problem(n, d_in, hidden, d_out, seed)
    (params, losses), _ = run(student, X, y, params0, epochs, lr, wd, p, seed + 1)
    want_params, want_losses = reference.train_mlp(X, y, fresh(params0), epochs, lr, wd, p, gen(seed + 1))
    if record is not None:
        record("train_mlp", f"train_mlp objective (lambda={wd}, p={p})", losses, want_losses)
    setting = describe(N=n, d_in=d_in, hidden=hidden, d_out=d_out, epochs=epochs, lr=lr,
                       weight_decay=wd, p=p)
    sim = dict(X=X, y=y, params0=params0, epochs=epochs, lr=lr, weight_decay=wd, p=p,
               generator=gen(seed + 1))
    assert_trajectory(losses, want_losses, what="train_mlp's recorded objective", setting=setting,
                      rtol=2e-4, atol=1e-6, diagnose=lambda: TRAIN.diagnose(losses, NAMES, **sim))
    for name, got, want in zip(PARAM_NAMES, params, want_params):
        assert_tensor(got, want, what=f"train_mlp's trained {name}", setting=setting, rtol=2e-4,
                      atol=1e-5, diagnose=lambda: TRAIN_PARAMS.diagnose(
                          params, NAMES, same=params_close, **sim))


@points("train_mlp", 1)
def test_matches_reference_plain_gradient_descent(student, reference, record_curve):
    expect_reference(student, reference, n=40, d_in=5, hidden=16, d_out=1, epochs=30, lr=0.1,
                     wd=0.0, p=0.0, seed=1, record=record_curve)


@points("train_mlp", 1)
def test_matches_reference_with_weight_decay(student, reference):
    expect_reference(student, reference, n=32, d_in=4, hidden=12, d_out=2, epochs=25, lr=0.05,
                     wd=0.3, p=0.0, seed=2)


def _sgd_weight_decay(X, y, params0, epochs, lr, wd) -> list:
    """torch.optim.SGD with weight_decay on W1 and W2, none on the biases, on the plain mse."""
    params = [t.clone().requires_grad_(True) for t in params0]
    W1, b1, W2, b2 = params
    opt = torch.optim.SGD([{"params": [W1, W2], "weight_decay": wd},
                           {"params": [b1, b2], "weight_decay": 0.0}], lr=lr)
    for _ in range(epochs):
        opt.zero_grad()
        ((torch.relu(X @ W1 + b1) @ W2 + b2 - y) ** 2).mean().backward()
        opt.step()
    return [t.detach() for t in params]


@points("train_mlp", 1.5)
def test_l2_penalty_equals_sgd_weight_decay(student):
    """The lesson's equivalence, with torch itself as the oracle."""
    for wd, lr, epochs in [(0.1, 0.1, 40), (1.0, 0.05, 20)]:
        X, y, params0 = make_problem(36, 6, 10, 1, seed=3)
        (params, _), _ = run(student, X, y, params0, epochs, lr, wd, 0.0, 0)
        want = _sgd_weight_decay(X, y, params0, epochs, lr, wd)
        setting = describe(N=36, d_in=6, hidden=10, epochs=epochs, lr=lr, weight_decay=wd, p=0)
        sim = dict(X=X, y=y, params0=params0, epochs=epochs, lr=lr, weight_decay=wd, p=0.0, generator=gen(0))
        for name, got, w in zip(PARAM_NAMES, params, want):
            assert_tensor(got, w, what=f"train_mlp's {name}, against torch.optim.SGD(weight_decay="
                                       f"{wd}) on W1 and W2 (0 on the biases)",
                          setting=setting + "; lambda/2 * |W|^2 in the loss adds lambda * W to the "
                                            "gradient, which is exactly SGD's weight_decay",
                          rtol=2e-4, atol=1e-5,
                          diagnose=lambda: TRAIN_PARAMS.diagnose(params, NAMES, same=params_close, **sim))


@points("train_mlp", 1)
def test_biases_are_not_decayed(student):
    """With zero inputs the weights get no data gradient through W1, and large biases would
    shrink by a factor (1 - lr * lambda) per epoch if they were decayed."""
    X = torch.zeros(10, 3)
    y = torch.full((10, 1), 2.0)
    g = gen(7)
    params0 = [torch.randn(3, 4, generator=g), torch.full((4,), 1.5), 0.5 * torch.randn(4, 1, generator=g),
               torch.full((1,), 2.0)]
    (params, _), _ = run(student, X, y, params0, 10, 0.1, 0.5, 0.0, 0)
    want = _sgd_weight_decay(X, y, params0, 10, 0.1, 0.5)
    setting = describe(X="zeros (10, 3)", y="all 2.0", b1="all 1.5", b2=2.0, epochs=10, lr=0.1,
                       weight_decay=0.5, p=0)
    for name, i in [("b1", 1), ("b2", 3)]:
        if not torch.allclose(params[i], want[i], rtol=1e-4, atol=1e-5):
            fail(f"train_mlp's trained {name} is {params[i].flatten()[0].item():.5g}..., expected "
                 f"{want[i].flatten()[0].item():.5g}... ({setting})\nlikely mistake: "
                 + TRAIN.messages["biases_decayed"])
    expect(torch.allclose(params[0], want[0], rtol=1e-4, atol=1e-5),
           f"train_mlp's W1 should only shrink by (1 - lr * lambda) per epoch here ({setting}); "
           f"it did not: is W1 decayed, with lambda/2 * sum of W1**2 in the objective?")


@points("train_mlp", 1)
def test_dropout_masks_match_reference(student, reference):
    expect_reference(student, reference, n=30, d_in=4, hidden=20, d_out=1, epochs=15, lr=0.05,
                     wd=0.05, p=0.4, seed=4)


@points("train_mlp", 0.5)
def test_randomness_only_from_the_generator(student):
    X, y, params0 = make_problem(20, 3, 8, 1, seed=5)
    (_, a), _ = run(student, X, y, params0, 6, 0.05, 0.0, 0.5, 9, global_seed=1)
    (_, b), _ = run(student, X, y, params0, 6, 0.05, 0.0, 0.5, 9, global_seed=2)
    expect(a == b, "train_mlp with p=0.5 gave different losses for the same generator seed when "
                   "the global seed changed: draw the dropout masks only from `generator`")


@points("train_mlp", 0.5)
def test_zero_epochs_and_inputs_unchanged(student):
    X, y, params0 = make_problem(12, 3, 5, 1, seed=6)
    (params, losses), _ = run(student, X, y, params0, 0, 0.1, 0.1, 0.2, 0)
    expect(losses == [], f"train_mlp with epochs=0 returned losses {losses!r:.60}; expected []")
    expect(all(torch.equal(a, b) for a, b in zip(params, params0)),
           "train_mlp with epochs=0 should return copies of params0 unchanged")
    reply = student.call("train_mlp", X, y, params0, 3, 0.1, 0.1, 0.2, gen(0), return_args=True)
    X_after, y_after, params_after = reply["args_after"][:3]
    changed = [name for name, before, after in [("X", X, X_after), ("y", y, y_after)]
               if not torch.equal(before, after)]
    if isinstance(params_after, (list, tuple)):
        changed += [f"params0[{i}] ({n})" for i, (n, before, after)
                    in enumerate(zip(PARAM_NAMES, params0, params_after)) if not torch.equal(before, after)]
    expect(not changed, f"train_mlp changed {', '.join(changed)} in place; train on copies such as "
                        f"[t.detach().clone().requires_grad_(True) for t in params0]")


@points("train_mlp", 1)
def test_rejects_bad_weight_decay_and_p(student):
    X, y, params0 = make_problem(8, 2, 3, 1, seed=8)
    expect_raises(student, "train_mlp", (X, y, params0, 2, 0.1, -0.1, 0.0, gen(0)), "ValueError",
                  setting="weight_decay=-0.1", hint="a negative lambda would reward large weights")
    for p in (1.0, -0.2):
        expect_raises(student, "train_mlp", (X, y, params0, 2, 0.1, 0.0, p, gen(0)), "ValueError",
                      setting=f"p={p}", hint="the dropout probability must be in [0, 1)")
