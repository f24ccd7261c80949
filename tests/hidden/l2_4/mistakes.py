"""Lesson 2.4's known mistakes, each reproduced by a small simulator so a check can name it.

`COLLAPSE`, `DEAD`, `GRADS` and `TRAIN` are `looplab.checks.Mistakes`: `X.diagnose(got, names,
same=..., **setting)` returns the message of the first mistake whose simulation reproduces what
the student returned in that setting. Simulations run in float64.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from looplab.checks import Mistakes, close, fail, likely, loosely_same

ACT = {"identity": lambda z: z, "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def tensors_agree(got, want, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """Two tensors, or tuples of tensors, agree entry by entry (shapes included)."""
    if isinstance(want, (tuple, list)):
        return (isinstance(got, (tuple, list)) and len(got) == len(want)
                and all(tensors_agree(g, w, rtol, atol) for g, w in zip(got, want)))
    if not isinstance(got, Tensor) or got.shape != want.shape:
        return False
    return bool(torch.allclose(got.detach().double(), want.detach().double(), rtol=rtol, atol=atol))


def curves_agree(got, want, rtol: float = 2e-3) -> bool:
    """Two {name: losses} dicts agree name by name, to simulation accuracy."""
    return (isinstance(got, dict) and isinstance(want, dict) and list(got) == list(want)
            and all(loosely_same(got[k], want[k], rtol) for k in want))


def assert_per_layer(got: list[float], want: list[float], *, what: str, quantity: str, setting: str,
                     diagnose, rtol: float, atol: float, first: int = 1) -> None:
    """Fail at the first layer whose value differs: `layer 2 norm 0.41, expected 0.12 (setting)`."""
    for k, (g, w) in enumerate(zip(got, want), first):
        if not close(g, w, rtol, atol):
            fail(f"{what}: layer {k} {quantity} {g:.6g}, expected {w:.6g} ({setting})" + likely(diagnose()))


def _double(layers: list) -> list:
    return [(W.detach().double(), b.detach().double()) for W, b in layers]


# --- collapse_linear ----------------------------------------------------------------------

def _collapse(layers: list, mistake: str) -> tuple[Tensor, Tensor]:
    layers = _double(layers)
    W, b = layers[0]
    for W_k, b_k in layers[1:]:
        if mistake == "bias_summed":
            b = b + b_k
        elif mistake == "bias_last_only":
            b = b_k
        elif mistake == "bias_through_product":
            b = b @ (W @ W_k) + b_k
        else:
            b = b @ W_k + b_k
        W = W_k @ W if mistake == "reversed_order" else W @ W_k
    if mistake == "no_bias":
        b = torch.zeros_like(b)
    if mistake == "transposed":
        W = W.T
    return W, b


COLLAPSE = Mistakes({
    "bias_summed": "the biases are added up (b_1 + b_2 + ...); each earlier bias must go through the "
                   "weights of every later layer: b <- b @ W_k + b_k",
    "bias_last_only": "only the last layer's bias is kept; the earlier biases, pushed through the later "
                      "weights, belong in b too",
    "bias_through_product": "the bias is pushed through the product of all the weights so far instead of "
                            "through the new layer's W_k alone: b <- b @ W_k + b_k",
    "no_bias": "the biases are left out: b is zero, but the network adds them",
    "reversed_order": "the weights are multiplied in the wrong order; x goes through W_1 first, so "
                      "W = W_1 @ W_2 @ ... @ W_L",
    "transposed": "W is returned transposed; it has shape (d_0, d_L), so that x @ W + b works",
}, lambda layers, mistake: _collapse(layers, mistake))


# --- dead_relu_fraction -------------------------------------------------------------------

def _dead(x: Tensor, layers: list, mistake: str) -> list[float]:
    layers = _double(layers)
    h = x.double()
    out = []
    hidden = layers if mistake == "output_layer_counted" else layers[:-1]
    for W, b in hidden:
        z = h @ W + b
        h = z if mistake == "no_relu_between" else torch.relu(z)
        if mistake == "any_row":
            dead = (h == 0).any(dim=0)
        elif mistake == "strictly_negative":
            dead = (z < 0).all(dim=0)
        elif mistake == "zero_entries":
            dead = (torch.relu(z) == 0)
        else:
            dead = (torch.relu(z) == 0).all(dim=0)
        if mistake == "alive_fraction":
            dead = ~dead
        value = dead.float().sum().item() if mistake == "count_not_fraction" else dead.float().mean().item()
        out.append(value)
    return out


DEAD = Mistakes({
    "any_row": "a unit is counted dead when it is zero on some input; it is dead only when it is zero "
               "on every input of the batch: .all(dim=0), not .any(dim=0)",
    "zero_entries": "the fraction of zero entries is returned, not the fraction of units that are zero on "
                    "every row",
    "strictly_negative": "units whose input is exactly 0 are not counted; ReLU outputs 0 there too, so the "
                         "test is input <= 0 (or ReLU output == 0)",
    "output_layer_counted": "the output layer is counted; it has no ReLU, so only the L - 1 hidden layers "
                            "get a fraction",
    "no_relu_between": "the next layer is fed the pre-activations instead of the ReLU outputs; the network "
                       "is mlp_forward(x, layers, 'relu')",
    "count_not_fraction": "the number of dead units is returned, not the fraction (divide by the width)",
    "alive_fraction": "the fraction of units that are alive is returned, not of those that are dead",
}, lambda x, layers, mistake: _dead(x, layers, mistake))


# --- layer_grad_norms ---------------------------------------------------------------------

def _grads(x: Tensor, y: Tensor, layers: list, name: str, mistake: str) -> list[float]:
    params = [(W.clone().requires_grad_(True), b.clone().requires_grad_(True)) for W, b in _double(layers)]
    x, y = x.double(), y.double()
    h = x
    for k, (W, b) in enumerate(params):
        h = h @ W + b
        if k < len(params) - 1:
            h = ACT[name](h)
    if mistake == "sum_loss":
        loss = F.binary_cross_entropy_with_logits(h, y, reduction="sum")
    elif mistake == "mse_loss":
        loss = ((h - y) ** 2).mean()
    elif mistake == "double_sigmoid":
        loss = F.binary_cross_entropy_with_logits(torch.sigmoid(h), y)
    else:
        loss = F.binary_cross_entropy_with_logits(h, y)
    loss.backward()
    if mistake == "weight_norms":
        norms = [W.detach().norm().item() for W, _ in params]
    elif mistake == "squared":
        norms = [W.grad.pow(2).sum().item() for W, _ in params]
    elif mistake == "with_bias":
        norms = [torch.cat([W.grad.flatten(), b.grad]).norm().item() for W, b in params]
    elif mistake == "bias_only":
        norms = [b.grad.norm().item() for _, b in params]
    elif mistake == "mean_abs":
        norms = [W.grad.abs().mean().item() for W, _ in params]
    else:
        norms = [W.grad.norm().item() for W, _ in params]
    return norms[::-1] if mistake == "reversed" else norms


GRADS = Mistakes({
    "reversed": "the norms are listed from the output layer back; the contract lists them first layer "
                "first",
    "weight_norms": "the norms of the weights W_k are returned, not of their gradients W_k.grad",
    "squared": "the squared norm (sum of squares) is returned; the Frobenius norm is its square root",
    "sum_loss": "the loss is summed over the samples; lesson 2.1's loss is the mean",
    "mse_loss": "the loss is the mean squared error; this lesson uses lesson 2.1's binary cross-entropy "
                "on the logits",
    "double_sigmoid": "sigmoid is applied to the logits before binary_cross_entropy_with_logits, which "
                      "applies it again",
    "with_bias": "the bias gradient is included in the norm; only dloss/dW_k counts",
    "bias_only": "the norm of the bias gradient is returned, not of the weight gradient",
    "mean_abs": "the mean absolute entry of the gradient is returned, not its Frobenius norm",
}, lambda x, y, layers, name, mistake: _grads(x, y, layers, name, mistake))


# --- train_curves -------------------------------------------------------------------------

def _train(X: Tensor, y: Tensor, layers0: list, activations: list, epochs: int, lr: float,
           mistake: str) -> dict:
    X, y = X.double(), y.double()
    shared = [(W.clone().requires_grad_(True), b.clone().requires_grad_(True)) for W, b in _double(layers0)]
    curves = {}
    for name in activations:
        layers = shared if mistake == "shared_start" else [
            (W.clone().requires_grad_(True), b.clone().requires_grad_(True)) for W, b in _double(layers0)]
        losses = []
        for _ in range(epochs + (mistake == "extra_epoch")):
            h = X
            for k, (W, b) in enumerate(layers):
                h = h @ W + b
                if k < len(layers) - 1:
                    h = ACT[name](h)
            if mistake == "sum_loss":
                loss = F.binary_cross_entropy_with_logits(h, y, reduction="sum")
            elif mistake == "double_sigmoid":
                loss = F.binary_cross_entropy_with_logits(torch.sigmoid(h), y)
            else:
                loss = F.binary_cross_entropy_with_logits(h, y)
            if mistake != "after_update":
                losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                for W, b in layers:
                    W += lr * W.grad if mistake == "ascent" else -lr * W.grad
                    if mistake != "bias_frozen":
                        b += lr * b.grad if mistake == "ascent" else -lr * b.grad
                    if mistake != "grads_not_cleared":
                        W.grad, b.grad = None, None
            if mistake == "after_update":
                with torch.no_grad():
                    h = X
                    for k, (W, b) in enumerate(layers):
                        h = h @ W + b
                        if k < len(layers) - 1:
                            h = ACT[name](h)
                    losses.append(F.binary_cross_entropy_with_logits(h, y).item())
        curves[name] = losses
    return curves


TRAIN = Mistakes({
    "shared_start": "the runs share one copy of the layers: each run after the first continues from "
                    "where the one before stopped; copy layers0 afresh inside the loop over activations",
    "after_update": "the loss is recorded after the update; record loss.item() before stepping",
    "grads_not_cleared": "the gradients are never cleared, so each step adds all earlier gradients; "
                         "set W.grad and b.grad to None (or zero them) after every update",
    "sum_loss": "the loss is summed over the samples; lesson 2.1's loss is the mean",
    "double_sigmoid": "sigmoid is applied to the logits before binary_cross_entropy_with_logits, which "
                      "applies it again",
    "ascent": "the step goes up the gradient (W + lr * grad); gradient descent subtracts it",
    "bias_frozen": "the biases are never updated; step every W and every b",
    "extra_epoch": "one epoch too many is run",
}, lambda X, y, layers0, activations, epochs, lr, mistake: _train(X, y, layers0, activations, epochs, lr,
                                                                        mistake))
