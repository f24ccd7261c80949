"""Hidden checks for `train` (the whole loop: loss, gradient, step, repeated `steps` times)."""

from looplab.checks import (as_float, as_float_list, as_pair, assert_not_much_slower,
                            assert_trajectory, close, describe, expect, expect_unchanged, fail,
                            likely, points)

from .model import TRAIN, best_w, curvature, data, exact_line

LOOP_HINT = ("a Python loop over the samples (in train, mse_loss or mse_gradient) is the usual "
             "cause: each step should work on whole tensors, e.g. (w * x - y) ** 2")


def _train(student, w0, x, y, lr, steps, *, strict: bool = False) -> tuple[float, list[float]]:
    """The student's (w, history), read as a float and a list of floats."""
    result = student.train(w0, x, y, lr, steps)
    if strict and not isinstance(result, tuple):
        fail(f"train returned a {type(result).__name__}; the contract asks for a tuple (w, history)")
    w, history = as_pair(result, "train", "(w, history): the final parameter and the list of losses")
    return (as_float(w, "train's w", strict=strict),
            as_float_list(history, "train's history", strict=strict))


def _diagnose(w, history, **setting):
    return lambda: TRAIN.diagnose([w, *history], TRAIN.messages, **setting)


def _length_hint(got: list[float], steps: int, w: float, x, y) -> str:
    """Why a history has the wrong length, when it is recognisable."""
    if len(got) == steps + 1:
        last = ((w * x.double() - y.double()) ** 2).mean().item()
        moving = len(got) < 2 or not close(got[-1], got[-2], rtol=1e-3)
        if moving and close(got[-1], last, rtol=2e-3):
            return likely("the loss after the last update is appended too; record only the loss "
                          "before each update")
        if moving:
            return likely("the loop runs steps + 1 times (off by one): use range(steps)")
        return likely("one entry too many: either the loop runs steps + 1 times (use "
                      "range(steps)) or the loss after the last update is appended too")
    if len(got) == steps - 1:
        return likely("the loop runs steps - 1 times (off by one): use range(steps)")
    if len(got) < steps:
        return likely("the loop stopped early; the contract asks for exactly `steps` updates, "
                      "with no stopping when the loss gets small")
    return ""


def _expect_length(history: list[float], steps: int, w: float, x, y, setting: str) -> None:
    count = f"{len(history)} loss" + ("" if len(history) == 1 else "es")
    expect(len(history) == steps,
           f"train returned a history of {count} for steps={steps} ({setting}); expected exactly "
           f"{steps}, one per update, each recorded before that update"
           + _length_hint(history, steps, w, x, y))


def _expect_reference(student, reference, *, n, seed, w0, lr, steps, w_true=2.0, noise=0.5):
    x, y = data(n, seed, w_true, noise)
    setting = describe(N=n, w0=w0, lr=lr, steps=steps)
    w, history = _train(student, w0, x, y, lr, steps)
    want_w, want_history = reference.train(w0, x, y, lr, steps)
    diagnose = _diagnose(w, history, w0=w0, x=x, y=y, lr=lr, steps=steps)
    _expect_length(history, steps, w, x, y, setting)
    assert_trajectory(history, want_history, what="train", unit="step",
                      setting=setting, diagnose=diagnose)
    if not close(w, want_w):
        fail(f"train returned w = {w:.6g} after {steps} steps, the reference reaches "
             f"{want_w:.6g} ({setting})" + likely(diagnose()))


@points("train", 1)
def test_matches_reference_with_noisy_data(student, reference):
    _expect_reference(student, reference, n=20, seed=21, w0=0.0, lr=0.05, steps=12)


@points("train", 1)
def test_matches_reference_starting_above_the_best_w(student, reference):
    _expect_reference(student, reference, n=64, seed=22, w0=5.0, lr=0.2, steps=8, w_true=-1.0,
                      noise=0.3)


@points("train", 1)
def test_one_step_matches_the_update_rule_by_hand(student):
    x, y = data(15, 23, w_true=0.5)
    w0, lr = 2.0, 0.1
    w, history = _train(student, w0, x, y, lr, 1)
    residual = w0 * x.double() - y.double()
    loss0 = (residual ** 2).mean().item()  # L(w0) = mean((w0 x - y)^2)
    w1 = w0 - lr * 2 * (residual * x.double()).mean().item()  # w0 - lr * 2 mean((w0 x - y) x)
    setting = describe(N=15, w0=w0, lr=lr, steps=1)
    diagnose = _diagnose(w, history, w0=w0, x=x, y=y, lr=lr, steps=1)
    _expect_length(history, 1, w, x, y, setting)
    expect(close(history[0], loss0),
           f"train recorded {history[0]:.6g} for its one step ({setting}); the loss of w0 before "
           f"the update is {loss0:.6g}" + likely(diagnose()))
    expect(close(w, w1),
           f"after one step train returned w = {w:.6g} ({setting}); by hand, "
           f"w0 - lr * 2 * mean((w0 * x - y) * x) = {w1:.6g}" + likely(diagnose()))


@points("train", 0.5)
def test_loss_decreases_every_step(student):
    x, y = data(50, 24, w_true=2.0)
    w, history = _train(student, -1.0, x, y, 0.05, 15)
    rises = [k for k in range(1, len(history)) if not history[k] < history[k - 1]]
    expect(len(history) >= 2 and not rises,
           f"train (N=50, w0=-1.0, lr=0.05, steps=15) did not lower the loss at step(s) {rises[:5]} "
           f"(losses {[round(v, 4) for v in history[:6]]}...): with a small learning rate every "
           f"gradient descent step lowers the loss; check that the update subtracts the gradient")


@points("train", 0.5)
def test_zero_learning_rate_leaves_w_unchanged(student):
    x, y = data(30, 25)
    w0 = 0.625
    w, history = _train(student, w0, x, y, 0.0, 4)
    start = ((w0 * x.double() - y.double()) ** 2).mean().item()
    expect(close(w, w0, rtol=1e-6, atol=0.0),
           f"train with lr=0 returned w = {w:.6g} from w0 = {w0}; a zero learning rate makes every "
           f"step w - 0 * grad, so w must stay where it started")
    expect(len(history) > 0 and all(close(v, start) for v in history),
           f"train with lr=0 and steps=4 recorded {[round(v, 6) for v in history]}; w never moves, "
           f"so it must record the loss of w0 ({start:.6g}) four times")


@points("train", 1)
def test_exactly_steps_updates_as_the_closed_form_predicts(student):
    x, y = data(40, 26, w_true=1.0)
    w0, lr = 3.0, 0.1
    w_star, a = best_w(x, y), curvature(x)
    for steps in (1, 5, 17):
        w, history = _train(student, w0, x, y, lr, steps)
        setting = describe(N=40, w0=w0, lr=lr, steps=steps)
        _expect_length(history, steps, w, x, y, setting)
        # Each step shrinks the distance to the best w by the same factor 1 - 2 lr mean(x^2).
        want = w_star + (1 - 2 * lr * a) ** steps * (w0 - w_star)
        if not close(w, want):
            updates = f"{steps} update{'s' if steps != 1 else ''} give{'' if steps != 1 else 's'}"
            fail(f"train returned w = {w:.6g} after steps={steps} ({setting}); exactly {updates} "
                 f"w* + (1 - 2 lr mean(x^2))^{steps} (w0 - w*) = {want:.6g}, with w* = {w_star:.4f}"
                 + likely(_diagnose(w, history, w0=w0, x=x, y=y, lr=lr, steps=steps)()))


@points("train", 0.5)
def test_runs_every_step_even_after_a_perfect_fit(student):
    x, y = exact_line(25, 27, w_true=1.5)
    for w0, lr, steps in [(1.5, 0.1, 6), (0.0, 0.3, 60)]:
        w, history = _train(student, w0, x, y, lr, steps)
        setting = describe(w0=w0, lr=lr, steps=steps) + "; the data lie exactly on y = 1.5 * x"
        _expect_length(history, steps, w, x, y, setting)
        expect(close(w, 1.5, rtol=1e-5),
               f"train returned w = {w:.6g} ({setting}); it should reach 1.5, where the loss is 0")


@points("train", 0.5)
def test_zero_steps_returns_w0_and_an_empty_history(student):
    x, y = data(10, 28)
    w, history = _train(student, 0.75, x, y, 0.1, 0)
    expect(w == 0.75 and history == [],
           f"train with steps=0 returned w = {w!r:.12}, history {history!r:.60}; expected "
           f"(0.75, []): no steps, so w0 comes back unchanged and nothing is recorded")


@points("train", 0.5)
def test_returns_a_tuple_of_plain_floats(student):
    x, y = data(10, 29)
    _train(student, 0.0, x, y, 0.1, 3, strict=True)


@points("train", 0.5)
def test_inputs_unchanged(student):
    x, y = data(16, 30)
    expect_unchanged(student, "train", (0.0, x, y, 0.1, 3), ("w0", "x", "y"))


@points("train", 1)
def test_not_much_slower_than_reference(student, reference_process):
    # The extra slack (0.15 s) accepts any whole-tensor style, autograd at every step included
    # (about 10x the reference here); Python loops over the samples take 40x and more.
    def make_args(r):
        x, y = data(50_000, 900 + r)
        return (0.0, x, y, 0.05, 30)
    assert_not_much_slower(student, reference_process, "train", make_args, slack=0.15,
                           workload="N=50,000 samples, 30 steps", hint=LOOP_HINT)
