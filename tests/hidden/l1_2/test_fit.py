"""Hidden checks for `fit` (full-batch gradient descent with the hand-derived gradient)."""

import math

import torch

from looplab.checks import (as_float_list, as_tensor, assert_not_much_slower, assert_trajectory,
                            describe, expect, expect_unchanged, fail, kind, likely, linear_data,
                            points, without_autograd)

from .model import (FIT, close, expect_no_autograd, expect_shape, least_squares, loss64, same_fit,
                    show, simulate_fit, stable_limit, values)

LOOP_HINT = ("a Python loop over the samples inside each step is the usual cause: the loss and "
             "the gradient are a few matrix expressions on all of X at once")


def _triple(result: object) -> tuple:
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(f"fit returned a {kind(result)}; expected a tuple (w, b, losses)")
    return tuple(result)


def _run(student, X, y, w0, b0, lr, steps, *, strict=False):
    """(w, b, losses) from the student's fit, read leniently: float64 values in the right shape."""
    w, b, losses = _triple(student.fit(X, y, w0, b0, lr, steps))
    n, d = X.shape
    return (values(as_tensor(w, "fit's w"), (d, 1), "fit's w", n),
            values(as_tensor(b, "fit's b"), (1,), "fit's b", n),
            as_float_list(losses, "fit's losses", strict=strict))


def _expect_reference(student, *, n, d, lr, steps, seed, scale=1.0):
    X, y, w0, b0 = linear_data(n, d, seed, scale=scale)
    w, b, losses = _run(student, X, y, w0, b0, lr, steps)
    want_w, want_b, want = simulate_fit(X, y, w0, b0, lr, steps)  # no mistake: float64 gradient descent
    setting = describe(N=n, d=d, lr=lr, steps=steps)
    known = dict(X=X, y=y, w0=w0, b0=b0, lr=lr, steps=steps)
    diagnose = lambda: FIT.diagnose((None, None, losses), FIT.messages, same=same_fit, **known)  # noqa: E731
    expect(len(losses) == len(want),
           f"fit returned {len(losses)} losses, expected {len(want)} ({setting}): one loss per step, "
           f"each recorded just before that step's update" + likely(diagnose()))
    assert_trajectory(losses, want, what="fit", unit="step", setting=setting, against="expected",
                      diagnose=diagnose)
    if not (close(w, want_w, 1e-3, 1e-5) and close(b, want_b, 1e-3, 1e-5)):
        fail(f"fit ({setting}): the losses are right but the returned parameters are w {show(w)}, "
             f"b {show(b)}; expected {show(want_w)}, {show(want_b)} after {steps} updates"
             + likely(FIT.diagnose((w, b, None), FIT.messages, same=same_fit, **known)))


@points("fit", 1.5)
def test_matches_gradient_descent_with_one_feature(student):
    _expect_reference(student, n=50, d=1, lr=0.1, steps=12, seed=31)


@points("fit", 1)
def test_matches_gradient_descent_with_several_features(student):
    _expect_reference(student, n=80, d=4, lr=0.05, steps=10, seed=32, scale=2.0)


@points("fit", 1)
def test_reaches_the_least_squares_solution(student):
    X, y, w0, b0 = linear_data(300, 3, seed=33, noise=0.3, scale=2.0, shift=0.5)
    lr, steps = 0.5 * stable_limit(X), 150
    w, b, losses = _run(student, X, y, w0, b0, lr, steps)
    w_star, b_star = least_squares(X, y)
    gap = max((w - w_star).abs().max().item(), (b - b_star).abs().max().item())
    expect(gap <= 2e-3,
           f"after {steps} steps with lr={lr:.4g} (half the stable limit) on well-conditioned data "
           f"(N=300, d=3), fit returned w {show(w)}, b {show(b)}; the closed-form least-squares "
           f"solution (torch.linalg.lstsq) is w {show(w_star)}, b {show(b_star)} (largest gap "
           f"{gap:.3g}): gradient descent should get there")
    floor = loss64(X, y, w_star, b_star)
    expect(min(losses) >= floor * (1 - 1e-4) - 1e-6,
           f"fit recorded a loss of {min(losses):.6g}, below the least-squares minimum {floor:.6g}: "
           f"the recorded losses must be the mean squared error of the current parameters")


@points("fit", 1.5)
def test_step_size_limit_is_where_theory_says(student):
    X, y, w0, b0 = linear_data(200, 3, seed=34, noise=0.2, scale=2.0, shift=1.0)
    limit = stable_limit(X)
    w_star, b_star = least_squares(X, y)
    floor = loss64(X, y, w_star, b_star)
    _, _, below = _run(student, X, y, w0, b0, 0.9 * limit, 200)
    expect(bool(below) and math.isfinite(below[-1]) and below[-1] <= floor * 1.001 + 1e-6,
           f"fit with lr = 0.9 x the stable limit 2/lambda_max = {limit:.4g} (N=200, d=3, 200 steps) ended "
           f"at loss {below[-1] if below else float('nan'):.6g}, but the minimum is {floor:.6g}: "
           f"just below the limit gradient descent converges (slowly zig-zagging)")
    _, _, above = _run(student, X, y, w0, b0, 1.1 * limit, 100)
    first, last = (above[0], above[-1]) if above else (math.nan, math.nan)
    grew = not math.isfinite(last) or last > 1e6 * first
    expect(grew, f"fit with lr = 1.1 x the stable limit 2/lambda_max = {limit:.4g} (N=200, d=3, 100 steps) "
                 f"went from loss {first:.4g} to {last:.4g}; just above the limit the "
                 f"steepest direction overshoots more every step, so the loss must blow up"
                 + ("; yours fell, so its steps are shorter than lr times the gradient (is the "
                    "factor 2 of mse_gradient missing?)" if last < first else ""))


@points("fit", 0.5)
def test_zero_steps_and_plain_floats(student):
    X, y, w0, b0 = linear_data(12, 2, seed=35)
    w, b, losses = _run(student, X, y, w0, b0, 0.1, 0)
    expect(losses == [], f"fit with steps=0 returned losses {losses!r:.60}; expected [] (no steps, no losses)")
    expect(torch.equal(w, w0.double()) and torch.equal(b, b0.double()),
           f"fit with steps=0 returned w {show(w)}, b {show(b)}; expected the initial values "
           f"{show(w0)}, {show(b0)}: no step, no change")
    _, _, three = _run(student, X, y, w0, b0, 0.1, 3, strict=True)
    expect(len(three) == 3, f"fit with steps=3 returned {len(three)} losses; expected 3")


@points("fit", 0.5)
def test_zero_learning_rate_keeps_the_parameters(student):
    X, y, w0, b0 = linear_data(12, 2, seed=37)
    w, b, losses = _run(student, X, y, w0, b0, 0.0, 4)
    expect(torch.equal(w, w0.double()) and torch.equal(b, b0.double()),
           f"fit with lr=0 and 4 steps returned w {show(w)}, b {show(b)}; with a zero learning rate "
           f"the parameters must come back as they started ({show(w0)}, {show(b0)})")
    start = loss64(X, y, w0, b0)
    expect(len(losses) == 4 and all(abs(v - start) <= 1e-6 + 1e-5 * start for v in losses),
           f"fit with lr=0 and 4 steps recorded losses {[round(v, 6) for v in losses]}; with nothing "
           f"moving every entry is the loss of w0, b0, {start:.6g}")


@points("fit", 0.5)
def test_runs_with_autograd_switched_off(student):
    X, y, w0, b0 = linear_data(40, 3, seed=38)
    inside = _triple(without_autograd(student, "fit", X, y, w0, b0, 0.05, 6))
    outside = _triple(student.fit(X, y, w0, b0, 0.05, 6))
    tensors = [(as_tensor(a, "fit's w or b"), as_tensor(c, "fit's w or b")) for a, c in zip(inside, outside[:2])]
    tensors.append(tuple(torch.tensor(as_float_list(r[2], "fit's losses"), dtype=torch.float64)
                         for r in (inside, outside)))
    same = all(a.shape == c.shape and torch.allclose(a, c, rtol=0, atol=0, equal_nan=True)
               for a, c in tensors)
    expect(same, "fit inside torch.inference_mode() (N=40, d=3, lr=0.05, 6 steps) returned other "
                 "parameters or losses than outside it: a loop built on the hand-derived gradient "
                 "does not depend on autograd's state")


@points("fit", 0.5)
def test_inputs_unchanged_and_plain_tensors(student):
    X, y, w0, b0 = linear_data(30, 3, seed=36)
    args, names = (X, y, w0, b0, 0.1, 5), ("X", "y", "w0", "b0")
    reply = expect_unchanged(student, "fit", args, names)
    w, b, _ = _triple(reply["result"])
    expect_shape(as_tensor(w, "fit's w"), (3, 1), "fit's w", 30)
    expect_shape(as_tensor(b, "fit's b"), (1,), "fit's b", 30)
    expect_no_autograd(reply, args, names, ("w", "b"), "fit")


@points("fit", 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        X, y, w0, b0 = linear_data(4000, 8, seed=300 + r)
        return (X, y, w0, b0, 0.01, 100)
    assert_not_much_slower(student, reference_process, "fit", make_args,
                           workload="N=4000, d=8, 100 steps", hint=LOOP_HINT)
