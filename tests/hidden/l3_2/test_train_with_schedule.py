"""Hidden checks for `train_with_schedule`: given PyTorch's rates for a schedule (sent as a
function of the step, so a fault in the student's lr_at never costs points here), its losses,
rates and trained layers equal PyTorch's own loop (torch.optim.SGD with the matching
torch.optim.lr_scheduler, stepped after the optimiser); an annealed rate ends far below a
constant one; then the contract."""

from __future__ import annotations

import torch

from looplab.checks import (as_float_list, assert_tensor, assert_trajectory, describe, expect,
                            expect_raises, fail, gen, kind, likely, points)

from .loops import TRAIN, full_loss, problem, schedule_function, torch_loop
from .schedules import rates_agree, torch_rates

NAME = "train_with_schedule"


def read(result, layers0: list, steps: int, *, strict: bool = False) -> tuple[list, list[float], list[float]]:
    """(layers, losses, lrs) in the contract's form, or a failure that says what is off."""
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(f"{NAME} returned a {kind(result)}; the contract asks for a tuple (layers, losses, lrs)")
    layers, losses, lrs = result
    losses = as_float_list(losses, f"{NAME}'s losses", strict=strict)
    lrs = as_float_list(lrs, f"{NAME}'s lrs", strict=strict)
    expect(len(losses) == steps and len(lrs) == steps,
           f"{NAME} returned {len(losses)} losses and {len(lrs)} rates for steps={steps}; expected one "
           f"of each per update (a step is one update, not one pass over the data)")
    if not isinstance(layers, (list, tuple)) or len(layers) != len(layers0):
        fail(f"{NAME} returned {kind(layers)} as its layers; expected a list of {len(layers0)} (W, b) tuples")
    out = []
    for k, (layer, (W0, b0)) in enumerate(zip(layers, layers0), 1):
        if not isinstance(layer, (tuple, list)) or len(layer) != 2:
            fail(f"{NAME}'s layer {k} is a {kind(layer)}; expected a tuple (W, b)")
        for what, t, t0 in (("W", layer[0], W0), ("b", layer[1], b0)):
            if not isinstance(t, torch.Tensor) or t.shape != t0.shape or t.dtype != t0.dtype:
                got = f"{t.dtype} tensor of shape {tuple(t.shape)}" if isinstance(t, torch.Tensor) else kind(t)
                fail(f"{NAME}'s layer {k} {what} is a {got}; expected a {t0.dtype} tensor of shape "
                     f"{tuple(t0.shape)}, like layers0's")
        out.append((layer[0].detach(), layer[1].detach()))
    return out, losses, lrs


def expect_torch_loop(student, reference, schedule: dict, *, n: int, seed: int, widths: list[int],
                      steps: int, batch_size: int, record=None) -> None:
    X, y, layers0 = problem(reference, n, seed, widths)
    setting = describe(**schedule, N=n, widths=" -> ".join(map(str, widths)), steps=steps,
                       batch_size=batch_size)
    against = "PyTorch's loop (torch.optim.SGD, optimizer.step() then scheduler.step())"
    result = student.call(NAME, X, y, layers0, schedule_function(schedule, steps), steps, batch_size,
                          gen(seed + 2), global_seed=7)["result"]
    got_layers, got, got_lrs = read(result, layers0, steps)
    want_layers, want, want_lrs = torch_loop(X, y, layers0, schedule, steps, batch_size, seed + 2)
    if record is not None:
        record(NAME, f"{NAME} ({setting})", got, want)
    listed = torch_rates(schedule, steps + 1)
    rates = lambda t: listed[min(t, steps)]  # noqa: E731 - as schedule_function sends it

    def diagnose():
        return TRAIN.diagnose(got, tuple(TRAIN.messages), X=X, y=y, layers0=layers0, rate=rates,
                              steps=steps, batch_size=batch_size, seed=seed + 2)
    if not rates_agree(got_lrs, want_lrs):
        t = next(i for i, (g, w) in enumerate(zip(got_lrs, want_lrs)) if not rates_agree([g], [w]))
        fail(f"{NAME}: update {t} used the rate {got_lrs[t]:.6g}; lr_of_step({t}) is {want_lrs[t]:.6g}, "
             f"the rate PyTorch's scheduler holds at update {t} ({setting})" + likely(diagnose()))
    assert_trajectory(got, want, what=NAME, setting=setting, rtol=1e-4, atol=1e-6, against=against,
                      unit="update", diagnose=diagnose)
    for k, ((W, b), (W_ref, b_ref)) in enumerate(zip(got_layers, want_layers), 1):
        assert_tensor(W, W_ref, what=f"{NAME}'s trained W of layer {k}", setting=setting, rtol=1e-3, atol=1e-4)
        assert_tensor(b, b_ref, what=f"{NAME}'s trained b of layer {k}", setting=setting, rtol=1e-3, atol=1e-4)


@points(NAME, 1.5)
def test_cosine_run_is_pytorchs_loop(student, reference, record_curve):
    expect_torch_loop(student, reference, {"kind": "cosine", "lr": 2.0, "T_max": 30, "eta_min": 0.01},
                      n=60, seed=1, widths=[2, 8, 1], steps=30, batch_size=16, record=record_curve)


@points(NAME, 1)
def test_warmup_and_step_runs_are_pytorchs_loop(student, reference):
    expect_torch_loop(student, reference, {"kind": "warmup_cosine", "lr": 3.0, "warmup_steps": 6,
                                           "start_factor": 0.1, "T_max": 18, "eta_min": 0.0},
                      n=50, seed=3, widths=[2, 6, 4, 1], steps=24, batch_size=8)
    # a batch larger than the data: every pass is one full batch
    expect_torch_loop(student, reference, {"kind": "step", "lr": 1.5, "step_size": 4, "gamma": 0.5},
                      n=30, seed=5, widths=[2, 5, 1], steps=13, batch_size=64)


@points(NAME, 1)
def test_annealed_rate_ends_far_below_the_same_constant_rate(student, reference):
    X, y, layers0 = problem(reference, 200, 11, [2, 16, 1])
    lr, steps, batch_size = 8.0, 200, 16
    setting = describe(N=200, widths="2 -> 16 -> 1", lr=lr, steps=steps, batch_size=batch_size)
    final = {}
    for label, schedule in (("constant", {"kind": "constant", "lr": lr}),
                            ("cosine", {"kind": "cosine", "lr": lr, "T_max": steps, "eta_min": 0.0})):
        result = student.call(NAME, X, y, layers0, schedule_function(schedule, steps), steps, batch_size,
                              gen(13))["result"]
        final[label] = full_loss(X, y, read(result, layers0, steps)[0])
    expect(final["cosine"] < 0.5 * final["constant"],
           f"{NAME}: the full-data loss after cosine annealing from lr={lr} is {final['cosine']:.4g}, after "
           f"the constant rate {lr} it is {final['constant']:.4g}; annealing should end below half the "
           f"constant rate's loss ({setting}): at a rate this high the constant run keeps bouncing, and "
           f"the annealed one settles only if each update uses its own step's rate")


@points(NAME, 0.5)
def test_zero_steps_plain_floats_and_inputs_unchanged(student, reference):
    X, y, layers0 = problem(reference, 40, 7, [2, 4, 1])
    schedule = schedule_function({"kind": "exponential", "lr": 0.5, "gamma": 0.9}, 5)
    layers, losses, lrs = read(student.call(NAME, X, y, layers0, schedule, 0, 8, gen(1))["result"], layers0, 0)
    for k, ((W, b), (W0, b0)) in enumerate(zip(layers, layers0), 1):
        expect(torch.equal(W, W0) and torch.equal(b, b0),
               f"{NAME} with steps=0 changed layer {k}; zero steps train nothing (expected layers0's values)")
    reply = student.call(NAME, X, y, layers0, schedule, 5, 8, gen(1), return_args=True)
    read(reply["result"], layers0, 5, strict=True)
    X_after, y_after, layers_after = reply["args_after"][:3]
    expect(torch.equal(X_after, X) and torch.equal(y_after, y), f"{NAME} changed X or y in place; never modify an argument")
    for k, ((W, b), (W0, b0)) in enumerate(zip(layers_after, layers0), 1):
        expect(torch.equal(W.detach(), W0) and torch.equal(b.detach(), b0),
               f"{NAME} changed layers0 in place (layer {k}): train on copies, "
               f"W.detach().clone().requires_grad_(True), so the caller's layers stay as they were")


@points(NAME, 0.5)
def test_randomness_only_from_the_generator(student, reference):
    X, y, layers0 = problem(reference, 40, 9, [2, 5, 1])
    schedule = schedule_function({"kind": "cosine", "lr": 1.0, "T_max": 10, "eta_min": 0.0}, 10)
    runs = [read(student.call(NAME, X, y, layers0, schedule, 10, 8, gen(4), global_seed=s)["result"],
                 layers0, 10)[1] for s in (1, 2)]
    expect(runs[0] == runs[1], f"{NAME} gave different losses for the same generator when only the global "
                               f"random seed changed: draw the batches with torch.randperm(N, generator=generator)")


@points(NAME, 0.5)
def test_bad_input_raises_value_error(student, reference):
    X, y, layers0 = problem(reference, 30, 13, [2, 3, 1])
    schedule = schedule_function({"kind": "constant", "lr": 0.1}, 5)
    expect_raises(student, NAME, (X, y, layers0, schedule, -1, 8, gen(0)), "ValueError",
                  setting="steps=-1", hint="steps must be at least 0")
    expect_raises(student, NAME, (X, y, layers0, schedule, 3, 0, gen(0)), "ValueError",
                  setting="batch_size=0", hint="batch_size must be at least 1")
