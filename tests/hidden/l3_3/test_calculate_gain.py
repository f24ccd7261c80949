"""Hidden checks for `calculate_gain`: every gain equals torch.nn.init.calculate_gain's, the
leaky ReLU slope follows PyTorch's rules (None is 0.01, 0 is a slope), Python floats, bad names
and bad slopes raise ValueError."""

import math

import torch.nn as nn

from looplab.checks import as_float, assert_float, expect_raises, fail, likely, points

NAME = "calculate_gain"

FIXED = {  # (nonlinearity, wrong gain) -> the likely mistake
    ("tanh", math.sqrt(2.0)): "tanh was given ReLU's gain sqrt(2); PyTorch's tanh gain is 5/3",
    ("tanh", 1.0): "tanh was given gain 1; PyTorch's tanh gain is 5/3",
    ("relu", 2.0): "ReLU's gain is the standard deviation factor sqrt(2), not the variance factor 2",
    ("sigmoid", 0.25): "sigmoid's gain is 1 in PyTorch (not its slope at 0, 1/4)",
    ("selu", 1.0): "selu's gain is 3/4 in PyTorch",
}


def known(nonlinearity: str, param) -> dict[str, float]:
    """The likely mistakes for this call, each with the gain it returns."""
    found = {m: g for (n, g), m in FIXED.items() if n == nonlinearity}
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        found["the slope is squared in the formula: sqrt(2 / (1 + slope^2))"] = math.sqrt(2.0 / (1 + slope))
        if param == 0:
            found["param=0 was treated as missing (`param or 0.01`?): only None means the default 0.01, "
                  "and a slope of 0 gives ReLU's gain sqrt(2)"] = math.sqrt(2.0 / (1 + 0.01 ** 2))
        elif param is not None:
            found["the given slope was ignored"] = math.sqrt(2.0 / (1 + 0.01 ** 2))
        else:
            found["leaky_relu with param=None uses PyTorch's default slope 0.01"] = math.sqrt(2.0)
    return found


def expect_gain(student, nonlinearity, param=None, *, strict=False) -> None:
    args = (nonlinearity,) if param is None else (nonlinearity, param)
    setting = ", ".join(repr(a) for a in args)
    got = as_float(student.calculate_gain(*args), f"{NAME}({setting})", strict=strict)
    want = float(nn.init.calculate_gain(nonlinearity, param))
    named = [m for m, wrong in known(nonlinearity, param).items() if math.isclose(got, wrong, rel_tol=1e-6)]
    if not math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9):
        fail(f"{NAME}({setting}) returned {got:.6g}; torch.nn.init.calculate_gain gives {want:.6g}"
             + likely(named[:1]))


@points(NAME, 1)
def test_gains_match_torch(student):
    for nonlinearity in ("linear", "sigmoid", "tanh", "relu", "selu"):
        expect_gain(student, nonlinearity)


@points(NAME, 0.5)
def test_leaky_relu_slope_follows_pytorch(student):
    expect_gain(student, "leaky_relu")  # None: the default slope 0.01
    expect_gain(student, "leaky_relu", 0.2)
    expect_gain(student, "leaky_relu", 0)  # an int 0 is a slope, not "missing"
    expect_gain(student, "leaky_relu", 3)
    expect_gain(student, "relu", 0.5)  # param is ignored by every other nonlinearity
    expect_gain(student, "tanh", 0.3)


@points(NAME, 0.5)
def test_python_floats_and_bad_input_raise(student):
    for nonlinearity in ("linear", "sigmoid", "relu"):
        expect_gain(student, nonlinearity, strict=True)
    hint = "the contract names the six nonlinearities it accepts"
    expect_raises(student, NAME, ("gelu",), "ValueError", setting="'gelu'", hint=hint)
    expect_raises(student, NAME, ("ReLU",), "ValueError", setting="'ReLU'",
                  hint="names are the nn.functional ones, lower case, as in PyTorch")
    expect_raises(student, NAME, ("leaky_relu", True), "ValueError", setting="'leaky_relu', True",
                  hint="a bool is not a slope (True is an int in Python: test for bool first)")
    expect_raises(student, NAME, ("leaky_relu", "0.1"), "ValueError", setting="'leaky_relu', '0.1'",
                  hint="the slope must be an int or a float")
