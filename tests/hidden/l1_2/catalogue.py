"""Lesson 1.2's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake is the reference with one thing done wrong; it must lose
points on its task (named there) and nowhere else, except where the student's own code calls
the mistaken function: fit calls mse_gradient, so a mistake in mse_gradient spreads to fit.
Each alternative is a correct solution in another style and keeps full marks.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("1.2")

# --- pieces of the reference that the mistakes change -------------------------------------

GRAD_RESIDUAL = "residual = X @ w + b - y  # (N, 1)\n"
GRAD_W = "grad_w = (2.0 / n) * (X.T @ residual)"
GRAD_B = "grad_b = (2.0 / n) * residual.sum(dim=0)"
STEP = "w, b = w - lr * grad_w, b - lr * grad_b  # new tensors, never the caller's"
FIT_LOOP = "for _ in range(steps):"
FIT_RECORD = ("losses.append(mse(X, y, w, b).item())  # recorded before the update\n"
              "        grad_w, grad_b = mse_gradient(X, y, w, b)\n"
              "        w, b = w - lr * grad_w, b - lr * grad_b  # new tensors, never the caller's")
LIMIT_A = "A = torch.cat([X, torch.ones(n, 1, dtype=X.dtype)], dim=1).double()"
LIMIT_H = "hessian = (2.0 / n) * (A.T @ A)"
LIMIT_TOP = "largest = torch.linalg.eigvalsh(hessian)[-1].item()"

USE_GRADIENT = ("fit",)  # the student's own fit calls mse_gradient


def _edit(old: str, new: str) -> str:
    return mutate(REFERENCE, old, new)


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

FIT_AUTOGRAD_ON_COPIES = '''
    w, b = w0.clone(), b0.clone()
    losses = []
    for _ in range(steps):
        w_, b_ = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
        loss = mse(X, y, w_, b_)
        losses.append(loss.item())
        grad_w, grad_b = torch.autograd.grad(loss, (w_, b_))
        w, b = w - lr * grad_w, b - lr * grad_b
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

MISTAKES = [
    # --- mse_gradient
    Mistake("missing_factor_two", "mse_gradient",
            edit(REFERENCE, (GRAD_W, "grad_w = (1.0 / n) * (X.T @ residual)"),
                 (GRAD_B, "grad_b = (1.0 / n) * residual.sum(dim=0)")),
            named="factor 2 from differentiating the square is missing", spreads=USE_GRADIENT,
            example="buggy"),
    Mistake("sum_instead_of_mean", "mse_gradient",
            edit(REFERENCE, (GRAD_W, "grad_w = 2.0 * (X.T @ residual)"),
                 (GRAD_B, "grad_b = 2.0 * residual.sum(dim=0)")),
            named="summed over the samples instead of averaged", spreads=USE_GRADIENT),
    Mistake("transposed_product", "mse_gradient", _edit(GRAD_W, "grad_w = (2.0 / n) * (residual.T @ X)"),
            named="transposed", spreads=USE_GRADIENT),
    Mistake("bias_gradient_not_averaged", "mse_gradient", _edit(GRAD_B, "grad_b = 2.0 * residual.sum(dim=0)"),
            named="grad_b: it is summed over the samples", spreads=USE_GRADIENT),
    Mistake("wrong_sign", "mse_gradient",
            _edit(GRAD_RESIDUAL, "residual = y - (X @ w + b)  # target minus prediction\n"),
            named="wrong sign", spreads=USE_GRADIENT),
    Mistake("flat_target_broadcasts", "mse_gradient",
            _edit(GRAD_RESIDUAL, "residual = X @ w + b - y.squeeze(1)  # (N, 1) - (N,)\n"),
            named="(N, N) matrix", spreads=USE_GRADIENT),
    Mistake("per_sample_python_loop", "mse_gradient",
            replace_body(REFERENCE, "mse_gradient", PER_SAMPLE_GRADIENT),
            named="a Python loop over the samples", spreads=("fit",)),
    Mistake("autograd_on_the_inputs", "mse_gradient",
            replace_body(REFERENCE, "mse_gradient", AUTOGRAD_ON_INPUTS),
            named="switched on requires_grad", spreads=USE_GRADIENT),
    Mistake("autograd_on_detached_copies", "mse_gradient",
            replace_body(REFERENCE, "mse_gradient", AUTOGRAD_ON_COPIES),
            named="inside torch.inference_mode()", spreads=USE_GRADIENT),
    # --- fit
    Mistake("gradient_ascent", "fit", _edit(STEP, "w, b = w + lr * grad_w, b + lr * grad_b"),
            named="adds the gradient instead of subtracting it"),
    Mistake("bias_not_updated", "fit", _edit(STEP, "w = w - lr * grad_w"),
            named="the bias b is never updated"),
    Mistake("autograd_on_copies_in_fit", "fit", replace_body(REFERENCE, "fit", FIT_AUTOGRAD_ON_COPIES),
            named="inside torch.inference_mode()"),
    Mistake("updates_w0_in_place", "fit", replace_body(REFERENCE, "fit", FIT_IN_PLACE),
            named="changed its input `w0` in place"),
    Mistake("one_step_too_many", "fit", _edit(FIT_LOOP, "for _ in range(steps + 1):"),
            named="returned 13 losses, expected 12"),
    Mistake("loss_recorded_after_update", "fit",
            _edit(FIT_RECORD, "grad_w, grad_b = mse_gradient(X, y, w, b)\n"
                              "        w, b = w - lr * grad_w, b - lr * grad_b\n"
                              "        losses.append(mse(X, y, w, b).item())"),
            named="recorded after each update"),
    Mistake("trained_with_autograd", "fit", replace_body(REFERENCE, "fit", FIT_WITH_AUTOGRAD),
            named="requires grad, so it was computed with autograd"),
    Mistake("initial_parameters_returned", "fit",
            _edit("    return w, b, losses\n", "    return w0, b0, losses\n"),
            named="the returned parameters are the initial ones"),
    # --- max_stable_lr
    Mistake("no_bias_column", "max_stable_lr", _edit(LIMIT_A, "A = X.double()  # forgot the bias"),
            named="the bias is left out"),
    Mistake("hessian_without_two", "max_stable_lr", _edit(LIMIT_H, "hessian = (1.0 / n) * (A.T @ A)"),
            named="misses its factor 2"),
    Mistake("smallest_eigenvalue", "max_stable_lr",
            _edit(LIMIT_TOP, "largest = torch.linalg.eigvalsh(hessian)[0].item()"),
            named="uses the smallest eigenvalue"),
]

# --- correct solutions in other styles ----------------------------------------------------

AUGMENTED = '''
import torch
import torch.nn.functional as F
from torch import Tensor


def with_ones(X: Tensor) -> Tensor:
    return torch.cat([X, torch.ones_like(X[:, :1])], dim=1)  # (N, d + 1)


def mse(X, y, w, b):
    return F.mse_loss(X @ w + b, y)


def mse_gradient(X, y, w, b):
    A = with_ones(X)
    theta = torch.cat([w, b.reshape(1, 1)])  # (d + 1, 1): the bias is the last weight
    grad = 2.0 / len(X) * A.T @ (A @ theta - y)
    return grad[:-1], grad[-1]


def descend(X, y, w, b, lr):
    return tuple(p - lr * g for p, g in zip((w, b), mse_gradient(X, y, w, b)))


def fit(X, y, w0, b0, lr, steps):
    params, history = (w0, b0), []
    while len(history) < steps:
        history.append(float(mse(X, y, *params)))
        params = descend(X, y, *params, lr)
    w, b = params
    return w.clone(), b.clone(), history


def max_stable_lr(X):
    # lambda_max of (2/N) A^T A is (2/N) times the largest singular value of A, squared
    sigma = torch.linalg.svdvals(with_ones(X).double())[0]
    return float(X.shape[0] / sigma ** 2)
'''

FLOAT64_INSIDE = '''
import torch


def mse(X, y, w, b):
    r = X.double() @ w.double() + b.double() - y.double()
    return (r * r).sum().div(X.shape[0]).float()


def mse_gradient(X, y, w, b):
    X64, y64, w64, b64 = (t.double() for t in (X, y, w, b))
    r = X64 @ w64 + b64 - y64  # (N, 1)
    n = X64.shape[0]
    return (2 * X64.T @ r / n).float(), (2 * r.mean(dim=0)).float()


def fit(X, y, w0, b0, lr, steps):
    w, b = w0.double(), b0.double()
    X64, y64 = X.double(), y.double()
    losses = []
    for _ in range(steps):
        r = X64 @ w + b - y64
        losses.append((r ** 2).mean().item())
        w = w - lr * 2 * X64.T @ r / len(X64)
        b = b - lr * 2 * r.mean(dim=0)
    return w.float(), b.float(), losses


def max_stable_lr(X):
    n = X.shape[0]
    A = torch.ones(n, X.shape[1] + 1, dtype=torch.float64)
    A[:, :-1] = X
    return 2.0 / torch.linalg.eigvalsh(A.T @ A * (2.0 / n)).max().item()
'''

INLINE_AND_CHATTY = '''
import sys
import warnings

import torch

print("lesson 1.2: loading my solution")


def mse(X, y, w, b):
    errors = (X @ w + b - y).squeeze(1)  # (N,): flatten both sides together, never one
    return torch.mean(errors ** 2)


def mse_gradient(X, y, w, b):
    r = X @ w + b - y  # (N, 1)
    grad_w = 2 * (r * X).mean(dim=0, keepdim=True).T  # (d, 1): mean over samples of r_i x_i
    grad_b = 2 * r.mean().reshape(1)
    return grad_w, grad_b


def fit(X, y, w0, b0, lr, steps):
    if steps == 0:
        warnings.warn("fit: steps=0, returning the initial parameters")
    n = X.shape[0]
    w = w0.detach().clone()
    b = b0.detach().clone()
    losses = []
    for step in range(steps):
        r = torch.addmm(b - y, X, w)  # X @ w + b - y in one call
        losses.append(r.pow(2).mean().item())
        w.sub_(lr * 2.0 / n * (X.T @ r))  # in place, but on our own copy
        b.sub_(lr * 2.0 / n * r.sum(0))
        if step % 100 == 0:
            print(f"step {step}: loss {losses[-1]:.5f}", file=sys.stderr)
    return w, b, losses


def max_stable_lr(X):
    n, d = X.shape
    A = torch.cat([X.double(), X.new_ones(n, 1).double()], 1)
    H = 2.0 / n * torch.einsum("ni,nj->ij", A, A)
    top = torch.linalg.eigvalsh(H)[-1].item()
    print(f"lambda_max = {top:.4f}")
    return 2.0 / top
'''

ALTERNATIVES = [
    Alternative("bias_folded_into_theta", AUGMENTED,
                "the bias folded into one parameter vector theta = [w; b] with A = [X, 1], "
                "F.mse_loss, and the limit from singular values", example="correct"),
    Alternative("float64_inside", FLOAT64_INSIDE, "float64 arithmetic inside, float32 results"),
    Alternative("inline_loop_prints_and_warns", INLINE_AND_CHATTY,
                "fit writes its step inline with in-place updates on its own copies, prints and warns"),
]
