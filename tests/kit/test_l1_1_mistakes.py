"""A catalogue of realistic student mistakes for lesson 1.1.

Each mistake is the reference solution with one thing done wrong, in the
function it belongs to. Grading it must (a) cost points on that function's
task, (b) leave the tasks it cannot affect at full marks, and (c) say what
went wrong: some failed check of the task names the mistake.

`train` calls the student's own mse_loss, mse_gradient and gradient_step, so a
mistake in one of those usually costs points on train as well; each entry
lists the tasks that must stay intact explicitly.
"""

from __future__ import annotations

import pytest
from conftest import ROOT, mutate
from catalogue import Mistake, assert_caught, others_of

from looplab import lessons

LESSON = "1.1"
TASKS = lessons.get(LESSON).tasks
others = others_of(TASKS)
REFERENCE = (ROOT / "solutions" / "lesson-1.1.py").read_text()


def edit(old: str, new: str) -> str:
    return mutate(REFERENCE, old, new)


# --- pieces of the reference that the mistakes change -------------------------

LOSS_RESIDUAL = "residual = w * x - y  # (N,) prediction minus target"
LOSS_RETURN = "return (residual ** 2).mean().item()"
GRAD_RESIDUAL = "residual = w * x - y  # (N,)\n"
GRAD_RETURN = "return (2.0 * (residual * x).mean()).item()"
STEP_RETURN = "return w - lr * grad  # against the gradient: downhill"
RECORD = "history.append(mse_loss(w, x, y))  # recorded before the update"
UPDATE = "w = gradient_step(w, mse_gradient(w, x, y), lr)"
LOOP = "for _ in range(steps):"
START = "    w = w0\n    history = []\n"

# Train depends on all three helpers, so their mistakes spread to it.
LOSS_SPREADS = ("mse_loss", "train")
GRAD_SPREADS = ("mse_gradient", "train")
STEP_SPREADS = ("gradient_step", "train")

MSE_LOSS = [
    Mistake("summed_not_averaged", "mse_loss", edit(LOSS_RETURN, "return (residual ** 2).sum().item()"),
            "summed instead of averaged", others(*LOSS_SPREADS)),
    Mistake("root_mean_squared_error", "mse_loss",
            edit(LOSS_RETURN, "return (residual ** 2).mean().sqrt().item()"),
            "square root of the mean squared error", others(*LOSS_SPREADS)),
    Mistake("tensor_not_float", "mse_loss", edit(LOSS_RETURN, "return (residual ** 2).mean()"),
            "call .item()", others(*LOSS_SPREADS)),
    # `residual = x` is the same tensor as x, so the in-place updates land in the caller's x.
    Mistake("input_changed_in_place", "mse_loss",
            edit(LOSS_RESIDUAL, "residual = x\n    residual *= w\n    residual -= y"),
            "changed its input `x` in place", others(*LOSS_SPREADS)),
    Mistake("python_loop_over_samples", "mse_loss",
            edit(f"{LOSS_RESIDUAL}\n    {LOSS_RETURN}",
                 "total = 0.0\n    for i in range(len(x)):\n"
                 "        total += ((w * x[i] - y[i]) ** 2).item()\n    return total / len(x)"),
            "a Python loop over the samples", others(*LOSS_SPREADS)),
]

MSE_GRADIENT = [
    Mistake("factor_two_missing", "mse_gradient", edit(GRAD_RETURN, "return (residual * x).mean().item()"),
            "the factor 2 from differentiating the square is missing", others(*GRAD_SPREADS)),
    Mistake("summed_not_averaged", "mse_gradient",
            edit(GRAD_RETURN, "return (2.0 * (residual * x).sum()).item()"),
            "sums over the samples instead of averaging", others(*GRAD_SPREADS)),
    Mistake("residual_sign_flipped", "mse_gradient", edit(GRAD_RESIDUAL, "residual = y - w * x\n"),
            "the sign is flipped", others(*GRAD_SPREADS)),
    Mistake("chain_rule_factor_x_missing", "mse_gradient",
            edit(GRAD_RETURN, "return (2.0 * residual.mean()).item()"),
            "the factor x_i from the chain rule is missing", others(*GRAD_SPREADS)),
]

GRADIENT_STEP = [
    Mistake("gradient_ascent", "gradient_step", edit(STEP_RETURN, "return w + lr * grad"),
            "adds the gradient instead of subtracting it", others(*STEP_SPREADS)),
    Mistake("learning_rate_applied_twice", "gradient_step", edit(STEP_RETURN, "return w - lr * lr * grad"),
            "the learning rate is applied twice", others(*STEP_SPREADS)),
]

TRAIN = [
    Mistake("one_step_too_many", "train", edit(LOOP, "for _ in range(steps + 1):"),
            "the loop runs steps + 1 times", others("train")),
    Mistake("loss_recorded_after_the_step", "train",
            edit(f"{RECORD}\n        {UPDATE}", f"{UPDATE}\n        history.append(mse_loss(w, x, y))"),
            "recorded after the step", others("train")),
    Mistake("final_loss_appended", "train",
            edit("    return w, history\n", "    history.append(mse_loss(w, x, y))\n    return w, history\n"),
            "the loss after the last update is appended", others("train")),
    Mistake("learning_rate_applied_twice", "train",
            edit(UPDATE, "w = gradient_step(w, lr * mse_gradient(w, x, y), lr)"),
            "the learning rate is applied twice", others("train")),
    Mistake("gradient_ascent_inline", "train", edit(UPDATE, "w = w + lr * mse_gradient(w, x, y)"),
            "adds the gradient instead of subtracting it", others("train")),
    Mistake("early_stop_on_a_loss_threshold", "train",
            edit(f"{RECORD}\n", f"{RECORD}\n        if history[-1] < 1e-6:\n            break\n"),
            "the loop stopped early", others("train")),
    Mistake("tensor_parameter_returned", "train", edit(START, "    w = torch.tensor(w0)\n    history = []\n"),
            "call .item() on the tensor", others("train")),
    # Loops over Python lists cost little in one call of mse_loss (sending the data dominates),
    # but train repeats them every step: its speed check is where they show.
    Mistake("python_lists_instead_of_tensors", "train",
            edit(f"{LOSS_RESIDUAL}\n    {LOSS_RETURN}",
                 "pairs = list(zip(x.tolist(), y.tolist()))\n"
                 "    return sum((w * a - b) ** 2 for a, b in pairs) / len(pairs)"),
            "a Python loop over the samples (in train, mse_loss or mse_gradient)",
            others("train")),
    Mistake("zero_steps_rejected", "train",
            edit(START, START + "    if steps < 1:\n        raise ValueError('steps must be positive')\n"),
            "raised ValueError", others("train")),
]

CATALOGUE = MSE_LOSS + MSE_GRADIENT + GRADIENT_STEP + TRAIN


def test_catalogue_is_complete():
    assert len(CATALOGUE) >= 8
    assert {m.task for m in CATALOGUE} == set(TASKS)
    assert all(m.source != REFERENCE for m in CATALOGUE)
    assert len({(m.task, m.id) for m in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("mistake", CATALOGUE, ids=lambda m: f"{m.task}-{m.id}")
def test_mistake_loses_points_on_its_task_and_is_named(grade, mistake):
    assert_caught(grade(mistake.source, lesson=LESSON), mistake)
