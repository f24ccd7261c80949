"""Lesson 3.1's known mistakes, each reproduced by a simulated step function (or training loop),
so that a failing check can name the likely one.

`STEP_MISTAKES[task]` maps a mistake's name to the message a student reads; `simulated(task,
mistake)` is a step function with that mistake, in the lesson's contract, that `runs.run_steps`
can run in the checker's process. `diagnose_run` runs each candidate on the failing setting and
returns the message of the first whose trajectory reproduces the student's.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import Tensor

from looplab.checks import likely

SGD = {
    "buffer_from_zero": "the momentum buffer starts at zero, so the first step adds only (1 - dampening) g; "
                        "PyTorch starts the buffer at the gradient itself (buf = g.clone() on the first step)",
    "nesterov_ignored": "nesterov=True is ignored: Nesterov steps along g + momentum * buf, not buf",
    "nesterov_no_factor": "the Nesterov step is g + buf; it is g + momentum * buf",
    "nesterov_buffer_twice": "the Nesterov look-ahead was stored back into the momentum buffer; "
                             "the buffer is updated as usual and only the step uses g + momentum * buf",
    "decay_after_momentum": "weight decay is added after the momentum buffer; PyTorch adds "
                            "weight_decay * p to the gradient first, so the buffer averages it too",
    "dampening_ignored": "dampening is ignored: after the first step buf <- momentum * buf + (1 - dampening) g",
    "decay_ignored": "weight_decay is ignored: add weight_decay * p to the gradient",
    "lr_in_buffer": "the buffer holds lr times PyTorch's buffer (buf <- momentum * buf + lr * g); the "
                    "steps agree only while lr never changes, and momentum_buffer must hold PyTorch's value",
}

RMSPROP = {
    "eps_inside": "eps is inside the square root; PyTorch divides by sqrt(square_avg) + eps",
    "no_one_minus_alpha": "the squared gradient is added without its weight: "
                          "square_avg <- alpha * square_avg + (1 - alpha) * g^2",
    "bias_corrected": "square_avg is bias-corrected as in Adam; PyTorch's RMSprop has no bias correction",
    "starts_at_first_square": "square_avg starts at the first g^2; PyTorch starts it at zero and "
                              "averages g^2 in from the first step",
    "momentum_before_normalising": "momentum is applied to the raw gradient and then divided by "
                                   "sqrt(square_avg) + eps; PyTorch's buffer collects the normalised "
                                   "steps: buf <- momentum * buf + g / (sqrt(square_avg) + eps)",
    "decay_ignored": "weight_decay is ignored: add weight_decay * p to the gradient",
    "lr_in_buffer": "momentum_buffer holds lr times PyTorch's buffer (the lr was folded into it); "
                    "the steps agree only while lr never changes",
}

ADAM = {
    "no_bias_correction": "no bias correction: divide m by 1 - beta1^t and v by 1 - beta2^t, t "
                          "counting this parameter's updates from 1",
    "no_v_correction": "v is not bias-corrected: divide it by 1 - beta2^t as well as m by 1 - beta1^t",
    "eps_inside": "eps is inside the square root; PyTorch divides by sqrt(v_hat) + eps",
    "eps_before_correction": "eps is added to sqrt(v) before the bias correction, (sqrt(v) + eps) / "
                             "sqrt(1 - beta2^t); PyTorch adds it after: sqrt(v_hat) + eps",
    "shared_step": "one step count is shared by all parameters (it grows once per parameter per "
                   "call); each parameter counts its own updates",
    "step_per_call": "one step count is kept for the whole call, so a parameter whose gradient was "
                     "None still advances it; each parameter counts its own updates (state[i]['step'])",
    "decoupled_no_lr": "AdamW's decay is p <- p - weight_decay * p; PyTorch scales it by the learning "
                       "rate, p <- p * (1 - lr * weight_decay)",
    "decoupled_ignored": "decoupled=True is ignored: AdamW shrinks p directly (p *= 1 - lr * "
                         "weight_decay) instead of adding weight_decay * p to the gradient",
    "l2_decoupled": "with decoupled=False the decay is applied to p directly (that is AdamW); "
                    "Adam's L2 adds weight_decay * p to the gradient, so it goes through m and v",
    "decay_after_update": "AdamW's decay is applied after the Adam update; PyTorch shrinks p first, "
                          "p *= 1 - lr * weight_decay, then takes the step",
    "betas_swapped": "the betas are swapped: m uses beta1 (0.9 by default), v uses beta2 (0.999)",
}

NONE_AS_ZERO = ("a gradient of None was treated as zeros, so the parameter's buffers (and with them the "
                "parameter) kept moving; a None gradient means the parameter took no part: skip it entirely")
for _messages in (SGD, RMSPROP, ADAM):
    _messages["none_as_zero"] = NONE_AS_ZERO

MESSAGES = {"sgd_momentum_step": SGD, "rmsprop_step": RMSPROP, "adam_step": ADAM}


def _sgd(params, grads, state, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
         nesterov=False, *, mistake: str) -> None:
    with torch.no_grad():
        for i, (p, g) in enumerate(zip(params, grads)):
            if g is None:
                continue
            if weight_decay != 0 and mistake not in ("decay_after_momentum", "decay_ignored"):
                g = g + weight_decay * p
            if momentum != 0:
                scale = lr if mistake == "lr_in_buffer" else 1.0
                keep = 1.0 if mistake == "dampening_ignored" else 1 - dampening
                if i not in state:
                    first = keep * g if mistake == "buffer_from_zero" else g
                    state[i] = {"momentum_buffer": scale * first}
                else:
                    buf = state[i]["momentum_buffer"]
                    state[i]["momentum_buffer"] = momentum * buf + scale * keep * g
                buf = state[i]["momentum_buffer"] / scale
                if nesterov and mistake != "nesterov_ignored":
                    look = g + (buf if mistake == "nesterov_no_factor" else momentum * buf)
                    if mistake == "nesterov_buffer_twice":
                        state[i]["momentum_buffer"] = look
                    g = look
                else:
                    g = buf
            if mistake == "decay_after_momentum" and weight_decay != 0:
                g = g + weight_decay * p
            p.sub_(lr * g)


def _rmsprop(params, grads, state, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
             *, mistake: str) -> None:
    with torch.no_grad():
        for i, (p, g) in enumerate(zip(params, grads)):
            if g is None:
                continue
            if weight_decay != 0 and mistake != "decay_ignored":
                g = g + weight_decay * p
            if i not in state:
                start = g * g if mistake == "starts_at_first_square" else torch.zeros_like(p)
                state[i] = {"step": 0, "square_avg": start}
                if momentum > 0:
                    state[i]["momentum_buffer"] = torch.zeros_like(p)
                fresh = mistake == "starts_at_first_square"
            else:
                fresh = False
            s = state[i]
            s["step"] += 1
            if not fresh:
                weight = 1.0 if mistake == "no_one_minus_alpha" else 1 - alpha
                s["square_avg"] = alpha * s["square_avg"] + weight * g * g
            sq = s["square_avg"]
            if mistake == "bias_corrected":
                sq = sq / (1 - alpha ** s["step"])
            denom = (sq + eps).sqrt() if mistake == "eps_inside" else sq.sqrt() + eps
            if momentum > 0:
                scale = lr if mistake == "lr_in_buffer" else 1.0
                if mistake == "momentum_before_normalising":
                    s["momentum_buffer"] = momentum * s["momentum_buffer"] + g
                    p.sub_(lr * s["momentum_buffer"] / denom)
                else:
                    s["momentum_buffer"] = momentum * s["momentum_buffer"] + scale * g / denom
                    p.sub_(lr * s["momentum_buffer"] / scale)
            else:
                p.sub_(lr * g / denom)


def _adam(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
          decoupled=False, *, mistake: str) -> None:
    beta1, beta2 = betas[::-1] if mistake == "betas_swapped" else betas
    if mistake == "decoupled_ignored":
        decoupled = False
    elif mistake == "l2_decoupled":
        decoupled = True
    if mistake == "step_per_call":
        state["calls"] = state.get("calls", 0) + 1
    with torch.no_grad():
        for i, (p, g) in enumerate(zip(params, grads)):
            if g is None:
                continue
            if i not in state:
                state[i] = {"step": 0, "exp_avg": torch.zeros_like(p), "exp_avg_sq": torch.zeros_like(p)}
            s = state[i]
            if mistake == "shared_step":  # one count for everything, bumped per parameter
                state["count"] = state.get("count", 0) + 1
                s["step"] = state["count"]
            elif mistake == "step_per_call":  # one count per call, skipped parameters included
                s["step"] = state["calls"]
            else:
                s["step"] += 1
            t = s["step"]
            shrink = 1.0
            if weight_decay != 0:
                if decoupled and mistake == "decoupled_no_lr":
                    p.mul_(1 - weight_decay)
                elif decoupled and mistake == "decay_after_update":
                    shrink = 1 - lr * weight_decay
                elif decoupled:
                    p.mul_(1 - lr * weight_decay)
                else:
                    g = g + weight_decay * p
            s["exp_avg"] = beta1 * s["exp_avg"] + (1 - beta1) * g
            s["exp_avg_sq"] = beta2 * s["exp_avg_sq"] + (1 - beta2) * g * g
            c1 = 1.0 if mistake == "no_bias_correction" else 1 - beta1 ** t
            c2 = 1.0 if mistake in ("no_bias_correction", "no_v_correction") else 1 - beta2 ** t
            m_hat, v = s["exp_avg"] / c1, s["exp_avg_sq"]
            if mistake == "eps_inside":
                denom = (v / c2 + eps).sqrt()
            elif mistake == "eps_before_correction":
                denom = (v.sqrt() + eps) / c2 ** 0.5
            else:
                denom = (v / c2).sqrt() + eps
            p.sub_(lr * m_hat / denom)
            p.mul_(shrink)


SIMULATORS = {"sgd_momentum_step": _sgd, "rmsprop_step": _rmsprop, "adam_step": _adam}


def simulated(task: str, mistake: str) -> Callable[..., None]:
    """The task's step function with `mistake`, in the lesson's contract."""
    simulate = SIMULATORS[task]
    if mistake == "none_as_zero":
        return lambda params, grads, state, **hyper: simulate(
            params, [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)], state,
            mistake="", **hyper)
    return lambda params, grads, state, **hyper: simulate(params, grads, state, mistake=mistake, **hyper)


def same_run(got: Tensor, want: Tensor) -> bool:
    """Two trajectories agree to simulation accuracy (a mistake reproduced, not the answer)."""
    return got.shape == want.shape and bool(torch.allclose(got, want, rtol=1e-6, atol=1e-9, equal_nan=True))


def diagnose_run(task: str, got: Tensor, run: Callable[[Callable[..., None]], dict],
                 correct: Tensor, names: Any = None) -> str:
    """`likely(...)` text naming the first known mistake of `task` that reproduces `got`.

    `run(step)` runs the failing setting with a step function; `correct` is the right
    trajectory, so a mistake that changes nothing in this setting is never named.
    """
    messages = MESSAGES[task]
    for name in names or messages:
        try:
            result = run(simulated(task, name))["trajectory"]
        except (RuntimeError, ValueError, ZeroDivisionError):
            continue
        if same_run(got, result) and not same_run(result, correct):
            return likely(messages[name])
    return ""


# --- train_mlp_with ---------------------------------------------------------------------------

TRAIN = {
    "state_reset": "the state dict is made afresh every epoch, so Adam's moments and step count (and "
                   "momentum's buffer) are forgotten: make state = {} once, before the loop",
    "grads_accumulate": "the gradients are never cleared, so every backward() adds to the last "
                        "epoch's: set each p.grad = None after the step (optimizer.zero_grad())",
    "loss_after_step": "the loss is recorded after the update; record loss.item() before step(...)",
    "hyper_dropped": "only lr reaches the step function: pass every hyperparameter, step(params, "
                     "grads, state, **hyper)",
}


def train_losses(X: Tensor, y: Tensor, layers0: list, activation: str, epochs: int,
                 step: Callable[..., None], hyper: dict, mistake: str = "") -> list[float]:
    """The losses train_mlp_with records, with `mistake` (lesson 2.1's MLP and loss)."""
    f = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[activation]
    params = [t.detach().clone().requires_grad_(True) for layer in layers0 for t in layer]

    def loss_now() -> Tensor:
        h = X
        for j in range(0, len(params), 2):
            h = h @ params[j] + params[j + 1]
            if j < len(params) - 2:
                h = f(h)
        return torch.nn.functional.binary_cross_entropy_with_logits(h, y)

    state: dict = {}
    losses = []
    for _ in range(epochs):
        if mistake == "state_reset":
            state = {}
        loss = loss_now()
        if mistake != "loss_after_step":
            losses.append(loss.item())
        loss.backward()
        step(params, [p.grad for p in params], state, **({"lr": hyper["lr"]} if mistake == "hyper_dropped" else hyper))
        if mistake != "grads_accumulate":
            for p in params:
                p.grad = None
        if mistake == "loss_after_step":
            with torch.no_grad():
                losses.append(loss_now().item())
    return losses
