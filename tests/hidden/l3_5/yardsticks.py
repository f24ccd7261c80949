"""Lesson 3.5's yardsticks, written apart from the reference: the full-batch gradient, SGD in one
process on the global batch (with each known mistake switchable), and the ring all-reduce formula."""

from __future__ import annotations

import torch

ACTS = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def forward(x, params, activation):
    h = x
    pairs = list(zip(params[0::2], params[1::2]))
    for k, (W, b) in enumerate(pairs):
        h = h @ W + b
        if k < len(pairs) - 1:
            h = ACTS[activation](h)
    return h


def leaves(layers):
    return [p.detach().clone().requires_grad_(True) for layer in layers for p in layer]


def loss_grad(X, y, params, activation):
    """The gradient of the mean squared error of (X, y) with respect to params (a flat list)."""
    return list(torch.autograd.grad(((forward(X, params, activation) - y) ** 2).mean(), params))


def full_gradient(X, y, layers, activation):
    return loss_grad(X, y, leaves(layers), activation)


def shard_mistake(X, y, layers, activation, K, mistake):
    """What shard_gradients returns with one known mistake: (average, shards)."""
    N = X.shape[0]
    params = leaves(layers)
    shards, sizes = [], []
    split = torch.chunk if mistake == "chunk" else torch.tensor_split
    for X_k, y_k in zip(split(X, K), split(y, K)):
        n_k = X_k.shape[0]
        sizes.append(n_k)
        if n_k == 0:
            shards.append([torch.zeros_like(p) for p in params])
            continue
        g = loss_grad(X_k, y_k, params, activation)
        if mistake == "shard_sum_loss":
            g = [n_k * t for t in g]
        shards.append(g)
    if mistake == "unweighted_mean":
        average = [sum(s[i] for s in shards) / len(shards) for i in range(len(params))]
    elif mistake == "plain_sum":
        average = [sum(s[i] for s in shards) for i in range(len(params))]
    elif mistake == "shard_sum_loss":
        average = [sum(s[i] for s in shards) / N for i in range(len(params))]
    else:
        average = [sum(s[i] * (n / N) for s, n in zip(shards, sizes)) for i in range(len(params))]
    if mistake == "weighted_shards":
        shards = [[t * (n / N) for t in s] for s, n in zip(shards, sizes)]
    return average, shards


def sgd_global(X, y, layers0, activation, epochs, global_batch, lr, seed, mistake=None):
    """Single-process SGD whose step t uses positions [t B, (t + 1) B) of epoch e's permutation
    randperm(N, seed + e): what data parallelism over the ranks must reproduce. `mistake` switches
    on one known data-parallel mistake; returns the flat list of final parameters."""
    params = leaves(layers0)
    N = X.shape[0]
    world = 2
    for e in range(epochs):
        if mistake == "no_shuffle":
            order = torch.arange(N)
        else:
            order = torch.randperm(N, generator=torch.Generator().manual_seed(seed + (0 if mistake == "no_set_epoch" else e)))
        for s in range(0, N, global_batch):
            i = order[s:s + global_batch]
            g = loss_grad(X[i], y[i], params, activation)
            scale = world if mistake == "no_divide" else 1
            with torch.no_grad():
                for p, gp in zip(params, g):
                    p -= lr * scale * gp
    return [p.detach() for p in params]


def sgd_accumulated(X, y, layers0, activation, epochs, micro, k, lr, mistake=None):
    """Mini-batch SGD in order with gradient accumulation, correct or with one known mistake;
    correct, it equals plain mini-batch SGD with batch micro * k. Returns the flat parameters."""
    params = leaves(layers0)
    group = micro * k
    N = X.shape[0]

    def step():
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                if mistake != "never_zero":
                    p.grad = None
    for _ in range(epochs):
        for start in range(0, N, group):
            X_g, y_g = X[start:start + group], y[start:start + group]
            n = X_g.shape[0]
            for m in range(0, n, micro):
                x_b, y_b = X_g[m:m + micro], y_g[m:m + micro]
                share = {"divide_by_k": 1 / k, "no_scaling": 1.0}.get(mistake, x_b.shape[0] / n)
                if mistake == "zero_every_micro":
                    for p in params:
                        p.grad = None
                (share * ((forward(x_b, params, activation) - y_b) ** 2).mean()).backward()
                if mistake == "step_every_micro":
                    step()
            if mistake != "step_every_micro":
                step()
    return [p.detach() for p in params]


def ring_time(p, num_bytes, bandwidth, latency, mistake=None):
    steps = {"one_phase": p - 1, "p_not_p_minus_1": 2 * p}.get(mistake, 2 * (p - 1))
    chunk = num_bytes if mistake == "whole_message" else num_bytes / p
    if mistake == "latency_once":
        return (latency if p > 1 else 0.0) + steps * chunk / bandwidth
    return steps * (latency + chunk / bandwidth)


def flat(layers):
    """A returned MLP [(W, b), ...] as a flat list of tensors, or None when it is not one."""
    if not isinstance(layers, (list, tuple)):
        return None
    out = []
    for layer in layers:
        if not isinstance(layer, (list, tuple)) or len(layer) != 2:
            return None
        out += list(layer)
    return out if all(isinstance(t, torch.Tensor) for t in out) else None


def tensors_close(got, want, rtol=1e-4, atol=1e-6):
    return (isinstance(got, (list, tuple)) and len(got) == len(want)
            and all(isinstance(g, torch.Tensor) and g.shape == w.shape
                    and torch.allclose(g.double(), w.double(), rtol=rtol, atol=atol, equal_nan=True)
                    for g, w in zip(got, want)))
