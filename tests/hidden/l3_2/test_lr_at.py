"""Hidden checks for `lr_at`: every step's rate equals PyTorch's own scheduler (StepLR,
ExponentialLR, CosineAnnealingLR, LinearLR + SequentialLR) over the whole run, boundaries
included (a decay step, T_max and beyond, the warm-up milestone), then the contract."""

from __future__ import annotations

import math

from looplab.checks import as_float, describe, expect, expect_raises, fail, likely, points

from .schedules import LR_AT, NAMES, TORCH_NAME, rates_agree, student_rates, torch_rates

NAME = "lr_at"


def expect_torch_rates(student, schedule: dict, n: int) -> None:
    """The student's lr_at(schedule, t) for t = 0..n-1 is PyTorch's rate at every step."""
    got = student_rates(student, schedule, n)
    want = torch_rates(schedule, n)
    if rates_agree(got, want):
        return
    setting = describe(**schedule, steps=n)
    t = next(i for i, (g, w) in enumerate(zip(got, want))
             if not math.isclose(g, w, rel_tol=1e-6, abs_tol=1e-12))
    around = ", ".join(f"{got[i]:.6g}" for i in range(max(t - 1, 0), min(t + 2, n)))
    expected = ", ".join(f"{want[i]:.6g}" for i in range(max(t - 1, 0), min(t + 2, n)))
    mistake = LR_AT.diagnose(got, NAMES[schedule["kind"]], same=rates_agree, schedule=schedule, n=n)
    fail(f"lr_at: the rate at step {t} is {got[t]:.6g}; torch.optim.lr_scheduler's "
         f"{TORCH_NAME[schedule['kind']]} gives {want[t]:.6g} (steps {max(t - 1, 0)}..{min(t + 1, n - 1)}: "
         f"got {around}; expected {expected}) ({setting})" + likely(mistake))


@points(NAME, 1)
def test_step_decay_is_steplr(student):
    expect_torch_rates(student, {"kind": "step", "lr": 0.1, "step_size": 3, "gamma": 0.5}, 14)
    expect_torch_rates(student, {"kind": "step", "lr": 0.8, "step_size": 10, "gamma": 0.1}, 35)
    expect_torch_rates(student, {"kind": "step", "lr": 0.05, "step_size": 1, "gamma": 0.9}, 6)


@points(NAME, 1)
def test_exponential_decay_is_exponentiallr(student):
    expect_torch_rates(student, {"kind": "exponential", "lr": 0.3, "gamma": 0.95}, 40)
    expect_torch_rates(student, {"kind": "exponential", "lr": 2.0, "gamma": 0.5}, 12)


@points(NAME, 1.5)
def test_cosine_is_cosineannealinglr_up_to_t_max_and_beyond(student):
    expect_torch_rates(student, {"kind": "cosine", "lr": 0.2, "T_max": 10, "eta_min": 0.0}, 11)
    expect_torch_rates(student, {"kind": "cosine", "lr": 1.0, "T_max": 25, "eta_min": 0.05}, 26)
    # past T_max PyTorch's cosine climbs back up; T_max = 1 alternates lr, eta_min, lr, ...
    expect_torch_rates(student, {"kind": "cosine", "lr": 0.5, "T_max": 7, "eta_min": 0.01}, 24)
    expect_torch_rates(student, {"kind": "cosine", "lr": 0.3, "T_max": 1, "eta_min": 0.0}, 5)


@points(NAME, 1.5)
def test_warmup_then_cosine_is_linearlr_then_cosine_in_sequentiallr(student):
    expect_torch_rates(student, {"kind": "warmup_cosine", "lr": 1.0, "warmup_steps": 5,
                                 "start_factor": 0.1, "T_max": 20, "eta_min": 0.0}, 26)
    expect_torch_rates(student, {"kind": "warmup_cosine", "lr": 0.4, "warmup_steps": 8,
                                 "start_factor": 1 / 3, "T_max": 12, "eta_min": 0.02}, 24)
    # one warm-up step; start_factor 1 (no ramp at all); a run past the cosine's T_max
    expect_torch_rates(student, {"kind": "warmup_cosine", "lr": 0.6, "warmup_steps": 1,
                                 "start_factor": 0.25, "T_max": 4, "eta_min": 0.0}, 9)
    expect_torch_rates(student, {"kind": "warmup_cosine", "lr": 0.2, "warmup_steps": 3,
                                 "start_factor": 1.0, "T_max": 6, "eta_min": 0.01}, 10)


@points(NAME, 0.5)
def test_constant_plain_float_and_schedule_unchanged(student):
    schedule = {"kind": "constant", "lr": 0.05}
    for step in (0, 7):
        got = as_float(student.lr_at(dict(schedule), step), "lr_at", strict=True)
        expect(got == 0.05, f"lr_at({schedule}, {step}) returned {got!r}; a constant schedule gives lr "
                            f"at every step")
    for schedule in ({"kind": "cosine", "lr": 0.2, "T_max": 10, "eta_min": 0.0},
                     {"kind": "warmup_cosine", "lr": 0.2, "warmup_steps": 3, "start_factor": 0.5,
                      "T_max": 10, "eta_min": 0.0}):
        reply = student.call(NAME, dict(schedule), 4, return_args=True)
        as_float(reply["result"], f"lr_at({schedule['kind']!r} schedule, 4)", strict=True)
        expect(reply["args_after"][0] == schedule,
               f"lr_at changed its input `schedule`: {schedule} became {reply['args_after'][0]}; "
               f"never modify an argument (read schedule['kind'], do not pop it)")


@points(NAME, 0.5)
def test_bad_input_raises_value_error(student):
    good = {"kind": "warmup_cosine", "lr": 0.1, "warmup_steps": 4, "start_factor": 0.2, "T_max": 10,
            "eta_min": 0.0}
    cases = [
        ({"kind": "linear", "lr": 0.1}, 0, "kind='linear'", "an unknown kind"),
        ({"kind": "cosine", "lr": 0.1, "T_max": 10, "eta_min": 0.0}, -1, "step=-1", "step must be at least 0"),
        ({**good, "start_factor": 0.0}, 0, "start_factor=0", "start_factor must lie in (0, 1], as LinearLR asks"),
        ({**good, "start_factor": 1.5}, 0, "start_factor=1.5", "start_factor must lie in (0, 1], as LinearLR asks"),
        ({**good, "warmup_steps": 0}, 2, "warmup_steps=0", "warmup_steps must be at least 1"),
        ({**good, "T_max": 0}, 1, "warmup_cosine with T_max=0 at step 1", "T_max must be at least 1, "
                                                                          "whatever the step"),
        ({"kind": "cosine", "lr": 0.1, "T_max": 0, "eta_min": 0.0}, 3, "cosine with T_max=0", "T_max must be at least 1"),
        ({"kind": "step", "lr": 0.1, "step_size": 0, "gamma": 0.5}, 3, "step_size=0", "step_size must be at least 1"),
    ]
    for schedule, step, setting, hint in cases:
        expect_raises(student, NAME, (schedule, step), "ValueError", setting=setting, hint=hint)
