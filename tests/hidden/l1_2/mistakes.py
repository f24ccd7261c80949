"""Known mistakes of lesson 1.2, recomputed in float64 so a failed check can name one.

Each `*_variants` function returns what a mistaken version would compute on the
same inputs; `name_*` functions return the description of the first variant the
student's result matches, or "" when none does.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .common import BROADCAST, close
from .data import augmented

MSE_TEXT = {
    "sum": "the squared errors are summed, not averaged: divide by N (take the mean)",
    "half": "the loss is halved (the 1/(2N) convention); this lesson's loss is the plain mean, "
            "without the 1/2",
    "rmse": "this is the square root of the mean squared error; return the mean itself",
    "abs": "the errors are not squared: this is the mean absolute error",
    "no_bias": "the prediction leaves out the bias: it is X @ w + b",
    "broadcast": BROADCAST,
}

GRADIENT_TEXT = {
    "no_two": "the factor 2 from differentiating the square is missing",
    "sum": "it is summed over the samples instead of averaged: divide by N",
    "sum_no_two": "both the factor 2 and the division by N are missing",
    "sign": "it has the wrong sign: with r = X @ w + b - y the gradient is +(2/N) X^T r "
            "(if you wrote r = y - prediction, the chain rule brings a minus sign)",
    "no_bias": "the residual leaves out the bias: r = X @ w + b - y",
    "broadcast": BROADCAST,
}

FIT_TEXT = {
    "record_after": "the loss is recorded after each update instead of just before it "
                    "(entry 0 must be the loss of w0, b0)",
    "no_two": "every step is half as long as it should be: the gradient misses its factor 2 "
              "(see mse_gradient)",
    "sum": "every step is N times too long: the gradient is summed over the samples instead of "
           "averaged (see mse_gradient)",
    "bias_sum": "the bias steps are N times too long: its gradient is summed, not averaged "
                "(see mse_gradient)",
    "sign": "the update adds the gradient instead of subtracting it (or the gradient has the "
            "wrong sign)",
    "bias_frozen": "the bias b is never updated",
    "extra_step": "the parameters have one update too many: make exactly `steps` updates",
    "short_step": "the parameters have one update too few: make exactly `steps` updates",
    "initial": "the returned parameters are the initial ones: return the trained w and b",
}

LIMIT_TEXT = {
    "no_bias": "the bias is left out: append a column of ones to X (A = [X, 1]), because b is a "
               "parameter too and its direction can be the steepest",
    "no_two_hessian": "the Hessian misses its factor 2: the second derivative of r^2 is 2, so "
                      "H = (2/N) A^T A",
    "one_over_l": "this is 1 / lambda_max; the stability limit is 2 / lambda_max",
    "no_mean": "the Hessian is not divided by N: the loss is a mean, so H = (2/N) A^T A",
    "smallest": "this uses the smallest eigenvalue; the limit comes from the largest one, "
                "the steepest direction",
    "trace": "this uses the trace (the sum of all eigenvalues) instead of the largest eigenvalue",
}


def _f64(*tensors: Tensor) -> list[Tensor]:
    return [t.detach().double() for t in tensors]


def mse_variants(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> dict[str, float]:
    X, y, w, b = _f64(X, y, w, b)
    r = X @ w + b - y  # (N, 1)
    flat = (X @ w + b).reshape(-1)  # (N,)
    return {
        "sum": (r ** 2).sum().item(),
        "half": (r ** 2).mean().item() / 2,
        "rmse": (r ** 2).mean().sqrt().item(),
        "abs": r.abs().mean().item(),
        "no_bias": ((X @ w - y) ** 2).mean().item(),
        "broadcast": ((flat - y) ** 2).mean().item(),  # (N, N) pairs
    }


def name_mse(got: float, X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> str:
    for name, value in mse_variants(X, y, w, b).items():
        if abs(got - value) <= 1e-6 + 1e-4 * abs(value):
            return MSE_TEXT[name]
    return ""


def gradient_variants(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> dict[str, tuple[Tensor, Tensor]]:
    X, y, w, b = _f64(X, y, w, b)
    n = X.shape[0]
    r = X @ w + b - y  # (N, 1)
    r_no_bias = X @ w - y
    return {
        "correct": ((2 / n) * X.T @ r, (2 / n) * r.sum(0)),
        "no_two": ((1 / n) * X.T @ r, (1 / n) * r.sum(0)),
        "sum": (2 * X.T @ r, 2 * r.sum(0)),
        "sum_no_two": (X.T @ r, r.sum(0)),
        "sign": (-(2 / n) * X.T @ r, -(2 / n) * r.sum(0)),
        "no_bias": ((2 / n) * X.T @ r_no_bias, (2 / n) * r_no_bias.sum(0)),
    }


def name_gradient(grad_w: Tensor, grad_b: Tensor, X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> str:
    """Which part is wrong and how, e.g. 'grad_b: it is summed over the samples...'."""
    variants = gradient_variants(X, y, w, b)
    w_kind = next((k for k, (gw, _) in variants.items() if close(grad_w, gw)), None)
    b_kind = next((k for k, (_, gb) in variants.items() if close(grad_b, gb)), None)
    if w_kind == b_kind and w_kind not in (None, "correct"):
        return f"both gradients: {GRADIENT_TEXT[w_kind]}"
    found = [f"{part}: {GRADIENT_TEXT[k]}" for part, k in (("grad_w", w_kind), ("grad_b", b_kind))
             if k not in (None, "correct")]
    if not found and w_kind == "correct" and b_kind is None:
        found.append("grad_b: the derivative with respect to b is (2/N) times the sum of the "
                     "residuals, the mean residual times 2")
    return "; ".join(found)


def simulate_fit(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, lr: float, steps: int,
                 mistake: str | None = None) -> tuple[Tensor, Tensor, list[float]]:
    """Gradient descent in float64, with one mistake switched on."""
    X, y, w, b = _f64(X, y, w0, b0)
    n = X.shape[0]
    updates = steps + {"extra_step": 1, "short_step": -1}.get(mistake, 0)
    losses = []
    for k in range(max(updates, steps)):
        r = X @ w + b - y
        scale = {"no_two": 1 / n, "sum": 2.0, "sign": -2 / n}.get(mistake, 2 / n)
        grad_w, grad_b = scale * X.T @ r, scale * r.sum(0)
        if mistake == "bias_sum":
            grad_b = 2 * r.sum(0)
        if mistake == "bias_frozen":
            grad_b = torch.zeros_like(grad_b)
        if k < steps and mistake != "record_after":
            losses.append((r ** 2).mean().item())
        if k < updates:
            w, b = w - lr * grad_w, b - lr * grad_b
        if k < steps and mistake == "record_after":
            losses.append(((X @ w + b - y) ** 2).mean().item())
    if mistake == "initial":
        w, b = _f64(w0, b0)
    return w, b, losses


def name_fit(got_w: Tensor | None, got_b: Tensor | None, got_losses: list[float] | None,
             X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, lr: float, steps: int) -> str:
    """The first known mistake whose losses (when given) and parameters (when given) match."""
    for mistake in FIT_TEXT:
        try:
            w, b, losses = simulate_fit(X, y, w0, b0, lr, steps, mistake)
        except (RuntimeError, OverflowError):
            continue
        if got_losses is not None and not _same_losses(got_losses, losses):
            continue
        if got_w is not None and not (close(got_w, w, 1e-3, 1e-4) and close(got_b, b, 1e-3, 1e-4)):
            continue
        return FIT_TEXT[mistake]
    return ""


def _same_losses(got: list[float], want: list[float]) -> bool:
    return len(got) == len(want) and all(abs(g - v) <= 1e-6 + 1e-3 * abs(v) for g, v in zip(got, want))


def limit_variants(X: Tensor) -> dict[str, float]:
    A = augmented(X)
    X64 = X.double()
    n = A.shape[0]
    H = (2.0 / n) * (A.T @ A)
    top = torch.linalg.eigvalsh(H)
    return {
        "no_bias": 2.0 / torch.linalg.eigvalsh((2.0 / n) * (X64.T @ X64))[-1].item(),
        "no_two_hessian": 4.0 / top[-1].item(),
        "one_over_l": 1.0 / top[-1].item(),
        "no_mean": 2.0 / (n * top[-1].item()),
        "smallest": 2.0 / top[0].item(),
        "trace": 2.0 / top.sum().item(),
    }


def name_limit(got: float, X: Tensor) -> str:
    for name, value in limit_variants(X).items():
        if abs(got - value) <= 1e-4 * abs(value):
            return LIMIT_TEXT[name]
    return ""
