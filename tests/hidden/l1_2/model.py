"""The lesson's linear model X @ w + b, in float64 in the checker's process: reading the
student's tensors with shape hints, the exact answers (autograd, least squares, the stable
step size), and the known mistakes, simulated so that a failed check can name the likely one."""

from __future__ import annotations

import torch
from torch import Tensor

from looplab.checks import Mistakes, as_pair, as_tensor, expect, fail

BROADCAST = ("the residual became an (N, N) matrix: the prediction and y have different shapes "
             "((N,) against (N, 1)), so subtracting them broadcasts; keep both (N, 1), "
             "e.g. X @ w + b - y with w of shape (d, 1)")

# --- reading the student's tensors --------------------------------------------------------


def pair(result: object, what: str, names: tuple[str, str]) -> tuple[Tensor, Tensor]:
    """The result as a tuple of two tensors, or a failure that says what came back."""
    first, second = as_pair(result, what, f"({', '.join(names)})")
    return as_tensor(first, f"{what}'s {names[0]}"), as_tensor(second, f"{what}'s {names[1]}")


def shape_hint(got: tuple[int, ...], want: tuple[int, ...], n: int) -> str:
    d = want[0]
    if want == (1,):
        if got == ():
            return "a 0-dim tensor; b has shape (1,), so keep one dimension (e.g. sum(dim=0) or .reshape(1))"
        if got == (1, 1):
            return "b has shape (1,), not (1, 1)"
        return BROADCAST if n in got and n > 1 else "it should have the shape of b, (1,)"
    if got == (1, d) and d > 1:
        return "transposed: X.T @ r has shape (d, 1), r.T @ X has shape (1, d)"
    if got == (d,):
        return "a flat (d,) tensor; keep the column shape (d, 1) of w"
    return BROADCAST if n in got and n > 1 else "it should have the shape of w, (d, 1)"


def expect_shape(value: Tensor, want: tuple[int, ...], what: str, n: int) -> None:
    """The contract's shape (with a hint at the usual cause) and float32 dtype."""
    if tuple(value.shape) != want:
        fail(f"{what} has shape {tuple(value.shape)}, expected {want}: "
             f"{shape_hint(tuple(value.shape), want, n)}")
    as_tensor(value, what, dtype=torch.float32)


def values(value: Tensor, want: tuple[int, ...], what: str, n: int) -> Tensor:
    """The values as float64 in the expected shape; a wrong shape with the right count is forgiven
    here (the shape check takes the point), any other count fails."""
    if value.numel() != torch.Size(want).numel():
        fail(f"{what} has shape {tuple(value.shape)}, expected {want}: "
             f"{shape_hint(tuple(value.shape), want, n)}")
    if want[0] > 1 and tuple(value.shape) == (1, want[0]):
        return value.detach().double().reshape(1, -1).T  # a transposed (1, d) result, read as (d, 1)
    return value.detach().double().reshape(want)


def close(got: Tensor, want: Tensor, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """Entry-wise |got - want| <= atol * (1 + max|want|) + rtol * |want|; NaN never matches."""
    scale = 1.0 + want.abs().max().item() if want.numel() else 1.0
    return bool(torch.isfinite(got).all()) and bool(((got - want).abs() <= atol * scale + rtol * want.abs()).all())


def show(t: Tensor, k: int = 3) -> str:
    flat = t.detach().double().flatten().tolist()
    return "[" + ", ".join(f"{v:.5g}" for v in flat[:k]) + (", ...]" if len(flat) > k else "]")


def expect_no_autograd(reply: dict, args: tuple, names: tuple[str, ...], returned: tuple[str, ...],
                       what: str) -> None:
    """Neither an input nor a returned tensor has requires_grad switched on: the gradient comes
    from the formula. `reply` is `expect_unchanged`'s (it carries the arguments after the call)."""
    for name, before, after in zip(names, args, reply["args_after"]):
        if isinstance(before, Tensor) and isinstance(after, Tensor):
            expect(after.requires_grad == before.requires_grad,
                   f"{what} switched on requires_grad of its input `{name}`: that is autograd at work "
                   f"(and a change to the caller's tensor); compute the gradient from the formula instead")
    result = reply["result"]
    for name, value in zip(returned, result if isinstance(result, (tuple, list)) else ()):
        expect(not (isinstance(value, Tensor) and value.requires_grad),
               f"{what}: the returned {name} requires grad, so it was computed with autograd "
               f"(requires_grad_, backward or torch.autograd). This lesson derives the gradient "
               f"by hand: compute it from the formula with plain tensors")


# --- exact answers --------------------------------------------------------------------------


def loss64(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> float:
    return ((X.double() @ w.double() + b.double() - y.double()) ** 2).mean().item()


def autograd_gradient(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """dL/dw (d, 1) and dL/db (1,) in float64, by autograd."""
    w64 = w.detach().double().clone().requires_grad_(True)
    b64 = b.detach().double().clone().requires_grad_(True)
    loss = ((X.double() @ w64 + b64 - y.double()) ** 2).mean()
    return torch.autograd.grad(loss, (w64, b64))


def augmented(X: Tensor) -> Tensor:
    """[X, 1] in float64, shape (N, d + 1): the bias as one more weight."""
    return torch.cat([X.double(), torch.ones(X.shape[0], 1, dtype=torch.float64)], dim=1)


def least_squares(X: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """The closed-form minimiser (w*, b*) of the mean squared error."""
    coef = torch.linalg.lstsq(augmented(X), y.double()).solution  # (d + 1, 1)
    return coef[:-1], coef[-1]


def stable_limit(X: Tensor) -> float:
    """2 / lambda_max, lambda_max the largest eigenvalue of the Hessian (2 / N) A^T A."""
    A = augmented(X)
    return 2.0 / torch.linalg.eigvalsh((2.0 / A.shape[0]) * (A.T @ A))[-1].item()


# --- known mistakes -------------------------------------------------------------------------


GRADIENT_TEXT = {
    "no_two": "the factor 2 from differentiating the square is missing",
    "sum": "it is summed over the samples instead of averaged: divide by N",
    "sum_no_two": "both the factor 2 and the division by N are missing",
    "sign": "it has the wrong sign: with r = X @ w + b - y the gradient is +(2/N) X^T r "
            "(if you wrote r = y - prediction, the chain rule brings a minus sign)",
    "no_bias": "the residual leaves out the bias: r = X @ w + b - y",
    "broadcast": BROADCAST,
}


def _gradient_variants(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> dict[str, tuple[Tensor, Tensor]]:
    X, y, w, b = (t.detach().double() for t in (X, y, w, b))
    n = X.shape[0]
    r, r_no_bias = X @ w + b - y, X @ w - y  # (N, 1)
    scales = {"correct": 2 / n, "no_two": 1 / n, "sum": 2.0, "sum_no_two": 1.0, "sign": -2 / n}
    variants = {name: (s * X.T @ r, s * r.sum(0)) for name, s in scales.items()}
    variants["no_bias"] = ((2 / n) * X.T @ r_no_bias, (2 / n) * r_no_bias.sum(0))
    return variants


def name_gradient(grad_w: Tensor, grad_b: Tensor, X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> str | None:
    """Which part is wrong and how, e.g. 'grad_b: it is summed over the samples...'."""
    variants = _gradient_variants(X, y, w, b)
    w_kind = next((k for k, (gw, _) in variants.items() if close(grad_w, gw)), None)
    b_kind = next((k for k, (_, gb) in variants.items() if close(grad_b, gb)), None)
    if w_kind == b_kind and w_kind not in (None, "correct"):
        return f"both gradients: {GRADIENT_TEXT[w_kind]}"
    found = [f"{part}: {GRADIENT_TEXT[k]}" for part, k in (("grad_w", w_kind), ("grad_b", b_kind))
             if k not in (None, "correct")]
    if not found and w_kind == "correct" and b_kind is None:
        found.append("grad_b: the derivative with respect to b is (2/N) times the sum of the "
                     "residuals, the mean residual times 2")
    return "; ".join(found) or None


def simulate_fit(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, lr: float, steps: int,
                 mistake: str | None = None) -> tuple[Tensor, Tensor, list[float]]:
    """Gradient descent in float64, with one mistake switched on: (w, b, losses)."""
    X, y, w, b = (t.detach().double() for t in (X, y, w0, b0))
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
        w, b = w0.double(), b0.double()
    return w, b, losses


FIT = Mistakes({
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
}, simulate_fit)


def same_fit(got: tuple, simulated: tuple) -> bool:
    """(w, b, losses) agree where the student's are known (None: not compared)."""
    w, b, losses = got
    sim_w, sim_b, sim_losses = simulated
    if losses is not None and not (len(losses) == len(sim_losses) and all(
            abs(g - v) <= 1e-6 + 1e-3 * abs(v) for g, v in zip(losses, sim_losses))):
        return False
    return w is None or (close(w, sim_w, 1e-3, 1e-4) and close(b, sim_b, 1e-3, 1e-4))


def _limit(X: Tensor, mistake: str) -> float:
    A, X64 = augmented(X), X.double()
    n = A.shape[0]
    top = torch.linalg.eigvalsh((2.0 / n) * (A.T @ A))
    return {"no_bias": lambda: 2.0 / torch.linalg.eigvalsh((2.0 / n) * (X64.T @ X64))[-1].item(),
            "no_two_hessian": lambda: 4.0 / top[-1].item(), "one_over_l": lambda: 1.0 / top[-1].item(),
            "no_mean": lambda: 2.0 / (n * top[-1].item()), "smallest": lambda: 2.0 / top[0].item(),
            "trace": lambda: 2.0 / top.sum().item()}[mistake]()


LIMIT = Mistakes({
    "no_bias": "the bias is left out: append a column of ones to X (A = [X, 1]), because b is a "
               "parameter too and its direction can be the steepest",
    "no_two_hessian": "the Hessian misses its factor 2: the second derivative of r^2 is 2, so "
                      "H = (2/N) A^T A",
    "one_over_l": "this is 1 / lambda_max; the stability limit is 2 / lambda_max",
    "no_mean": "the Hessian is not divided by N: the loss is a mean, so H = (2/N) A^T A",
    "smallest": "this uses the smallest eigenvalue; the limit comes from the largest one, "
                "the steepest direction",
    "trace": "this uses the trace (the sum of all eigenvalues) instead of the largest eigenvalue",
}, _limit)
