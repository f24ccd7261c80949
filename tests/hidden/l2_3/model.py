"""Lesson 2.3's checker-side helpers: networks to test on, autograd as the referee, readers
for the returned tuples, and simulators of the lesson's known mistakes (float64)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from looplab.checks import as_tensor, fail, gen, kind, without_autograd

NAMES = ("W1", "b1", "W2", "b2")


def network(n: int, d: int, h: int, k: int, seed: int, *, scale: float = 1.0,
            dtype: torch.dtype = torch.float64) -> tuple[Tensor, Tensor, tuple[Tensor, ...]]:
    """Inputs X (n, d), labels y (n,) and parameters with non-zero biases, from one seed."""
    g = gen(seed)
    X = torch.randn(n, d, generator=g, dtype=dtype)
    y = torch.randint(0, k, (n,), generator=g)
    W1 = scale * torch.randn(d, h, generator=g, dtype=dtype) / math.sqrt(d)
    b1 = 0.3 * torch.randn(h, generator=g, dtype=dtype)
    W2 = scale * torch.randn(h, k, generator=g, dtype=dtype) / math.sqrt(h)
    b2 = 0.3 * torch.randn(k, generator=g, dtype=dtype)
    return X, y, (W1, b1, W2, b2)


def shapes(X: Tensor, params: tuple[Tensor, ...]) -> str:
    (n, d), (h, k) = X.shape, params[2].shape
    return f"N={n}, d={d}, h={h}, k={k}, {str(X.dtype).removeprefix('torch.')}"


def autograd_gradients(X: Tensor, y: Tensor, params: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    """The referee: autograd's gradients of torch's own cross-entropy of the tanh network."""
    leaves = [p.detach().clone().requires_grad_(True) for p in params]
    logits = torch.tanh(X @ leaves[0] + leaves[1]) @ leaves[2] + leaves[3]
    return tuple(torch.autograd.grad(F.cross_entropy(logits, y), leaves))


def read_tensors(value: object, what: str, like: tuple[Tensor, ...], names: tuple[str, ...]) -> tuple[Tensor, ...]:
    """A returned tuple of tensors with the shapes and dtypes of `like`."""
    if not isinstance(value, (tuple, list)) or len(value) != len(like):
        size = f" of length {len(value)}" if isinstance(value, (tuple, list)) else ""
        fail(f"{what} returned a {kind(value)}{size}; the contract asks for a tuple ({', '.join(names)})")
    out = []
    for name, got, want in zip(names, value, like):
        tensor = as_tensor(got, f"{what} ({name})")
        if tuple(tensor.shape) != tuple(want.shape):
            fail(f"{what}: {name} has shape {tuple(tensor.shape)}, expected {tuple(want.shape)}"
                 + ("; a gradient always has its parameter's shape: check which side each transpose goes on"
                    if name.startswith("d") else ""))
        if tensor.dtype != want.dtype:
            fail(f"{what}: {name} is {tensor.dtype}, expected {want.dtype} (results keep the inputs' dtype)")
        out.append(tensor)
    return tuple(out)


def agrees(got: tuple[Tensor, ...], want: tuple[Tensor, ...], tol: float = 1e-6) -> bool:
    return all(a.shape == b.shape and relative_error(a, b) < tol for a, b in zip(got, want))


def relative_error(a: Tensor, b: Tensor) -> float:
    """Lesson 1.5's relative error (the same definition as the notebook's relative_error)."""
    a, b = a.double(), b.double()
    scale = (a.abs() + b.abs()).max()
    return 0.0 if scale == 0 else ((a - b).abs().max() / scale).item()


def in_inference_mode(student, name: str, *args) -> object:
    """`name(*args)` run inside torch.inference_mode(): `looplab.checks.without_autograd`."""
    return without_autograd(student, name, *args)


# --- the known mistakes, simulated -----------------------------------------------------------

def ce(logits: Tensor, y: Tensor, mistake: str = "") -> Tensor:
    n = logits.shape[0]
    m = logits.max(dim=1, keepdim=True).values
    if mistake == "softmax_dim0":
        return -torch.log_softmax(logits, dim=0)[torch.arange(n), y].mean()
    lse = (logits - m).exp().sum(dim=1).log() + (0 if mistake == "no_max_back" else m.squeeze(1))
    if mistake == "table":
        return (lse - logits[:, y]).mean()
    per_sample = lse - logits[torch.arange(n), y]
    if mistake == "sum":
        return per_sample.sum()
    if mistake == "sign":
        return -per_sample.mean()
    if mistake == "mean_over_classes":
        return per_sample.sum() / logits.numel()
    return per_sample.mean()


CE_MISTAKES = {
    "sum": "the losses are summed over the samples; the contract asks for their mean",
    "no_max_back": "the row max m is subtracted inside the exponent but not added back: lse(z) = m + log(sum(exp(z - m)))",
    "table": "logits[:, y] picks an N x N table of logits; take one true-class logit per row: logits[torch.arange(N), y] or gather",
    "sign": "the sign is flipped: the loss is -log p of the true class, which is >= 0",
    "softmax_dim0": "the softmax runs over the samples (dim=0); it must run over the classes of each row (dim=1)",
    "mean_over_classes": "the sum is divided by N * k; the mean is over the N samples only",
}


def fwd(X: Tensor, params: tuple[Tensor, ...], mistake: str = "") -> tuple[Tensor, Tensor]:
    W1, b1, W2, b2 = params
    Z1 = X @ W1 + (0 if mistake == "no_b1" else b1)
    H = {"relu": torch.relu, "sigmoid": torch.sigmoid, "preactivation": lambda z: z}.get(mistake, torch.tanh)(Z1)
    logits = H @ W2 + (0 if mistake == "no_b2" else b2)
    if mistake == "tanh_logits":
        logits = torch.tanh(logits)
    return (Z1 if mistake == "return_z1" else H), logits


FORWARD_MISTAKES = {
    "relu": "ReLU in the hidden layer; this network uses tanh",
    "sigmoid": "sigmoid in the hidden layer; this network uses tanh",
    "no_b1": "b1 is left out: the hidden pre-activation is X @ W1 + b1",
    "no_b2": "b2 is left out: the logits are H @ W2 + b2",
    "preactivation": "no activation at all: H = tanh(X @ W1 + b1)",
    "return_z1": "the pre-activation X @ W1 + b1 is returned in place of H = tanh(...)",
    "tanh_logits": "tanh is applied to the logits too; the logits are H @ W2 + b2, any real numbers",
}


def bwd(X: Tensor, y: Tensor, params: tuple[Tensor, ...], mistake: str = "") -> tuple[Tensor, ...]:
    n = X.shape[0]
    W1, b1, W2, b2 = params
    Z1 = X @ W1 + b1
    H = torch.tanh(Z1)
    P = torch.softmax(H @ W2 + b2, dim=0 if mistake == "softmax_dim0" else 1)
    Y = F.one_hot(y, P.shape[1]).to(P.dtype)
    dZ2 = {"no_onehot": P, "flipped": Y - P}.get(mistake, P - Y) / (1 if mistake == "no_mean" else n)
    dH = dZ2 @ W2.T
    slope = {"no_tanh_slope": 1.0, "slope_on_z": 1 - Z1 * Z1, "slope_one_minus_h": 1 - H}.get(mistake, 1 - H * H)
    dZ1 = dH * slope
    reduce = (lambda t: t.mean(dim=0)) if mistake == "bias_mean" else (lambda t: t.sum(dim=0))
    return X.T @ dZ1, reduce(dZ1), H.T @ dZ2, reduce(dZ2)


BACKWARD_MISTAKES = {
    "no_mean": "dZ2 is not divided by N: the loss is a mean, so dZ2 = (P - Y) / N",
    "no_onehot": "dZ2 = P / N: the one-hot labels are not subtracted (dZ2 = (P - Y) / N)",
    "flipped": "the sign is flipped: dZ2 = (P - Y) / N, probabilities minus labels",
    "no_tanh_slope": "the gradient goes through tanh unchanged: multiply dH by tanh's slope 1 - H**2",
    "slope_on_z": "tanh's slope is computed from the pre-activation (1 - Z1**2); it is 1 - H**2 with H = tanh(Z1)",
    "slope_one_minus_h": "tanh's slope is written 1 - H; it is 1 - H**2",
    "bias_mean": "the bias gradients average over the samples; dZ already holds the 1/N, so sum over the samples",
    "softmax_dim0": "the softmax runs over the samples (dim=0); it must run over the classes of each row (dim=1)",
}


def simulate_train(X: Tensor, y: Tensor, params: tuple[Tensor, ...], epochs: int, lr: float,
                   mistake: str = "") -> list[float]:
    ps = [p.clone() for p in params]
    losses = []
    for _ in range(epochs):
        grads = bwd(X, y, tuple(ps))
        if mistake == "loss_after_update":
            ps = [p - lr * g for p, g in zip(ps, grads)]
        losses.append(ce(fwd(X, tuple(ps))[1], y).item())
        if mistake != "loss_after_update":
            sign = -1 if mistake == "plus" else 1
            ps = [p - sign * lr * g for p, g in zip(ps, grads)]
    return losses


TRAIN_MISTAKES = {
    "loss_after_update": "the loss is recorded after the update; entry e is the loss just before epoch e's update",
    "plus": "the update adds the gradient; gradient descent subtracts it: theta <- theta - lr * dtheta",
}
