"""Hidden checks for `kaiming_init`: on non-square layers (so that the two fans differ), the
draws' variance, mean, bound and kurtosis match gain^2 / fan and torch.nn.init.kaiming_uniform_ /
kaiming_normal_ on the layer's (out, in) weight, for both modes, PyTorch's defaults (a=0,
'leaky_relu': ReLU's gain), a leaky slope and tanh's gain; dtype and shape; the same generator
state gives the same tensor whatever the global seed; bad input raises ValueError."""

import math

import torch
import torch.nn as nn

from looplab.checks import as_tensor, describe, expect, expect_raises, gen, points

from .samples import call, expect_sample, torch_variance

NAME = "kaiming_init"
FORMULA = "gain^2 / fan"


def candidates(shape, gain: float, mode: str, distribution: str, a: float) -> dict[str, float]:
    fan_in, fan_out = shape
    fan, other = (fan_in, fan_out) if mode == "fan_in" else (fan_out, fan_in)
    var = gain ** 2 / fan
    known = {} if a == 0 else {"the negative slope a was ignored: pass it on, calculate_gain(nonlinearity, a)": 2 / fan}
    known |= {
        "the wrong fan was used: our W is (in, out), so fan_in = shape[0] and fan_out = shape[1] "
        "(PyTorch reads fan_in from size(1) because nn.Linear's weight is (out, in)), and mode picks "
        "which of the two divides": gain ** 2 / other,
        "the gain scales the standard deviation, so the variance is gain^2 / fan; the variance was "
        "multiplied by gain": gain / fan,
        "2 / fan already holds ReLU's gain: multiplying it by gain^2 again doubles the variance": 2 * var,
        "the gain was left out: the variance is gain^2 / fan": 1 / fan,
        "Xavier's 2 / (fan_in + fan_out) was used; Kaiming's variance is gain^2 / fan": 2 / (fan_in + fan_out),
    }
    if distribution == "uniform":
        known["the uniform bound was set to the standard deviation; U(-b, b) has variance b^2 / 3, so "
              "bound = sqrt(3) * gain / sqrt(fan)"] = var / 3
    else:
        known["the normal's standard deviation was set to the uniform bound gain * sqrt(3 / fan); a "
              "normal has std = gain / sqrt(fan)"] = 3 * var
        known["the variance was passed where normal_ takes the standard deviation"] = var ** 2
    return known


def expect_kaiming(student, shape, seed, dtype=torch.float32, **kwargs):
    full = {"a": 0.0, "mode": "fan_in", "nonlinearity": "leaky_relu", "distribution": "uniform", **kwargs}
    gain = float(nn.init.calculate_gain(full["nonlinearity"], full["a"]))
    fan = shape[0] if full["mode"] == "fan_in" else shape[1]
    init = "kaiming_uniform_" if full["distribution"] == "uniform" else "kaiming_normal_"
    got = call(student, NAME, shape, gen(seed), dtype=dtype, **kwargs)
    dtype_note = {} if dtype == torch.float32 else {"dtype": str(dtype).removeprefix("torch.")}
    setting = describe(shape=shape, **kwargs, **dtype_note) + f"; gain {gain:.4g}, fan {fan}"
    return expect_sample(got, what=f"{NAME}({shape})", setting=setting, shape=shape, dtype=dtype,
                         var=gain ** 2 / fan, formula=FORMULA, distribution=full["distribution"],
                         torch_var=torch_variance(init, shape, seed + 100, a=full["a"], mode=full["mode"],
                                                  nonlinearity=full["nonlinearity"]),
                         candidates=candidates(shape, gain, full["mode"], full["distribution"], full["a"]))


@points(NAME, 1)
def test_fan_in_uniform_matches_formula_and_torch(student):
    expect_kaiming(student, (400, 100), seed=1)  # PyTorch's defaults: a=0, 'leaky_relu', fan_in, uniform
    expect_kaiming(student, (100, 400), seed=2, nonlinearity="relu")


@points(NAME, 1)
def test_fan_out_and_normal_match_formula_and_torch(student):
    expect_kaiming(student, (400, 100), seed=3, mode="fan_out", nonlinearity="relu", distribution="normal")
    expect_kaiming(student, (64, 512), seed=4, mode="fan_in", nonlinearity="relu", distribution="normal")
    expect_kaiming(student, (128, 320), seed=5, mode="fan_out", nonlinearity="relu", distribution="uniform")


@points(NAME, 0.5)
def test_leaky_slope_and_tanh_gain(student):
    expect_kaiming(student, (300, 150), seed=6, a=1.0)  # slope 1: gain sqrt(2 / 2) = 1
    expect_kaiming(student, (200, 120), seed=7, nonlinearity="tanh", distribution="normal",
                   dtype=torch.float64)


@points(NAME, 0.5)
def test_randomness_only_from_the_generator(student):
    a, b = (student.call(NAME, (20, 30), gen(7), global_seed=s)["result"] for s in (1, 2))
    expect(torch.equal(as_tensor(a, NAME), as_tensor(b, NAME)),
           f"{NAME}((20, 30), generator seeded 7) gave different weights when only the global seed "
           f"changed: draw with generator=generator (e.g. W.uniform_(-bound, bound, generator=generator))")
    c, d = (as_tensor(student.call(NAME, (20, 30), gen(s), distribution="normal")["result"], NAME)
            for s in (8, 9))
    expect(not torch.equal(c, d), f"{NAME}((20, 30), distribution='normal') gave the same weights for "
                                  f"generators seeded 8 and 9: the draws must come from the generator")


@points(NAME, 0.5)
def test_bad_input_raises_value_error(student):
    g = gen(0)
    expect_raises(student, NAME, ((5, 0), g), "ValueError", setting="shape=(5, 0)",
                  hint="shape must be two positive ints (fan_in, fan_out)")
    expect_raises(student, NAME, ((4, 3), g), "ValueError", setting="mode='fan_avg'",
                  hint="mode is 'fan_in' or 'fan_out'", mode="fan_avg")
    expect_raises(student, NAME, ((4, 3), g), "ValueError", setting="distribution='gaussian'",
                  hint="only 'uniform' and 'normal' are known", distribution="gaussian")
    expect_raises(student, NAME, ((4, 3), g), "ValueError", setting="nonlinearity='gelu'",
                  hint="calculate_gain knows no 'gelu'", nonlinearity="gelu")
