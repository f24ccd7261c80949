"""Hidden checks for `xavier_init`: on non-square layers (so that fan_in and fan_out differ),
the draws' variance, mean, bound and kurtosis match gain^2 * 2 / (fan_in + fan_out) and
torch.nn.init.xavier_uniform_ / xavier_normal_ on the layer's (out, in) weight; the dtype and
shape of the contract; the same generator state gives the same tensor, whatever the global
seed; bad input raises ValueError."""

import math

import torch

from looplab.checks import as_tensor, describe, expect, expect_raises, gen, points

from .samples import call, expect_sample, torch_variance

NAME = "xavier_init"
FORMULA = "gain^2 * 2 / (fan_in + fan_out)"


def candidates(fan_in: int, fan_out: int, gain: float, distribution: str) -> dict[str, float]:
    var = gain ** 2 * 2 / (fan_in + fan_out)
    known = {
        "1 / fan_in is LeCun's variance; Xavier averages the two fans: 2 / (fan_in + fan_out)": gain ** 2 / fan_in,
        "1 / fan_out alone; Xavier averages the two fans: 2 / (fan_in + fan_out)": gain ** 2 / fan_out,
        "the factor 2 is missing: the variance is gain^2 * 2 / (fan_in + fan_out)": var / 2,
        "the gain scales the standard deviation, so the variance gets gain^2; the variance was "
        "multiplied by gain": var / gain,
    }
    if gain != 1:
        known["the gain was left out"] = var / gain ** 2
    if distribution == "uniform":
        known["the uniform bound was set to the standard deviation; U(-a, a) has variance a^2 / 3, so "
              "a = sqrt(3) * std = gain * sqrt(6 / (fan_in + fan_out))"] = var / 3
    else:
        known["the normal's standard deviation was set to the uniform bound gain * sqrt(6 / (fan_in + "
              "fan_out)); a normal has std = gain * sqrt(2 / (fan_in + fan_out))"] = 3 * var
        known["the variance was passed where normal_ takes the standard deviation"] = var ** 2
    return known


def expect_xavier(student, shape, seed, gain=None, distribution=None, dtype=torch.float32):
    kwargs = {k: v for k, v in (("gain", gain), ("distribution", distribution)) if v is not None}
    gain_, dist = 1.0 if gain is None else gain, distribution or "uniform"
    init = "xavier_uniform_" if dist == "uniform" else "xavier_normal_"
    got = call(student, NAME, shape, gen(seed), dtype=dtype, **kwargs)
    dtype_note = {} if dtype == torch.float32 else {"dtype": str(dtype).removeprefix("torch.")}
    return expect_sample(got, what=f"{NAME}({shape})", shape=shape, dtype=dtype,
                         setting=describe(shape=shape, **kwargs, **dtype_note) + " (defaults: gain=1.0, 'uniform', float32)",
                         var=gain_ ** 2 * 2 / sum(shape), formula=FORMULA, distribution=dist,
                         torch_var=torch_variance(init, shape, seed + 100, gain=gain_),
                         candidates=candidates(*shape, gain_, dist))


@points(NAME, 1)
def test_uniform_matches_formula_and_torch(student):
    expect_xavier(student, (400, 100), seed=1)  # the defaults: gain 1, uniform
    expect_xavier(student, (120, 300), seed=2, gain=5 / 3, distribution="uniform")


@points(NAME, 1)
def test_normal_matches_formula_and_torch(student):
    expect_xavier(student, (400, 100), seed=3, gain=5 / 3, distribution="normal")
    expect_xavier(student, (64, 512), seed=4, gain=math.sqrt(2.0), distribution="normal")


@points(NAME, 0.5)
def test_float64_and_tiny_layers(student):
    expect_xavier(student, (300, 80), seed=5, gain=0.5, distribution="normal", dtype=torch.float64)
    one = as_tensor(student.xavier_init((1, 1), gen(6)), f"{NAME}((1, 1))", shape=(1, 1), dtype=torch.float32)
    expect(one.abs().item() <= math.sqrt(3.0) + 1e-6,
           f"{NAME}((1, 1)) returned {one.item():.4g}, outside U(-a, a) with a = sqrt(6 / (1 + 1)) = 1.732 "
           f"(fan_in = fan_out = 1, gain 1, uniform)")


@points(NAME, 0.5)
def test_randomness_only_from_the_generator(student):
    a, b = (student.call(NAME, (20, 30), gen(7), global_seed=s)["result"] for s in (1, 2))
    expect(torch.equal(as_tensor(a, NAME), as_tensor(b, NAME)),
           f"{NAME}((20, 30), generator seeded 7) gave different weights when only the global seed "
           f"changed: draw with generator=generator (e.g. W.uniform_(-a, a, generator=generator))")
    c = as_tensor(student.xavier_init((20, 30), gen(8), 1.0, "normal"), NAME)
    d = as_tensor(student.xavier_init((20, 30), gen(9), 1.0, "normal"), NAME)
    expect(not torch.equal(c, d), f"{NAME}((20, 30), 'normal') gave the same weights for generators "
                                  f"seeded 8 and 9: the draws must come from the generator")


@points(NAME, 0.5)
def test_bad_input_raises_value_error(student):
    hint = "shape must be two positive ints (fan_in, fan_out)"
    expect_raises(student, NAME, ((0, 5), gen(0)), "ValueError", setting="shape=(0, 5)", hint=hint)
    expect_raises(student, NAME, ((4,), gen(0)), "ValueError", setting="shape=(4,)", hint=hint)
    expect_raises(student, NAME, ((4, 3), gen(0), 1.0, "gaussian"), "ValueError",
                  setting="distribution='gaussian'", hint="only 'uniform' and 'normal' are known")
