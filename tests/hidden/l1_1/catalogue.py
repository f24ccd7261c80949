"""Lesson 1.1's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake is the reference with one thing done wrong; it must lose
points on its task (named there) and nowhere else, except where the student's own code calls
the mistaken function: train calls mse_loss, mse_gradient and gradient_step, so their mistakes
spread to train. Each alternative is a correct solution in another style and keeps full marks.
"""

from looplab.catalogue import Alternative, Mistake, mutate, reference_source

REFERENCE = reference_source("1.1")

# --- pieces of the reference that the mistakes change -------------------------------------

LOSS_RESIDUAL = "residual = w * x - y  # (N,) prediction minus target"
LOSS_RETURN = "return (residual ** 2).mean().item()"
GRAD_RESIDUAL = "residual = w * x - y  # (N,)\n"
GRAD_RETURN = "return (2.0 * (residual * x).mean()).item()"
STEP_RETURN = "return w - lr * grad  # against the gradient: downhill"
RECORD = "history.append(mse_loss(w, x, y))  # recorded before the update"
UPDATE = "w = gradient_step(w, mse_gradient(w, x, y), lr)"
LOOP = "for _ in range(steps):"
START = "    w = w0\n    history = []\n"
TRAINS = ("train",)  # train calls the student's own mse_loss, mse_gradient and gradient_step


def _edit(old: str, new: str) -> str:
    return mutate(REFERENCE, old, new)


MISTAKES = [
    # --- mse_loss
    Mistake("summed_not_averaged", "mse_loss", _edit(LOSS_RETURN, "return (residual ** 2).sum().item()"),
            named="summed instead of averaged", spreads=TRAINS),
    Mistake("root_mean_squared_error", "mse_loss",
            _edit(LOSS_RETURN, "return (residual ** 2).mean().sqrt().item()"),
            named="square root of the mean squared error", spreads=TRAINS),
    Mistake("tensor_not_float", "mse_loss", _edit(LOSS_RETURN, "return (residual ** 2).mean()"),
            named="call .item()", spreads=TRAINS),
    # `residual = x` is the same tensor as x, so the in-place updates land in the caller's x.
    Mistake("input_changed_in_place", "mse_loss",
            _edit(LOSS_RESIDUAL, "residual = x\n    residual *= w\n    residual -= y"),
            named="changed its input `x` in place", spreads=TRAINS),
    Mistake("python_loop_over_samples", "mse_loss",
            _edit(f"{LOSS_RESIDUAL}\n    {LOSS_RETURN}",
                  "total = 0.0\n    for i in range(len(x)):\n"
                  "        total += ((w * x[i] - y[i]) ** 2).item()\n    return total / len(x)"),
            named="a Python loop over the samples", spreads=TRAINS),
    # --- mse_gradient
    Mistake("factor_two_missing", "mse_gradient", _edit(GRAD_RETURN, "return (residual * x).mean().item()"),
            named="the factor 2 from differentiating the square is missing", spreads=TRAINS),
    Mistake("summed_not_averaged", "mse_gradient",
            _edit(GRAD_RETURN, "return (2.0 * (residual * x).sum()).item()"),
            named="sums over the samples instead of averaging", spreads=TRAINS),
    Mistake("residual_sign_flipped", "mse_gradient", _edit(GRAD_RESIDUAL, "residual = y - w * x\n"),
            named="the sign is flipped", spreads=TRAINS),
    Mistake("chain_rule_factor_x_missing", "mse_gradient",
            _edit(GRAD_RETURN, "return (2.0 * residual.mean()).item()"),
            named="the factor x_i from the chain rule is missing", spreads=TRAINS),
    # --- gradient_step
    Mistake("gradient_ascent", "gradient_step", _edit(STEP_RETURN, "return w + lr * grad"),
            named="adds the gradient instead of subtracting it", spreads=TRAINS),
    Mistake("learning_rate_applied_twice", "gradient_step", _edit(STEP_RETURN, "return w - lr * lr * grad"),
            named="the learning rate is applied twice", spreads=TRAINS),
    # --- train
    Mistake("one_step_too_many", "train", _edit(LOOP, "for _ in range(steps + 1):"),
            named="the loop runs steps + 1 times", example="buggy"),
    Mistake("loss_recorded_after_the_step", "train",
            _edit(f"{RECORD}\n        {UPDATE}", f"{UPDATE}\n        history.append(mse_loss(w, x, y))"),
            named="recorded after the step"),
    Mistake("final_loss_appended", "train",
            _edit("    return w, history\n", "    history.append(mse_loss(w, x, y))\n    return w, history\n"),
            named="the loss after the last update is appended"),
    Mistake("learning_rate_applied_twice", "train",
            _edit(UPDATE, "w = gradient_step(w, lr * mse_gradient(w, x, y), lr)"),
            named="the learning rate is applied twice"),
    Mistake("gradient_ascent_inline", "train", _edit(UPDATE, "w = w + lr * mse_gradient(w, x, y)"),
            named="adds the gradient instead of subtracting it"),
    Mistake("early_stop_on_a_loss_threshold", "train",
            _edit(f"{RECORD}\n", f"{RECORD}\n        if history[-1] < 1e-6:\n            break\n"),
            named="the loop stopped early"),
    Mistake("tensor_parameter_returned", "train", _edit(START, "    w = torch.tensor(w0)\n    history = []\n"),
            named="call .item() on the tensor"),
    # Loops over Python lists cost little in one call of mse_loss (sending the data dominates),
    # but train repeats them every step: its speed check is where they show.
    Mistake("python_lists_instead_of_tensors", "train",
            _edit(f"{LOSS_RESIDUAL}\n    {LOSS_RETURN}",
                  "pairs = list(zip(x.tolist(), y.tolist()))\n"
                  "    return sum((w * a - b) ** 2 for a, b in pairs) / len(pairs)"),
            named="a Python loop over the samples (in train, mse_loss or mse_gradient)"),
    Mistake("zero_steps_rejected", "train",
            _edit(START, START + "    if steps < 1:\n        raise ValueError('steps must be positive')\n"),
            named="raised ValueError"),
]

# --- correct solutions in other styles ----------------------------------------------------

FUNCTIONAL_AND_AUTOGRAD = '''
import torch
import torch.nn.functional as F


def mse_loss(w, x, y):
    return F.mse_loss(w * x, y).item()


def mse_gradient(w, x, y):
    """Asks autograd instead of using the formula: same number, other route."""
    w_leaf = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
    loss = F.mse_loss(w_leaf * x.double(), y.double())
    (grad,) = torch.autograd.grad(loss, w_leaf)
    return grad.item()


def gradient_step(w, grad, lr):
    w -= lr * grad  # rebinds a local float; the caller's value is untouched
    return w


def train(w0, x, y, lr, steps):
    w = w0
    history = []
    step = 0
    while True:
        if step == steps:
            return (w, history)
        history.append(mse_loss(w, x, y))
        w = gradient_step(w, mse_gradient(w, x, y), lr)
        step += 1
'''

THREE_AVERAGES = '''
import torch
from torch import Tensor


def averages(x: Tensor, y: Tensor) -> tuple[float, float, float]:
    """a = mean(x^2), b = mean(x y), c = mean(y^2), in float64: L(w) = a w^2 - 2 b w + c."""
    x, y = x.double(), y.double()
    return (x * x).mean().item(), (x * y).mean().item(), (y * y).mean().item()


def mse_loss(w: float, x: Tensor, y: Tensor) -> float:
    a, b, c = averages(x, y)
    return max(a * w * w - 2 * b * w + c, 0.0)


def mse_gradient(w: float, x: Tensor, y: Tensor) -> float:
    a, b, _ = averages(x, y)
    return 2 * (a * w - b)


def gradient_step(w: float, grad: float, lr: float) -> float:
    return w - grad * lr


def train(w0: float, x: Tensor, y: Tensor, lr: float, steps: int) -> tuple[float, list[float]]:
    a, b, c = averages(x, y)  # one pass over the data; every step is then three multiplications
    w, history = w0, []
    for _ in range(steps):
        history.append(max(a * w * w - 2 * b * w + c, 0.0))
        w = gradient_step(w, 2 * (a * w - b), lr)
    return w, history
'''

CHATTY = '''
import math
import sys
import warnings

import torch

print("lesson 1.1: loading my solution")


def mse_loss(w, x, y):
    errors = torch.sub(torch.mul(x, w), y)
    return torch.mean(torch.square(errors)).item()


def mse_gradient(w, x, y):
    errors = w * x - y
    return 2.0 * torch.dot(errors, x).item() / x.numel()


def gradient_step(w, grad, lr):
    if lr > 1.0:
        warnings.warn(f"learning rate {lr} is large; training may diverge")
    return w - lr * grad


def train(w0, x, y, lr, steps):
    w = float(w0)
    history = []
    for step in range(steps):
        loss = mse_loss(w, x, y)
        history.append(loss)
        if not math.isfinite(loss):
            print(f"step {step}: the loss is {loss}, training has diverged", file=sys.stderr)
        w = gradient_step(w, mse_gradient(w, x, y), lr)
        if step % 10 == 0:
            print(f"step {step}: loss {loss:.5f}, w {w:.5f}")
    return w, history
'''

FLOAT64_DOT = '''
# A correct submission for lesson 1.1 written in float64 with torch.dot: the loss and the
# gradient both start from one residual vector, and the loop counts its steps in a while loop.
import torch
from torch import Tensor


def _residual(w: float, x: Tensor, y: Tensor) -> Tensor:
    return w * x.double() - y.double()  # (N,) in float64


def mse_loss(w: float, x: Tensor, y: Tensor) -> float:
    r = _residual(w, x, y)
    return float(torch.dot(r, r) / r.numel())


def mse_gradient(w: float, x: Tensor, y: Tensor) -> float:
    r = _residual(w, x, y)
    return float(2.0 * torch.dot(r, x.double()) / r.numel())


def gradient_step(w: float, grad: float, lr: float) -> float:
    return float(w - lr * grad)


def train(w0: float, x: Tensor, y: Tensor, lr: float, steps: int) -> tuple[float, list[float]]:
    w, history = float(w0), []
    done = 0
    while done < steps:
        history.append(mse_loss(w, x, y))
        w = gradient_step(w, mse_gradient(w, x, y), lr)
        done += 1
    return w, history
'''

ALTERNATIVES = [
    Alternative("functional_mse_and_autograd_gradient", FUNCTIONAL_AND_AUTOGRAD,
                "F.mse_loss, and the gradient from torch.autograd instead of the formula"),
    Alternative("loss_expanded_into_three_averages", THREE_AVERAGES,
                "the loss written as a w^2 - 2 b w + c from three averages of the data"),
    Alternative("prints_progress_and_warns", CHATTY, "prints progress and warns on a large lr"),
    Alternative("float64_dot_while_loop", FLOAT64_DOT,
                "float64 with torch.dot, and a while loop that counts its steps", example="correct"),
]
