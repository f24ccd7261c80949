"""Hidden checks for `train` (the whole loop: loss, gradient, step, repeated `steps` times)."""

from looplab.checks import expect, fail, points
from looplab.checks.timing import assert_not_much_slower

from .common import (close, expect_history_length, expect_inputs_unchanged, expect_reference,
                     run_train)
from .data import best_w, curvature, describe, exact_line, make_data
from .mistakes import diagnose_train

LOOP_HINT = ("a Python loop over the samples (in train, mse_loss or mse_gradient) is the usual "
             "cause: each step should work on whole tensors, e.g. (w * x - y) ** 2")


def _named(w, history, **setting) -> str:
    mistake = diagnose_train(w, history, **setting)
    return f"\nlikely mistake: {mistake}" if mistake else ""


@points("train", 1)
def test_matches_reference_with_noisy_data(student, reference):
    expect_reference(student, reference, n=20, seed=21, w0=0.0, lr=0.05, steps=12)


@points("train", 1)
def test_matches_reference_starting_above_the_best_w(student, reference):
    expect_reference(student, reference, n=64, seed=22, w0=5.0, lr=0.2, steps=8, w_true=-1.0,
                     noise=0.3)


@points("train", 1)
def test_one_step_matches_the_update_rule_by_hand(student):
    x, y = make_data(15, 23, w_true=0.5)
    w0, lr = 2.0, 0.1
    w, history = run_train(student, w0, x, y, lr, 1)
    x64, y64 = x.double(), y.double()
    residual = w0 * x64 - y64
    loss0 = (residual ** 2).mean().item()  # L(w0) = mean((w0 x - y)^2)
    w1 = w0 - lr * 2 * (residual * x64).mean().item()  # w1 = w0 - lr * 2 mean((w0 x - y) x)
    setting = describe(N=15, w0=w0, lr=lr, steps=1)
    expect_history_length(history, 1, w, x, y, setting)
    expect(close(history[0], loss0),
           f"train recorded {history[0]:.6g} for its one step ({setting}); the loss of w0 before "
           f"the update is {loss0:.6g}" + _named(w, history, w0=w0, x=x, y=y, lr=lr, steps=1))
    expect(close(w, w1),
           f"after one step train returned w = {w:.6g} ({setting}); by hand, "
           f"w0 - lr * 2 * mean((w0 * x - y) * x) = {w1:.6g}"
           + _named(w, history, w0=w0, x=x, y=y, lr=lr, steps=1))


@points("train", 0.5)
def test_loss_decreases_every_step(student):
    x, y = make_data(50, 24, w_true=2.0)
    w, history = run_train(student, -1.0, x, y, 0.05, 15)
    rises = [k for k in range(1, len(history)) if not history[k] < history[k - 1]]
    expect(len(history) >= 2 and not rises,
           f"train (N=50, w0=-1.0, lr=0.05, steps=15) did not lower the loss at step(s) {rises[:5]} "
           f"(losses {[round(v, 4) for v in history[:6]]}...): with a small learning rate every "
           f"gradient descent step lowers the loss; check that the update subtracts the gradient")


@points("train", 0.5)
def test_zero_learning_rate_leaves_w_unchanged(student):
    x, y = make_data(30, 25)
    w0 = 0.625
    w, history = run_train(student, w0, x, y, 0.0, 4)
    start = ((w0 * x.double() - y.double()) ** 2).mean().item()
    expect(close(w, w0, rtol=1e-6, atol=0.0),
           f"train with lr=0 returned w = {w:.6g} from w0 = {w0}; a zero learning rate makes every "
           f"step w - 0 * grad, so w must stay where it started")
    expect(len(history) > 0 and all(close(v, start) for v in history),
           f"train with lr=0 and steps=4 recorded {[round(v, 6) for v in history]}; w never moves, "
           f"so it must record the loss of w0 ({start:.6g}) four times")


@points("train", 1)
def test_exactly_steps_updates_as_the_closed_form_predicts(student):
    x, y = make_data(40, 26, w_true=1.0)
    w0, lr = 3.0, 0.1
    w_star, a = best_w(x, y), curvature(x)
    for steps in (1, 5, 17):
        w, history = run_train(student, w0, x, y, lr, steps)
        setting = describe(N=40, w0=w0, lr=lr, steps=steps)
        expect_history_length(history, steps, w, x, y, setting)
        # Each step shrinks the distance to the best w by the same factor 1 - 2 lr mean(x^2).
        want = w_star + (1 - 2 * lr * a) ** steps * (w0 - w_star)
        if not close(w, want):
            fail(f"train returned w = {w:.6g} after steps={steps} ({setting}); exactly {steps} "
                 f"update{'s' if steps != 1 else ''} give{'' if steps != 1 else 's'} w* + (1 - 2 lr mean(x^2))^{steps} (w0 - w*) = {want:.6g}, "
                 f"with w* = {w_star:.4f}" + _named(w, history, w0=w0, x=x, y=y, lr=lr, steps=steps))


@points("train", 0.5)
def test_runs_every_step_even_after_a_perfect_fit(student):
    x, y = exact_line(25, 27, w_true=1.5)
    for w0, lr, steps in [(1.5, 0.1, 6), (0.0, 0.3, 60)]:
        w, history = run_train(student, w0, x, y, lr, steps)
        setting = describe(w0=w0, lr=lr, steps=steps) + "; the data lie exactly on y = 1.5 * x"
        expect_history_length(history, steps, w, x, y, setting)
        expect(close(w, 1.5, rtol=1e-5),
               f"train returned w = {w:.6g} ({setting}); it should reach 1.5, where the loss is 0")


@points("train", 0.5)
def test_zero_steps_returns_w0_and_an_empty_history(student):
    x, y = make_data(10, 28)
    w, history = run_train(student, 0.75, x, y, 0.1, 0)
    expect(w == 0.75 and history == [],
           f"train with steps=0 returned w = {w!r:.12}, history {history!r:.60}; expected "
           f"(0.75, []): no steps, so w0 comes back unchanged and nothing is recorded")


@points("train", 0.5)
def test_returns_a_tuple_of_plain_floats(student):
    x, y = make_data(10, 29)
    run_train(student, 0.0, x, y, 0.1, 3, strict=True)


@points("train", 0.5)
def test_inputs_unchanged(student):
    x, y = make_data(16, 30)
    expect_inputs_unchanged(student, "train", 0.0, x, y, 0.1, 3)


@points("train", 1)
def test_not_much_slower_than_reference(student, reference_process):
    # The extra slack (0.15 s) accepts any whole-tensor style, autograd at every step included
    # (about 10x the reference here); Python loops over the samples take 40x and more.
    def make_args(r):
        x, y = make_data(50_000, 900 + r)
        return (0.0, x, y, 0.05, 30)
    assert_not_much_slower(student, reference_process, "train", make_args, slack=0.15,
                           workload="N=50,000 samples, 30 steps", hint=LOOP_HINT)
