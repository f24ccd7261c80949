"""Hidden checks for `lr_range_test`: the reference's geometric ramp, losses, stopping step and
suggestion; its losses are train_with_schedule's on the same ramp (the student's own when it
is right, else the reference's); the suggestion lies in the band the lesson states; the contract."""

from __future__ import annotations

import torch

from looplab.checks import (Function, StudentFault, as_float, as_float_list, assert_trajectory, close,
                            describe, expect, expect_raises, fail, gen, kind, likely, points)

from .loops import RANGE, problem, range_test
from .schedules import rates_agree

NAME = "lr_range_test"
BAND = (0.1, 1.0)  # the band the notebook states for the rings, 2 -> 16 -> 1, batch_size 32


def read(result, *, strict: bool = False) -> tuple[list[float], list[float], float]:
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(f"{NAME} returned a {kind(result)}; the contract asks for a tuple (lrs, losses, suggested)")
    lrs = as_float_list(result[0], f"{NAME}'s lrs", strict=strict)
    losses = as_float_list(result[1], f"{NAME}'s losses", strict=strict)
    suggested = as_float(result[2], f"{NAME}'s suggested rate", strict=strict)
    expect(len(lrs) == len(losses), f"{NAME} returned {len(lrs)} rates but {len(losses)} losses; "
                                    f"expected one of each per update made")
    return lrs, losses, suggested


def expect_reference(student, reference, *, n: int, seed: int, lr_min: float, lr_max: float,
                     steps: int, batch_size: int) -> None:
    X, y, layers0 = problem(reference, n, seed, [2, 16, 1])
    setting = describe(N=n, widths="2 -> 16 -> 1", lr_min=lr_min, lr_max=lr_max, steps=steps,
                       batch_size=batch_size)
    got = read(student.call(NAME, X, y, layers0, lr_min, lr_max, steps, batch_size, gen(seed + 2),
                            global_seed=3)["result"])
    want = reference.lr_range_test(X, y, layers0, lr_min, lr_max, steps, batch_size, gen(seed + 2))

    def diagnose():
        for name, message in RANGE.messages.items():
            try:
                sim = range_test(X, y, layers0, lr_min, lr_max, steps, batch_size, seed + 2, name)
            except (RuntimeError, ValueError, ZeroDivisionError):
                continue
            if (len(sim[0]) == len(got[0]) and rates_agree(got[0], sim[0])
                    and close(got[2], sim[2], 1e-4, 1e-12)):
                return message
        return None
    if len(got[0]) != len(want[0]):
        fail(f"{NAME} made {len(got[0])} updates; expected {len(want[0])}: the run stops after the first step "
             f"whose smoothed loss exceeds 4 times the lowest so far (or is not finite), and otherwise after "
             f"`steps` updates ({setting})" + likely(diagnose()))
    if not rates_agree(got[0], want[0]):
        t = next(i for i, (g, w) in enumerate(zip(got[0], want[0])) if not rates_agree([g], [w]))
        fail(f"{NAME}: update {t} used the rate {got[0][t]:.6g}; expected {want[0][t]:.6g}, "
             f"lr_min * (lr_max / lr_min) ** (t / (steps - 1)) ({setting})" + likely(diagnose()))
    assert_trajectory(got[1], want[1], what=NAME, setting=setting, unit="update", rtol=1e-4, atol=1e-6,
                      diagnose=diagnose)
    if not close(got[2], want[2], 1e-6, 1e-12):
        fail(f"{NAME} suggested {got[2]:.6g}; expected {want[2]:.6g}, the rate at the lowest smoothed loss "
             f"divided by 10 ({setting})" + likely(diagnose()))


@points(NAME, 1)
def test_matches_reference_until_the_loss_blows_up(student, reference):
    expect_reference(student, reference, n=200, seed=1, lr_min=1e-3, lr_max=100.0, steps=150, batch_size=32)


@points(NAME, 0.5)
def test_matches_reference_on_a_gentle_ramp_that_runs_to_the_end(student, reference):
    expect_reference(student, reference, n=60, seed=4, lr_min=1e-2, lr_max=1.0, steps=20, batch_size=16)


def own_or_reference_losses(student, reference, args: tuple, ramp: Function) -> tuple[list[float], str]:
    """train_with_schedule's losses on the ramp: the student's own when they agree with the
    reference's, else the reference's, so a fault there never costs lr_range_test points.
    (The student gets the ramp as source; the reference, in this process, as a function.)"""
    X, y, layers0, steps, batch_size, seed = args
    want = reference.train_with_schedule(X, y, layers0, ramp.build(), steps, batch_size, gen(seed))[1]
    try:
        result = student.call("train_with_schedule", X, y, layers0, ramp, steps, batch_size, gen(seed))["result"]
    except StudentFault:
        return want, "the reference's train_with_schedule (yours failed; its own checks cover that)"
    own = result[1] if isinstance(result, (tuple, list)) and len(result) == 3 else None
    if (isinstance(own, (list, tuple)) and len(own) == len(want)
            and all(isinstance(v, float) and close(v, w, 1e-4, 1e-6) for v, w in zip(own, want))):
        return list(own), "your train_with_schedule"
    return want, "the reference's train_with_schedule (yours differs from it; its own checks cover that)"


@points(NAME, 0.5)
def test_losses_are_train_with_schedule_on_the_same_ramp(student, reference):
    X, y, layers0 = problem(reference, 80, 6, [2, 16, 1])
    lr_min, lr_max, steps, batch_size = 1e-2, 50.0, 40, 16
    lrs, losses, _ = read(student.call(NAME, X, y, layers0, lr_min, lr_max, steps, batch_size, gen(8))["result"])
    ramp = Function(f"def lr_of_step(step):\n    return {lr_min!r} * ({lr_max!r} / {lr_min!r}) ** "
                    f"(step / {steps - 1})\n", "lr_of_step")
    trained, against = own_or_reference_losses(student, reference, (X, y, layers0, steps, batch_size, 8), ramp)
    assert_trajectory(losses, trained[:len(losses)], what=NAME, unit="update", against=against,
                      setting=describe(N=80, lr_min=lr_min, lr_max=lr_max, steps=steps, batch_size=batch_size)
                      + "; the range test is train_with_schedule's loop on a geometric ramp, cut short "
                        "when the loss blows up, so its losses are that run's first ones")


@points(NAME, 1)
def test_suggestion_lies_in_the_stated_band(student, reference):
    for seed in (21, 31):
        X, y, layers0 = problem(reference, 200, seed, [2, 16, 1])
        _, _, suggested = read(student.call(NAME, X, y, layers0, 1e-3, 100.0, 150, 32, gen(seed + 2))["result"])
        expect(BAND[0] <= suggested <= BAND[1],
               f"{NAME} suggested {suggested:.4g} on the rings ({describe(N=200, widths='2 -> 16 -> 1', seed=seed, lr_min=1e-3, lr_max=100.0, steps=150, batch_size=32)}); "
               f"the lesson's band for this problem is [{BAND[0]}, {BAND[1]}]: the rates a constant-rate run "
               f"trains well with, one decade below where the loss stops falling")


@points(NAME, 0.5)
def test_plain_floats_inputs_unchanged_and_randomness_only_from_the_generator(student, reference):
    X, y, layers0 = problem(reference, 40, 17, [2, 4, 1])
    args = (X, y, layers0, 1e-2, 10.0, 12, 8)
    reply = student.call(NAME, *args, gen(5), return_args=True, global_seed=1)
    first = read(reply["result"], strict=True)
    X_after, y_after, layers_after = reply["args_after"][:3]
    expect(torch.equal(X_after, X) and torch.equal(y_after, y)
           and all(torch.equal(W.detach(), W0) and torch.equal(b.detach(), b0)
                   for (W, b), (W0, b0) in zip(layers_after, layers0)),
           f"{NAME} changed X, y or layers0 in place; never modify an argument: train on copies")
    second = read(student.call(NAME, *args, gen(5), global_seed=2)["result"])
    expect(first[1] == second[1], f"{NAME} gave different losses for the same generator when only the global "
                                  f"random seed changed: draw the batches from the generator it is given")


@points(NAME, 0.5)
def test_bad_input_raises_value_error(student, reference):
    X, y, layers0 = problem(reference, 30, 19, [2, 3, 1])
    for (lr_min, lr_max, steps, batch_size), setting, hint in (
            ((1e-3, 1.0, 1, 8), "steps=1", "steps must be at least 2, for a ramp from lr_min to lr_max"),
            ((0.0, 1.0, 10, 8), "lr_min=0", "lr_min must be above 0 (the ramp is geometric)"),
            ((1.0, 0.5, 10, 8), "lr_max=0.5 below lr_min=1.0", "lr_max must exceed lr_min"),
            ((1e-3, 1.0, 10, 0), "batch_size=0", "batch_size must be at least 1")):
        expect_raises(student, NAME, (X, y, layers0, lr_min, lr_max, steps, batch_size, gen(0)), "ValueError",
                      setting=setting, hint=hint)
