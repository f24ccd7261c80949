"""Lesson 2.1's known mistakes, each reproduced by a small simulator so a check can name it.

`ACTIVATION`, `FORWARD` and `TRAIN` are `looplab.checks.Mistakes`: `X.diagnose(got, names,
same=..., **setting)` returns the message of the first mistake whose simulation reproduces
what the student returned in that setting.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from looplab.checks import Mistakes

TORCH = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def tensors_agree(got, want, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """Two tensors, or two tuples of tensors, agree entry by entry (NaNs agree with NaNs)."""
    if isinstance(want, (tuple, list)):
        return (isinstance(got, (tuple, list)) and len(got) == len(want)
                and all(tensors_agree(g, w, rtol, atol) for g, w in zip(got, want)))
    if not isinstance(got, Tensor) or got.shape != want.shape:
        return False
    return bool(torch.allclose(got.detach().double(), want.detach().double(), rtol=rtol, atol=atol,
                               equal_nan=True))


# --- activation ---------------------------------------------------------------------------

def _activation(name: str, x: Tensor, mistake: str) -> tuple[Tensor, Tensor]:
    if name == "relu":
        value = torch.relu(x)
        slope = (x >= 0).to(x.dtype) if mistake == "relu_slope_at_zero" else (x > 0).to(x.dtype)
        return value, slope
    if name == "sigmoid":
        e = torch.exp(-x)
        value = torch.exp(x) / (1 + torch.exp(x)) if mistake == "sigmoid_exp_ratio" else 1 / (1 + e)
        if mistake == "sigmoid_quotient":
            return value, e / (1 + e) ** 2
        if mistake == "sigmoid_slope_of_x":
            return value, x * (1 - x)
        return value, value * (1 - value)
    if name == "tanh":
        if mistake == "tanh_exponentials":
            value = (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))
        else:
            value = torch.tanh(x)
        if mistake == "tanh_slope_no_square":
            return value, 1 - value
        if mistake == "tanh_slope_of_x":
            return value, 1 - x ** 2
        return value, 1 - value ** 2
    raise ValueError(name)


ACTIVATION = Mistakes({
    "relu_slope_at_zero": "ReLU's slope at exactly 0 is 1 in your code (x >= 0); PyTorch's autograd "
                          "uses 0 there, so use x > 0",
    "sigmoid_quotient": "sigmoid's derivative written as e^-x / (1 + e^-x)^2: at x = -1000, e^-x "
                        "overflows to inf and inf/inf = nan; write it from the value as s * (1 - s)",
    "sigmoid_exp_ratio": "sigmoid written as e^x / (1 + e^x): at x = 1000 that is inf/inf = nan; "
                         "1 / (1 + e^-x) only ever divides 1 by a large number",
    "sigmoid_slope_of_x": "sigmoid's derivative computed from x, as x * (1 - x); the formula "
                          "s * (1 - s) needs s = sigmoid(x)",
    "tanh_exponentials": "tanh written as (e^x - e^-x) / (e^x + e^-x): at |x| = 1000 the exponentials "
                         "overflow and inf/inf = nan; use exp(-2|x|), which never overflows",
    "tanh_slope_no_square": "tanh's derivative written as 1 - tanh(x); it is 1 - tanh(x)**2",
    "tanh_slope_of_x": "tanh's derivative computed from x, as 1 - x**2; it is 1 - t**2 with t = tanh(x)",
}, lambda name, x, mistake: _activation(name, x, mistake))

ACTIVATION_NAMES = {"relu": ("relu_slope_at_zero",),
                    "sigmoid": ("sigmoid_quotient", "sigmoid_exp_ratio", "sigmoid_slope_of_x"),
                    "tanh": ("tanh_exponentials", "tanh_slope_no_square", "tanh_slope_of_x")}


# --- mlp_forward --------------------------------------------------------------------------

def _forward(x: Tensor, layers: list, name: str, mistake: str) -> Tensor:
    f = torch.relu if mistake == "always_relu" else TORCH[name]
    if mistake == "two_layers_only":
        layers = layers[:2]
    h = x
    for k, (W, b) in enumerate(layers):
        last = k == len(layers) - 1
        if mistake == "activation_before":  # f on every layer's input, the raw x included
            h = f(h)
        h = h @ (W.T if mistake == "transposed" else W) + (0 if mistake == "no_bias" else b)
        if mistake == "activation_before":
            continue
        if (not last or mistake == "activation_after_last") and mistake != "no_activation":
            h = f(h)
    return h


FORWARD = Mistakes({
    "activation_after_last": "an activation is applied after the last layer too; the output "
                             "layer stays linear (raw scores)",
    "no_activation": "no activation between the layers, so the whole network is one linear map",
    "transposed": "W is used transposed (x @ W.T, nn.Linear's convention); here W has shape "
                  "(in, out) and a layer is h @ W + b",
    "no_bias": "the biases b are never added",
    "always_relu": "the activation argument is ignored: ReLU is used whatever the name",
    "two_layers_only": "only the first two layers are used; loop over all the layers",
    "activation_before": "the activation is applied to each layer's input (x included) instead of "
                         "to each hidden layer's output",
}, lambda x, layers, name, mistake: _forward(x, layers, name, mistake))

FORWARD_NAMES = tuple(FORWARD.messages)


# --- train_mlp ----------------------------------------------------------------------------

def _train(X: Tensor, y: Tensor, layers0: list, name: str, epochs: int, lr: float,
           mistake: str) -> list[float]:
    """The losses a train_mlp with `mistake` records, in float64 with the correct forward pass."""
    X, y = X.double(), y.double()
    layers = [(W.detach().double().clone().requires_grad_(True),
               b.detach().double().clone().requires_grad_(True)) for W, b in layers0]
    losses = []
    for _ in range(epochs):
        z = _forward(X, layers, name, "")
        loss = _loss(z, y, mistake)
        if mistake != "record_after":
            losses.append(loss.item())
        if mistake == "no_zero_grad":
            loss.backward()
        else:
            for W, b in layers:
                W.grad, b.grad = None, None
            loss.backward()
        sign = 1.0 if mistake == "ascent" else -1.0
        with torch.no_grad():
            for k, (W, b) in enumerate(layers):
                if mistake == "last_layer_only" and k < len(layers) - 1:
                    continue
                W += sign * lr * W.grad
                if mistake != "no_bias_update":
                    b += sign * lr * b.grad
        if mistake == "record_after":
            with torch.no_grad():
                losses.append(_loss(_forward(X, layers, name, ""), y, mistake).item())
    return losses


def _loss(z: Tensor, y: Tensor, mistake: str) -> Tensor:
    if mistake == "mse":
        return ((z - y) ** 2).mean()
    if mistake == "double_sigmoid":
        return F.binary_cross_entropy_with_logits(torch.sigmoid(z), y)
    if mistake == "sum":
        return F.binary_cross_entropy_with_logits(z, y, reduction="sum")
    return F.binary_cross_entropy_with_logits(z, y)


TRAIN = Mistakes({
    "record_after": "the loss is recorded after the update instead of just before it",
    "no_zero_grad": "gradients are never cleared, so they pile up from epoch to epoch "
                    "(set W.grad = None and b.grad = None after each update)",
    "mse": "the loss is the mean squared error; a classifier's loss here is the binary "
           "cross-entropy of the logits, F.binary_cross_entropy_with_logits(logits, y)",
    "double_sigmoid": "torch.sigmoid is applied to the logits before binary_cross_entropy_with_logits, "
                      "which applies the sigmoid itself: pass it the raw logits",
    "sum": "the loss is summed over the samples instead of averaged (reduction='mean', the default)",
    "ascent": "the update adds the gradient instead of subtracting it",
    "no_bias_update": "the biases b are never updated, only the weights W",
    "last_layer_only": "only the last layer is trained; every W and b must be updated",
}, lambda mistake, **setting: _train(mistake=mistake, **setting))

TRAIN_NAMES = tuple(TRAIN.messages)
