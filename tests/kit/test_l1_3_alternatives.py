"""Correct solutions of lesson 1.3 written in other styles keep full marks.

The checks judge behaviour (the loss trajectories, the contract, the speed),
not the way it is written: the torch.nn/torch.optim style, gradients by hand,
torch.autograd.grad, float64 arithmetic and a student who prints progress and
warnings must all score every point.
"""

from __future__ import annotations

import pytest

from looplab.report import render_text

NN_AND_OPTIM = '''
import torch
from torch import Tensor, nn


def minibatch_indices(n: int, batch_size: int, generator: torch.Generator) -> list[Tensor]:
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    perm = torch.randperm(n, generator=generator)
    return [perm[start:start + batch_size] for start in range(0, n, batch_size)]


def make_model(w0: Tensor, b0: Tensor) -> nn.Linear:
    model = nn.Linear(w0.shape[0], 1)
    with torch.no_grad():
        model.weight.copy_(w0.T)  # nn.Linear keeps the weight as (out, in) = (1, d)
        model.bias.copy_(b0)
    return model


def step(model: nn.Linear, optimizer: torch.optim.Optimizer, X: Tensor, y: Tensor) -> float:
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def train_batch(X, y, w0, b0, epochs, lr):
    model = make_model(w0, b0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return [step(model, optimizer, X, y) for _ in range(epochs)]


def train_stochastic(X, y, w0, b0, epochs, lr, generator):
    model = make_model(w0, b0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    n = len(X)
    history = []
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        history.append(sum(step(model, optimizer, X[i:i + 1], y[i:i + 1]) for i in order) / n)
    return history


def train_minibatch(X, y, w0, b0, batch_size, epochs, lr, generator):
    model = make_model(w0, b0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    n = len(X)
    history = []
    for _ in range(epochs):
        total = 0.0
        for idx in minibatch_indices(n, batch_size, generator):
            total += step(model, optimizer, X[idx], y[idx]) * len(idx)
        history.append(total / n)
    return history


def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    model = make_model(w0, b0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    n = len(X)
    epoch = 0
    while True:
        with torch.no_grad():
            if nn.functional.mse_loss(model(X), y).item() <= target:
                return epoch
        if epoch == max_epochs:
            return None
        for idx in minibatch_indices(n, batch_size, generator):
            step(model, optimizer, X[idx], y[idx])
        epoch += 1


def noise_floor(X, y):
    A = torch.cat([X, torch.ones(len(X), 1)], dim=1).double()
    coef = torch.linalg.lstsq(A, y.double()).solution
    return float(nn.functional.mse_loss(A @ coef, y.double()))
'''

HAND_WRITTEN_GRADIENTS = '''
import torch


def minibatch_indices(n, batch_size, generator):
    if not batch_size >= 1:
        raise ValueError(f"batch_size={batch_size} is not a positive batch size")
    return list(torch.split(torch.randperm(n, generator=generator), batch_size))


def loss_and_grads(X, y, w, b):
    """Mean squared error and its gradients, by hand: d/dw = 2/m X^T r, d/db = 2/m sum r."""
    r = X @ w + b - y  # (m, 1) residuals
    m = X.shape[0]
    return (r ** 2).mean().item(), (2.0 / m) * (X.T @ r), (2.0 / m) * r.sum(dim=0)


def train_batch(X, y, w0, b0, epochs, lr):
    w, b = w0.clone(), b0.clone()
    losses = []
    for _ in range(epochs):
        loss, gw, gb = loss_and_grads(X, y, w, b)
        losses.append(loss)
        w, b = w - lr * gw, b - lr * gb
    return losses


def run_epoch(X, y, w, b, lr, batches):
    total = 0.0
    for idx in batches:
        loss, gw, gb = loss_and_grads(X[idx], y[idx], w, b)
        total += loss * len(idx)
        w, b = w - lr * gw, b - lr * gb
    return total / X.shape[0], w, b


def train_stochastic(X, y, w0, b0, epochs, lr, generator):
    w, b = w0.clone(), b0.clone()
    losses = []
    for _ in range(epochs):
        batches = torch.randperm(X.shape[0], generator=generator).split(1)  # one sample each
        loss, w, b = run_epoch(X, y, w, b, lr, batches)
        losses.append(loss)
    return losses


def train_minibatch(X, y, w0, b0, batch_size, epochs, lr, generator):
    w, b = w0.clone(), b0.clone()
    losses = []
    for _ in range(epochs):
        loss, w, b = run_epoch(X, y, w, b, lr, minibatch_indices(X.shape[0], batch_size, generator))
        losses.append(loss)
    return losses


def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    w, b = w0.clone(), b0.clone()
    for epoch in range(max_epochs + 1):
        if ((X @ w + b - y) ** 2).mean().item() <= target:
            return epoch
        if epoch < max_epochs:
            _, w, b = run_epoch(X, y, w, b, lr, minibatch_indices(X.shape[0], batch_size, generator))
    return None


def noise_floor(X, y):
    # normal equations in float64: (A^T A) coef = A^T y
    A = torch.cat([X.double(), torch.ones(X.shape[0], 1, dtype=torch.float64)], dim=1)
    coef = torch.linalg.solve(A.T @ A, A.T @ y.double())
    return ((A @ coef - y.double()) ** 2).mean().item()
'''

AUTOGRAD_GRAD = '''
import torch


def minibatch_indices(n, batch_size, generator):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return list(torch.randperm(n, generator=generator).split(batch_size))


def mse(X, y, w, b):
    return ((X @ w + b - y) ** 2).mean()


def update(loss, w, b, lr):
    """One gradient step with torch.autograd.grad; returns new leaf tensors."""
    gw, gb = torch.autograd.grad(loss, (w, b))
    return ((w - lr * gw).detach().requires_grad_(), (b - lr * gb).detach().requires_grad_())


def start(w0, b0):
    return w0.detach().clone().requires_grad_(), b0.detach().clone().requires_grad_()


def train_batch(X, y, w0, b0, epochs, lr):
    w, b = start(w0, b0)
    losses = []
    for _ in range(epochs):
        loss = mse(X, y, w, b)
        losses.append(loss.item())
        w, b = update(loss, w, b, lr)
    return losses


def train_minibatch(X, y, w0, b0, batch_size, epochs, lr, generator):
    w, b = start(w0, b0)
    n = X.shape[0]
    losses = []
    for _ in range(epochs):
        weighted = []
        for idx in minibatch_indices(n, batch_size, generator):
            loss = mse(X[idx], y[idx], w, b)
            weighted.append(loss.item() * idx.numel())
            w, b = update(loss, w, b, lr)
        losses.append(sum(weighted) / n)
    return losses


def train_stochastic(X, y, w0, b0, epochs, lr, generator):
    return train_minibatch(X, y, w0, b0, 1, epochs, lr, generator)


def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    w, b = start(w0, b0)
    n = X.shape[0]
    for epoch in range(max_epochs + 1):
        if mse(X, y, w, b).item() <= target:
            return epoch
        if epoch == max_epochs:
            break
        for idx in minibatch_indices(n, batch_size, generator):
            w, b = update(mse(X[idx], y[idx], w, b), w, b, lr)
    return None


def noise_floor(X, y):
    A = torch.cat([X, torch.ones_like(X[:, :1])], dim=1).to(torch.float64)
    residual = A @ torch.linalg.lstsq(A, y.to(torch.float64)).solution - y.to(torch.float64)
    return float(residual.pow(2).mean())
'''

FLOAT64 = '''
import torch


def minibatch_indices(n, batch_size, generator):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return list(torch.randperm(n, generator=generator).split(batch_size))


def as64(*tensors):
    return [t.detach().to(torch.float64) for t in tensors]


def mse(X, y, w, b):
    return ((X @ w + b - y) ** 2).mean()


def sgd(loss, params, lr):
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None


def train_batch(X, y, w0, b0, epochs, lr):
    X, y, w, b = as64(X, y, w0, b0)
    w.requires_grad_()
    b.requires_grad_()
    losses = []
    for _ in range(epochs):
        loss = mse(X, y, w, b)
        losses.append(float(loss))
        sgd(loss, (w, b), lr)
    return losses


def train_stochastic(X, y, w0, b0, epochs, lr, generator):
    X, y, w, b = as64(X, y, w0, b0)
    w.requires_grad_()
    b.requires_grad_()
    n = len(X)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for i in torch.randperm(n, generator=generator).tolist():
            loss = mse(X[i:i + 1], y[i:i + 1], w, b)
            total += float(loss)
            sgd(loss, (w, b), lr)
        losses.append(total / n)
    return losses


def train_minibatch(X, y, w0, b0, batch_size, epochs, lr, generator):
    X, y, w, b = as64(X, y, w0, b0)
    w.requires_grad_()
    b.requires_grad_()
    n = len(X)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for idx in minibatch_indices(n, batch_size, generator):
            loss = mse(X[idx], y[idx], w, b)
            total += float(loss) * len(idx)
            sgd(loss, (w, b), lr)
        losses.append(total / n)
    return losses


def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    X, y, w, b = as64(X, y, w0, b0)
    w.requires_grad_()
    b.requires_grad_()
    n = len(X)
    for epoch in range(max_epochs + 1):
        with torch.no_grad():
            if float(mse(X, y, w, b)) <= target:
                return epoch
        if epoch < max_epochs:
            for idx in minibatch_indices(n, batch_size, generator):
                sgd(mse(X[idx], y[idx], w, b), (w, b), lr)
    return None


def noise_floor(X, y):
    X, y = as64(X, y)
    A = torch.cat([X, torch.ones(len(X), 1, dtype=torch.float64)], dim=1)
    coef = torch.linalg.lstsq(A, y).solution
    return float(((A @ coef - y) ** 2).mean())
'''

CHATTY = '''
import sys
import warnings

import torch

print("lesson 1.3: loading my solution")


def minibatch_indices(n, batch_size, generator):
    if batch_size < 1:
        print(f"bad batch size {batch_size}", file=sys.stderr)
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    return list(torch.randperm(n, generator=generator).split(batch_size))


def mse(X, y, w, b):
    return ((X @ w + b - y) ** 2).mean()


def step(loss, w, b, lr):
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()


def params(w0, b0):
    return w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)


def train_batch(X, y, w0, b0, epochs, lr):
    if epochs == 0:
        warnings.warn("train_batch: epochs=0, nothing to train")
    w, b = params(w0, b0)
    losses = []
    for epoch in range(epochs):
        loss = mse(X, y, w, b)
        losses.append(loss.item())
        step(loss, w, b, lr)
        if epoch % 50 == 0:
            print(f"[batch] epoch {epoch}: loss {losses[-1]:.5f}")
    return losses


def train_stochastic(X, y, w0, b0, epochs, lr, generator):
    w, b = params(w0, b0)
    n = X.shape[0]
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for i in torch.randperm(n, generator=generator).tolist():
            loss = mse(X[i:i + 1], y[i:i + 1], w, b)
            total += loss.item()
            step(loss, w, b, lr)
        losses.append(total / n)
        print(f"[sgd] epoch {epoch}: loss {losses[-1]:.5f}", file=sys.stderr)
    return losses


def train_minibatch(X, y, w0, b0, batch_size, epochs, lr, generator):
    if lr > 0.5:
        warnings.warn(f"lr={lr} looks large; training may diverge")
    w, b = params(w0, b0)
    n = X.shape[0]
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for idx in minibatch_indices(n, batch_size, generator):
            loss = mse(X[idx], y[idx], w, b)
            total += loss.item() * len(idx)
            step(loss, w, b, lr)
        losses.append(total / n)
        print(f"[minibatch {batch_size}] epoch {epoch}: loss {losses[-1]:.5f}")
    return losses


def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    w, b = params(w0, b0)
    n = X.shape[0]
    for epoch in range(max_epochs + 1):
        with torch.no_grad():
            current = mse(X, y, w, b).item()
        print(f"after {epoch} epoch(s): loss {current:.5f} (target {target})")
        if current <= target:
            return epoch
        if epoch == max_epochs:
            warnings.warn(f"target {target} not reached in {max_epochs} epochs")
            return None
        for idx in minibatch_indices(n, batch_size, generator):
            step(mse(X[idx], y[idx], w, b), w, b, lr)


def noise_floor(X, y):
    A = torch.cat([X, torch.ones(X.shape[0], 1)], dim=1).double()
    coef = torch.linalg.lstsq(A, y.double()).solution
    floor = ((A @ coef - y.double()) ** 2).mean().item()
    print(f"noise floor: {floor:.5f}")
    return floor
'''

ALTERNATIVES = [
    pytest.param(NN_AND_OPTIM, id="nn_linear_and_optim_sgd"),
    pytest.param(HAND_WRITTEN_GRADIENTS, id="hand_written_gradients_no_autograd"),
    pytest.param(AUTOGRAD_GRAD, id="autograd_grad_functional_updates"),
    pytest.param(FLOAT64, id="float64_inside"),
    pytest.param(CHATTY, id="prints_progress_and_warns"),
]


@pytest.mark.parametrize("source", ALTERNATIVES)
def test_correct_alternative_style_keeps_full_marks(grade, source):
    report = grade(source)
    assert report.score == report.max_score > 0, render_text(report)
    assert report.status == "ok", render_text(report)
    if "print(" in source:
        assert "loading my solution" in report.output, "the student's output was not captured"
