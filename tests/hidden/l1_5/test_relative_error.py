"""Hidden checks for `relative_error`: max |a - b| / max (|a| + |b|), 0.0 for two zero tensors."""

import math

import torch

from looplab.checks import (as_float, assert_not_much_slower, diagnose, expect, expect_raises,
                            expect_unchanged, fail, likely, points)

from .functions import point

# other definitions students write, to name the one they used
VARIANTS = {
    "the denominator is max |a| + max |b|; the contract asks for the largest |a_i| + |b_i|":
        lambda a, b: (a - b).abs().max() / (a.abs().max() + b.abs().max()),
    "this is the largest entrywise ratio |a_i - b_i| / (|a_i| + |b_i|); the contract divides the "
    "largest difference by the largest |a_i| + |b_i|":
        lambda a, b: ((a - b).abs() / (a.abs() + b.abs())).max(),
    "this uses 2-norms, ||a - b|| / (||a|| + ||b||); the contract uses the largest entries":
        lambda a, b: (a - b).norm() / (a.norm() + b.norm()),
    "the difference is divided by max |a| only; divide by the largest |a_i| + |b_i|":
        lambda a, b: (a - b).abs().max() / a.abs().max(),
    "the difference is divided by max |b| only; divide by the largest |a_i| + |b_i|":
        lambda a, b: (a - b).abs().max() / b.abs().max(),
    "this is the absolute error max |a_i - b_i|; divide it by the largest |a_i| + |b_i|":
        lambda a, b: (a - b).abs().max(),
    "the mean difference is used; the contract takes the largest":
        lambda a, b: (a - b).abs().mean() / (a.abs() + b.abs()).max(),
    "the absolute value is missing: max (a_i - b_i) can be negative or miss the largest gap":
        lambda a, b: (a - b).max() / (a.abs() + b.abs()).max(),
}


def _value(student, a, b, *, strict: bool = False) -> float:
    return as_float(student.relative_error(a, b), "relative_error", strict=strict)


def _variant(got: float, a, b) -> str:
    """'\nlikely mistake: ...' when `got` is what another definition gives on (a, b)."""
    a, b = a.double(), b.double()
    candidates = [(text, lambda v=v: float(v(a, b))) for text, v in VARIANTS.items()]
    return likely(diagnose(got, candidates,
                           same=lambda g, w: math.isclose(g, w, rel_tol=1e-6, abs_tol=1e-300)))


def _pairs():
    near = point((4, 5), seed=50)
    return [
        ("a=[1, 2, 3], b=[1, 2, 3.3]", torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64),
         torch.tensor([1.0, 2.0, 3.3], dtype=torch.float64)),
        ("a (4, 5) and b = a + small noise", near, near + 1e-3 * point((4, 5), seed=51)),
        ("a = [3, -1, 0.5] and b = [2.5, -1.5, 0.25]", torch.tensor([3.0, -1.0, 0.5]),
         torch.tensor([2.5, -1.5, 0.25])),
        ("a float32 (3, 2), b float64", point((3, 2), seed=52, dtype=torch.float32),
         point((3, 2), seed=53)),
        ("a large in one entry, b off in a small one",
         torch.tensor([[100.0, 0.01], [-3.0, 0.2]], dtype=torch.float64),
         torch.tensor([[100.0, 0.02], [-3.0, 0.2]], dtype=torch.float64)),
        ("b = -a", point((6,), seed=54), -point((6,), seed=54)),
    ]


@points("relative_error", 1)
def test_matches_the_definition(student, reference):
    for what, a, b in _pairs():
        got, want = _value(student, a, b), reference.relative_error(a, b)
        if not math.isclose(got, want, rel_tol=1e-5, abs_tol=1e-15):
            fail(f"relative_error({what}) returned {got:.6g}, expected {want:.6g} = "
                 f"max |a_i - b_i| / max (|a_i| + |b_i|)" + _variant(got, a, b))


@points("relative_error", 0.5)
def test_zero_gradients_give_zero_and_nan_gives_nan_as_plain_floats(student):
    zeros = torch.zeros(2, 3, dtype=torch.float64)
    g = point((2, 3), seed=55)
    both = _value(student, zeros, zeros, strict=True)
    expect(both == 0.0, f"relative_error of two zero tensors returned {both!r}; two zero gradients "
                        f"agree exactly, so the contract asks for 0.0 (guard the 0 / 0 case)")
    for what, a, b in [("zeros and g", zeros, g), ("g and zeros", g, zeros)]:
        got = _value(student, a, b, strict=True)
        expect(math.isclose(got, 1.0, rel_tol=1e-9),
               f"relative_error({what}) returned {got!r}; with one gradient all zeros the "
               f"difference is as large as the other gradient, so the result is 1.0")
    broken = g.clone()
    broken[1, 2] = float("nan")
    got = _value(student, broken, g, strict=True)
    expect(math.isnan(got), f"relative_error with a NaN entry in a returned {got!r}; a NaN gradient "
                            f"must give NaN, so that gradient_check rejects it (Python's max() and "
                            f"comparisons skip NaN: use tensor operations such as .abs().max())")


@points("relative_error", 0.5)
def test_symmetric_nonnegative_free_of_scale_and_inputs_unchanged(student):
    a, b = point((5, 2), seed=56), point((5, 2), seed=57)
    lower, upper = -a.abs() - 1.0, a.abs() + 1.0  # every entry of lower is below upper
    base = _value(student, lower, upper)
    expect(0.0 <= base <= 1.0,
           f"relative_error(a, b) with every a_i < b_i returned {base:.6g}; the relative error is "
           f"never negative and never above 1: take the absolute value of a - b"
           + _variant(base, lower, upper))
    ab = as_float(expect_unchanged(student, "relative_error", (a, b), ["a", "b"])["result"],
                  "relative_error")
    ba = _value(student, b, a)
    expect(math.isclose(ab, ba, rel_tol=1e-9),
           f"relative_error(a, b) = {ab:.6g} but relative_error(b, a) = {ba:.6g}; the definition "
           f"is symmetric: divide by the largest |a_i| + |b_i|, not by one side")
    for c in (1e-6, 1e6):
        scaled = _value(student, c * a, c * b)
        expect(math.isclose(scaled, ab, rel_tol=1e-6),
               f"relative_error(c a, c b) with c={c:g} returned {scaled:.6g}, but relative_error"
               f"(a, b) is {ab:.6g}; a relative error does not depend on the scale of the gradients"
               + _variant(scaled, c * a, c * b))


@points("relative_error", 0.5)
def test_different_shapes_raise_value_error(student):
    for sa, sb in [((3,), (3, 1)), ((2, 3), (6,)), ((2, 3), (3, 2))]:
        expect_raises(student, "relative_error", (point(sa, seed=58), point(sb, seed=59)), "ValueError",
                      setting=f"a of shape {sa}, b of shape {sb}",
                      hint="tensors of different shapes broadcast or get compared in the wrong "
                           "order; check a.shape == b.shape first")


@points("relative_error", 0.5)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        a = point((300, 300), seed=60 + r)
        return (a, a + 1e-6 * point((300, 300), seed=70 + r))
    assert_not_much_slower(student, reference_process, "relative_error", make_args,
                           workload="two 300 x 300 float64 tensors",
                           hint="a Python loop over the entries is the usual cause: compute "
                                "(a - b).abs().max() on the whole tensors at once")
