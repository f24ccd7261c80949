"""Hidden checks for `error_curve`: truncation error for large h, round-off for small h.

error_curve runs with the reference's numerical_gradient and relative_error in its scope (see
isolated.py), so these checks judge its own code: one error per h, each h passed on, x kept in
its dtype, grad_f called once. A finite-difference bug costs points in numerical_gradient only.
"""

import math

import torch

from looplab.checks import as_float_list, expect, fail, likely, points

from . import isolated
from .functions import CUBIC_SINE, TANH_COS, about, point

HS = [10.0 ** -k for k in range(1, 13)]  # 1e-1 down to 1e-12


def _curve(student, reference, f, x, hs=HS, *, strict: bool = False) -> list[float]:
    got = as_float_list(isolated.result(student, reference, "error_curve", f.remote(x),
                                        f.remote_gradient(x), x, hs),
                        "error_curve", strict=strict)
    expect(len(got) == len(hs), f"error_curve returned {len(got)} errors for {len(hs)} step sizes; "
                                f"expected one relative error per h, in the order of hs")
    return got


def _table(curve: list[float]) -> str:
    return ", ".join(f"h=1e-{k + 1}: {e:.1e}" for k, e in enumerate(curve))


@points("error_curve", 0.5)
def test_matches_reference_in_float64(student, reference):
    x = point((6,), seed=110)
    got = _curve(student, reference, TANH_COS, x)
    want = reference.error_curve(TANH_COS.remote(x).build(), TANH_COS.remote_gradient(x).build(),
                                 x.clone(), HS)
    for h, g, w in zip(HS, got, want):
        if not math.isclose(g, w, rel_tol=1e-2, abs_tol=1e-15):
            hint = ""
            if all(math.isclose(v, got[0], rel_tol=1e-6) for v in got):
                hint = likely("every step size gives the same error: pass each h to numerical_gradient")
            fail(f"error_curve with {TANH_COS.label}, {about(x)}: at h={h:.0e} the relative "
                 f"error is {g:.3e}, the reference gives {w:.3e}\nyours: {_table(got)}\n"
                 f"expected: {_table(want)}" + hint)


@points("error_curve", 1)
def test_truncation_error_for_large_h_round_off_for_small_h(student, reference):
    x = point((5,), seed=111)
    e = _curve(student, reference, CUBIC_SINE, x)
    shown = f"\n{_table(e)} ({CUBIC_SINE.label}, {about(x)})"
    expect(e[0] > e[1] > e[2] > e[3],
           "error_curve: from h=1e-1 to h=1e-4 the error should fall with h (truncation error, "
           "about C h**2), but it does not" + shown)
    ratio = e[1] / e[2] if e[2] > 0 else math.inf
    expect(30 <= ratio <= 300,
           f"error_curve: dividing h by 10 (1e-2 to 1e-3) divided the error by {ratio:.3g}; "
           f"central differences have an error proportional to h**2, so about 100 is expected"
           + likely("one-sided (forward) differences, whose error is proportional to h: use "
                    "(f(x + h e_i) - f(x - h e_i)) / (2h)" if 5 <= ratio <= 20 else None)
           + shown)
    best = min(range(len(e)), key=lambda k: e[k])
    expect(1e-7 <= HS[best] <= 1e-4,
           f"error_curve: the smallest error is at h={HS[best]:.0e}; in float64 it should be "
           f"between 1e-7 and 1e-4, where truncation and round-off balance" + shown)
    expect(e[-1] >= 100 * e[best],
           f"error_curve: at h=1e-12 the error is {e[-1]:.1e}, not much above the best {e[best]:.1e}; "
           f"round-off (about eps |f| / h) should make it grow again as h shrinks" + shown)


@points("error_curve", 0.5)
def test_float32_needs_a_larger_step(student, reference):
    x64 = point((6,), seed=112)
    x32 = x64.to(torch.float32)
    e64, e32 = _curve(student, reference, TANH_COS, x64), _curve(student, reference, TANH_COS, x32)
    best64 = min(range(len(HS)), key=lambda k: e64[k])
    best32 = min(range(len(HS)), key=lambda k: e32[k])
    shown = f"\nfloat32: {_table(e32)}\nfloat64: {_table(e64)}"
    expect(HS[best32] >= 1e-3 and e32[best32] >= 100 * e64[best64],
           f"error_curve: the best float32 step is h={HS[best32]:.0e} with error "
           f"{e32[best32]:.1e}, the best float64 step h={HS[best64]:.0e} with error "
           f"{e64[best64]:.1e}; in float32 (eps about 1e-7) round-off takes over much earlier, so "
           f"its best h should be 1e-3 or larger and its best error far worse. Evaluate f on "
           f"x's own dtype: do not convert x to float64" + shown)


@points("error_curve", 0.5)
def test_inputs_unchanged_no_steps_and_plain_floats(student, reference):
    x = point((2, 3), seed=113)
    hs = [1e-2, 1e-4, 1e-6]
    reply = isolated.call(student, reference, "error_curve", TANH_COS.remote(x),
                          TANH_COS.remote_gradient(x), x, hs, return_args=True)
    as_float_list(reply["result"], "error_curve", strict=True)
    after_x, after_hs = reply["args_after"][2], reply["args_after"][3]
    expect(isinstance(after_x, torch.Tensor) and after_x.shape == x.shape and torch.equal(after_x, x),
           f"error_curve changed its input x ({about(x)}); x must come back exactly as it was")
    expect(after_hs == hs, f"error_curve changed the list hs to {after_hs!r:.80}; leave it as it was")
    empty = isolated.result(student, reference, "error_curve", TANH_COS.remote(x),
                            TANH_COS.remote_gradient(x), x, [])
    expect(empty == [] and isinstance(empty, list),
           f"error_curve with hs=[] returned {empty!r:.60}; expected [] (no step sizes, no errors)")


@points("error_curve", 0.5)
def test_calls_grad_f_once_and_a_wrong_shape_raises_value_error(student, reference):
    isolated.expect_grad_f_once_and_value_error(student, reference, "error_curve", [1e-2, 1e-4, 1e-6])
