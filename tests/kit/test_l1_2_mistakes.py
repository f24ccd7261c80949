"""A catalogue of realistic student mistakes for lesson 1.2.

Each mistake is the reference solution with one thing done wrong, in the
function it belongs to. Grading it must (a) cost points on that function's
task, (b) leave the tasks it cannot affect at full marks, and (c) say what
went wrong: some failed check of the task names the mistake.

The functions build on each other (gd_step calls mse_gradient, fit calls mse
and gd_step), so a mistake in one also costs points on the tasks that use it;
each entry lists the tasks that must stay intact explicitly.
"""

from __future__ import annotations

import pytest
from conftest import ROOT, mutate
from catalogue import Mistake, assert_caught, others_of, replace_body

from looplab import lessons

REFERENCE = (ROOT / "solutions" / "lesson-1.2.py").read_text()
TASKS = lessons.get("1.2").tasks
others = others_of(TASKS)


# --- pieces of the reference that the mistakes change ------------------------------

MSE_RESIDUAL = "residual = X @ w + b - y  # (N, 1): prediction minus target"
MSE_RETURN = "return (residual ** 2).mean()"
GRAD_RESIDUAL = "residual = X @ w + b - y  # (N, 1)\n"
GRAD_W = "grad_w = (2.0 / n) * (X.T @ residual)"
GRAD_B = "grad_b = (2.0 / n) * residual.sum(dim=0)"
STEP = "return w - lr * grad_w, b - lr * grad_b"
FIT_COPIES = "w, b = w0.clone(), b0.clone()"
FIT_LOOP = "for _ in range(steps):"
LIMIT_A = "A = torch.cat([X, torch.ones(n, 1, dtype=X.dtype)], dim=1).double()"
LIMIT_H = "hessian = (2.0 / n) * (A.T @ A)"

USES_GRADIENT = ("mse_gradient", "gd_step", "fit")  # a wrong gradient spreads to these
USES_MSE = ("mse", "fit")

PER_SAMPLE_GRADIENT = '''
    n = X.shape[0]
    grad_w = torch.zeros_like(w)
    grad_b = torch.zeros_like(b)
    for i in range(n):  # one sample at a time
        r_i = X[i] @ w + b - y[i]  # (1,)
        grad_w += (2.0 / n) * r_i * X[i].reshape(-1, 1)
        grad_b += (2.0 / n) * r_i
    return grad_w, grad_b
'''

AUTOGRAD_ON_INPUTS = '''
    w.requires_grad_(True)
    b.requires_grad_(True)
    loss = mse(X, y, w, b)
    loss.backward()
    return w.grad, b.grad
'''

AUTOGRAD_ON_COPIES = '''
    w = w.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    mse(X, y, w, b).backward()
    return w.grad, b.grad
'''

FIT_IN_PLACE = '''
    w, b = w0, b0  # no copy: the updates below land in the caller's tensors
    losses = []
    for _ in range(steps):
        losses.append(mse(X, y, w, b).item())
        grad_w, grad_b = mse_gradient(X, y, w, b)
        w -= lr * grad_w
        b -= lr * grad_b
    return w, b, losses
'''

FIT_WITH_AUTOGRAD = '''
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    losses = []
    for _ in range(steps):
        loss = mse(X, y, w, b)
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
    return w, b, losses
'''

CATALOGUE = [
    # --- mse
    Mistake("sum_instead_of_mean", "mse", mutate(REFERENCE, MSE_RETURN, "return (residual ** 2).sum()"),
            "summed, not averaged", others(*USES_MSE)),
    Mistake("half_mean_convention", "mse", mutate(REFERENCE, MSE_RETURN, "return (residual ** 2).mean() / 2"),
            "the 1/(2N) convention", others(*USES_MSE)),
    Mistake("flat_prediction_broadcasts", "mse",
            mutate(REFERENCE, MSE_RESIDUAL, "residual = (X @ w).squeeze(1) + b - y  # (N,) - (N, 1)"),
            "(N, N) matrix", others(*USES_MSE)),
    # --- mse_gradient
    Mistake("missing_factor_two", "mse_gradient",
            mutate(mutate(REFERENCE, GRAD_W, "grad_w = (1.0 / n) * (X.T @ residual)"),
                   GRAD_B, "grad_b = (1.0 / n) * residual.sum(dim=0)"),
            "factor 2 from differentiating the square is missing", others(*USES_GRADIENT)),
    Mistake("sum_instead_of_mean", "mse_gradient",
            mutate(mutate(REFERENCE, GRAD_W, "grad_w = 2.0 * (X.T @ residual)"),
                   GRAD_B, "grad_b = 2.0 * residual.sum(dim=0)"),
            "summed over the samples instead of averaged", others(*USES_GRADIENT)),
    Mistake("transposed_product", "mse_gradient",
            mutate(REFERENCE, GRAD_W, "grad_w = (2.0 / n) * (residual.T @ X)"),
            "transposed", others(*USES_GRADIENT)),
    Mistake("bias_gradient_not_averaged", "mse_gradient",
            mutate(REFERENCE, GRAD_B, "grad_b = 2.0 * residual.sum(dim=0)"),
            "grad_b: it is summed over the samples", others(*USES_GRADIENT)),
    Mistake("wrong_sign", "mse_gradient",
            mutate(REFERENCE, GRAD_RESIDUAL, "residual = y - (X @ w + b)  # target minus prediction\n"),
            "wrong sign", others(*USES_GRADIENT)),
    Mistake("flat_target_broadcasts", "mse_gradient",
            mutate(REFERENCE, GRAD_RESIDUAL, "residual = X @ w + b - y.squeeze(1)  # (N, 1) - (N,)\n"),
            "(N, N) matrix", others(*USES_GRADIENT)),
    Mistake("per_sample_python_loop", "mse_gradient",
            replace_body(REFERENCE, "mse_gradient", PER_SAMPLE_GRADIENT),
            "a Python loop over the samples", others("mse_gradient", "fit")),
    Mistake("autograd_on_the_inputs", "mse_gradient",
            replace_body(REFERENCE, "mse_gradient", AUTOGRAD_ON_INPUTS),
            "switched on requires_grad", others(*USES_GRADIENT)),
    Mistake("autograd_on_detached_copies", "mse_gradient",
            replace_body(REFERENCE, "mse_gradient", AUTOGRAD_ON_COPIES),
            "autograd", others("mse_gradient"),
            gap="autograd on private detached copies leaves no trace in the results: the values "
                "are right and nothing returned or passed in requires grad"),
    # --- gd_step
    Mistake("update_in_place", "gd_step",
            mutate(REFERENCE, STEP, "w -= lr * grad_w\n    b -= lr * grad_b\n    return w, b"),
            "changed its input `w` in place", others("gd_step")),
    Mistake("gradient_ascent", "gd_step", mutate(REFERENCE, STEP, "return w + lr * grad_w, b + lr * grad_b"),
            "goes up the slope", others("gd_step", "fit")),
    Mistake("updates_w0_in_place", "fit", replace_body(REFERENCE, "fit", FIT_IN_PLACE),
            "changed its input `w0` in place", others("fit")),
    Mistake("one_step_too_many", "fit", mutate(REFERENCE, FIT_LOOP, "for _ in range(steps + 1):"),
            "returned 13 losses, expected 12", others("fit")),
    Mistake("loss_recorded_after_update", "fit",
            mutate(REFERENCE, "losses.append(mse(X, y, w, b).item())  # recorded before the update\n"
                              "        w, b = gd_step(X, y, w, b, lr)",
                   "w, b = gd_step(X, y, w, b, lr)\n        losses.append(mse(X, y, w, b).item())"),
            "recorded after each update", others("fit")),
    Mistake("trained_with_autograd", "fit", replace_body(REFERENCE, "fit", FIT_WITH_AUTOGRAD),
            "requires grad, so it was computed with autograd", others("fit")),
    # --- max_stable_lr
    Mistake("no_bias_column", "max_stable_lr", mutate(REFERENCE, LIMIT_A, "A = X.double()  # forgot the bias"),
            "the bias is left out", others("max_stable_lr")),
    Mistake("hessian_without_two", "max_stable_lr", mutate(REFERENCE, LIMIT_H, "hessian = (1.0 / n) * (A.T @ A)"),
            "misses its factor 2", others("max_stable_lr")),
]


def test_catalogue_covers_every_task():
    assert len(CATALOGUE) >= 8
    assert {m.task for m in CATALOGUE} == set(TASKS)
    assert all(m.source != REFERENCE for m in CATALOGUE)
    assert len({(m.task, m.id) for m in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("mistake", [m.param() for m in CATALOGUE])
def test_mistake_loses_points_on_its_task_and_is_named(grade, mistake):
    assert_caught(grade(mistake.source, lesson="1.2"), mistake)
