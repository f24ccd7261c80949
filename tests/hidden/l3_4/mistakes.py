"""Lesson 3.4's known mistakes, each reproduced by a small simulator so that a check can name it.

`FORWARD`, `CLIP`, `TRAIN`, `BATCH` and `LAYER` are `looplab.checks.Mistakes`: `X.diagnose(got,
names, same=..., **setting)` returns the message of the first mistake whose simulation
reproduces what the student returned. Simulations run in float64.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from looplab.checks import Mistakes, loosely_same

ACT = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def tensors_agree(got, want, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """Two tensors, or lists/tuples of tensors and floats, agree entry by entry (shapes included)."""
    if isinstance(want, (tuple, list)):
        return (isinstance(got, (tuple, list)) and len(got) == len(want)
                and all(tensors_agree(g, w, rtol, atol) for g, w in zip(got, want)))
    if isinstance(want, float):
        return isinstance(got, (int, float)) and loosely_same(float(got), want, rtol)
    if not isinstance(got, Tensor) or got.shape != want.shape:
        return False
    return bool(torch.allclose(got.detach().double(), want.detach().double(), rtol=rtol, atol=atol, equal_nan=True))


# --- deep_forward ---------------------------------------------------------------------------

def forward(x: Tensor, layers: list, activation: str, residual: bool, mistake: str = "") -> Tensor:
    f = ACT[activation]
    h = x.double()
    layers = [(W.double(), b.double()) for W, b in layers]
    L = len(layers)
    for k, (W, b) in enumerate(layers):
        last = k == L - 1
        z = h @ W + b
        skip = residual and (0 < k < L - 1 or (mistake == "skip_first" and k == 0)
                             or (mistake == "skip_last" and last))
        if mistake == "no_skip":
            skip = False
        if last and mistake != "activation_on_output":
            a = z
        elif mistake == "skip_without_activation" and skip:
            a = z
        else:
            a = f(z)
        if skip and mistake == "activation_after_sum":
            h = f(h + z)
        elif skip and mistake == "skip_from_input":
            h = x.double() + a
        elif skip:
            h = h + a
        else:
            h = a
    return h


FORWARD = Mistakes({
    "no_skip": "residual=True is ignored: the hidden layers need h_k = h_{k-1} + f(h_{k-1} @ W_k + b_k)",
    "skip_first": "the first layer has a skip connection too; it maps the input to the hidden width and has "
                  "none, even when the widths happen to agree",
    "skip_last": "the last layer has a skip connection too; the output layer is plain h @ W_L + b_L",
    "activation_after_sum": "the activation is applied after the sum, f(h + h @ W + b), as in the original "
                            "ResNet; this lesson's block keeps it inside: h + f(h @ W + b)",
    "skip_without_activation": "the activation is left out of the residual block: h + f(h @ W + b)",
    "skip_from_input": "every block adds the network's input x instead of its own input h_{k-1}",
    "activation_on_output": "an activation is applied after the last layer; the output layer has none",
}, lambda mistake, **s: forward(mistake=mistake, **s))


# --- clip_grad_norm_ ------------------------------------------------------------------------

def clip(grads: list[Tensor], max_norm: float, mistake: str = "") -> tuple[float, list[Tensor]]:
    """(returned total, the tensors after the call) for a clip_grad_norm_ with `mistake`."""
    gs = [g.double().clone() for g in grads]
    norms = torch.stack([g.norm() for g in gs]) if gs else torch.zeros(0, dtype=torch.float64)
    total = norms.norm().item()
    if mistake == "sum_of_norms":
        total = norms.sum().item()
    elif mistake == "squared_norm":
        total = (norms ** 2).sum().item()
    if mistake == "per_tensor":
        out = [g * min(max_norm / (n.item() + 1e-6), 1.0) for g, n in zip(gs, norms)]
    else:
        coef = max_norm / (total + (0.0 if mistake == "no_eps" else 1e-6))
        if mistake != "scales_up":
            coef = min(coef, 1.0)
        if mistake == "clip_only_above" and total <= max_norm:
            coef = 1.0
        out = [g * coef for g in gs]
    if mistake == "not_in_place":
        out = gs
    returned = total
    if mistake == "norm_after":
        returned = torch.stack([g.norm() for g in out]).norm().item() if out else 0.0
    return returned, out


CLIP = Mistakes({
    "per_tensor": "each tensor is clipped by its own norm; clipping by the GLOBAL norm scales every tensor by "
                  "one factor, from the norm of all entries of all tensors together",
    "sum_of_norms": "the global norm is the sum of the tensors' norms; it is the square root of the sum of "
                    "their squared norms",
    "squared_norm": "the squared norm is used; the global norm is the square root of the sum of squares",
    "clip_only_above": "nothing was scaled although PyTorch scales: it always multiplies by min(max_norm / "
                       "(total + 1e-6), 1.0), which is just below 1 when the norm equals max_norm (there is no "
                       "`if`, and the 1e-6 is part of the convention)",
    "no_eps": "the factor is max_norm / total; PyTorch divides by total + 1e-6",
    "scales_up": "gradients below max_norm are scaled UP; the factor is capped at 1.0",
    "norm_after": "the norm AFTER clipping is returned; clip_grad_norm_ returns the norm before clipping",
    "not_in_place": "the gradients are not changed in place; multiply the given tensors (g.mul_(coef)), do "
                    "not rebind a name (g = g * coef) or build new tensors",
}, lambda mistake, **s: clip(mistake=mistake, **s))


# --- train_deep -----------------------------------------------------------------------------

def train(X: Tensor, y: Tensor, layers0: list, activation: str, residual: bool, epochs: int, lr: float,
          max_norm: float | None = None, mistake: str = "") -> list[float]:
    """The losses and norms of a train_deep with `mistake`, flattened into one list of floats."""
    layers = [(W.double().clone().requires_grad_(True), b.double().clone().requires_grad_(True))
              for W, b in layers0]
    params = [t for layer in layers for t in layer]
    X, y = X.double(), y.double()
    losses, norms = [], []
    for _ in range(epochs):
        loss = F.binary_cross_entropy_with_logits(forward(X, layers, activation, residual), y)
        loss.backward()
        if mistake != "norms_after_clip":
            norms.append(_norms(layers, mistake))
        if max_norm is not None and mistake != "clip_ignored":
            grads = [W.grad for W, _ in layers] if mistake == "clip_weights_only" else [p.grad for p in params]
            total = torch.stack([g.norm() for g in grads]).norm()
            coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
            for g in grads:
                g.mul_(coef)
        if mistake == "norms_after_clip":
            norms.append(_norms(layers, mistake))
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        if mistake == "loss_after_update":
            with torch.no_grad():
                loss = F.binary_cross_entropy_with_logits(forward(X, layers, activation, residual), y)
        losses.append(loss.item())
    return losses + [v for row in norms for v in row]


def _norms(layers: list, mistake: str) -> list[float]:
    if mistake == "bias_in_norm":
        return [torch.cat([W.grad.flatten(), b.grad]).norm().item() for W, b in layers]
    if mistake == "squared_norms":
        return [(W.grad ** 2).sum().item() for W, _ in layers]
    if mistake == "output_layer_first":
        return [W.grad.norm().item() for W, _ in layers][::-1]
    return [W.grad.norm().item() for W, _ in layers]


TRAIN = Mistakes({
    "norms_after_clip": "the norms are recorded after clipping; record them before, to see the gradient the "
                        "network really has",
    "clip_ignored": "max_norm is ignored: clip the gradients after backward() and before the update",
    "clip_weights_only": "only the weight gradients are clipped; the global norm covers all 2L gradients, the "
                         "biases' too",
    "loss_after_update": "the loss is recorded after the update; record loss.item() before it",
    "bias_in_norm": "the bias gradient is included in a layer's norm; only dloss/dW_k counts",
    "squared_norms": "the squared norm is recorded; the Frobenius norm is the square root of the sum of squares",
    "output_layer_first": "the norms are listed from the output layer back; first layer first",
}, lambda mistake, **s: train(mistake=mistake, **s))


# --- batch_norm -----------------------------------------------------------------------------

def batch(x: Tensor, gamma: Tensor, beta: Tensor, running_mean: Tensor, running_var: Tensor, training: bool,
          momentum: float, eps: float, mistake: str = "") -> list[Tensor]:
    x, gamma, beta = x.double(), gamma.double(), beta.double()
    rm, rv = running_mean.double(), running_var.double()
    N = x.shape[0]
    if training or mistake == "batch_stats_in_eval":
        mean = x.mean(0)
        var = x.var(0, unbiased=mistake == "unbiased_to_normalise")
        unbiased = var if mistake == "biased_running_var" else x.var(0, unbiased=True)
        m = 1 - momentum if mistake == "momentum_swapped" else momentum
        new_rm = (1 - m) * rm + m * mean
        new_rv = (1 - m) * rv + m * unbiased
        if not training or mistake == "running_not_updated":
            new_rm, new_rv = rm, rv
    else:
        mean, var, new_rm, new_rv = rm, rv, rm, rv
        if mistake == "running_var_as_std":
            var = rv ** 2
    scale = (var.sqrt() + eps) if mistake == "eps_outside_sqrt" else (var + eps).sqrt()
    y = (x - mean) / scale
    if mistake != "affine_left_out":
        y = y * gamma + beta
    return [y, new_rm, new_rv]


BATCH = Mistakes({
    "unbiased_to_normalise": "the batch is normalised with the unbiased variance (divide by N - 1); "
                             "nn.BatchNorm1d normalises with the biased one (divide by N)",
    "biased_running_var": "the running variance is updated with the biased batch variance; PyTorch uses the "
                          "unbiased one (times N / (N - 1))",
    "momentum_swapped": "momentum weighs the old estimate; in PyTorch it weighs the NEW batch: "
                        "new = (1 - momentum) * old + momentum * batch",
    "batch_stats_in_eval": "evaluation mode normalises with the batch's own statistics; it must use the "
                           "running estimates (and leave them as they are)",
    "running_not_updated": "the running estimates are not updated in training mode",
    "eps_outside_sqrt": "eps is added outside the square root; PyTorch divides by sqrt(var + eps)",
    "affine_left_out": "gamma and beta are not applied: y = x_hat * gamma + beta",
}, lambda mistake, **s: batch(mistake=mistake, **s))


# --- layer_norm -----------------------------------------------------------------------------

def layer(x: Tensor, gamma: Tensor, beta: Tensor, eps: float, mistake: str = "") -> Tensor:
    x, gamma, beta = x.double(), gamma.double(), beta.double()
    dim = 0 if mistake == "over_the_batch" else -1
    mean = x.mean(dim, keepdim=True)
    var = x.var(dim, unbiased=mistake == "unbiased", keepdim=True)
    scale = (var.sqrt() + eps) if mistake == "eps_outside_sqrt" else (var + eps).sqrt()
    y = (x - mean) / scale
    return y if mistake == "affine_left_out" else y * gamma + beta


LAYER = Mistakes({
    "over_the_batch": "the statistics are taken over the batch (dim 0), as batch norm does; layer norm takes "
                      "each sample's own, over the last dimension",
    "unbiased": "the unbiased variance is used (divide by D - 1); nn.LayerNorm uses the biased one (divide by D)",
    "eps_outside_sqrt": "eps is added outside the square root; PyTorch divides by sqrt(var + eps)",
    "affine_left_out": "gamma and beta are not applied: y = x_hat * gamma + beta",
}, lambda mistake, **s: layer(mistake=mistake, **s))
