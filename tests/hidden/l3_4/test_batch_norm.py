"""Hidden checks for `batch_norm`: training mode equals nn.BatchNorm1d (output and running buffers after
each of several steps: batch statistics, biased variance to normalise, unbiased for the running estimate,
PyTorch's momentum), evaluation mode uses the running estimates, gradients flow through the batch
statistics and not into the running estimates, arguments stay unchanged, bad input raises."""

from __future__ import annotations

import torch

from looplab.checks import (StudentError, as_tensor, assert_tensor, describe, drive, expect, expect_raises,
                            expect_unchanged, fail, gen, points, unfinished)

from .mistakes import BATCH, tensors_agree
from .yardsticks import batch_norm_module

NAME = "batch_norm"
NAMES = tuple(BATCH.messages)


def params(C: int, seed: int, dtype=torch.float32) -> tuple:
    g = gen(seed)
    gamma = torch.rand(C, generator=g, dtype=dtype) + 0.5
    beta = torch.randn(C, generator=g, dtype=dtype)
    running_mean = torch.randn(C, generator=g, dtype=dtype)
    running_var = torch.rand(C, generator=g, dtype=dtype) + 0.5
    return gamma, beta, running_mean, running_var


def batch(N: int, C: int, seed: int, dtype=torch.float32) -> torch.Tensor:
    g = gen(seed)
    return 3 * torch.randn(N, C, generator=g, dtype=dtype) + torch.randn(C, generator=g, dtype=dtype) * 4


def read(result, N: int, C: int, dtype) -> tuple:
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(f"{NAME} must return a tuple (y, new_running_mean, new_running_var)")
    y = as_tensor(result[0], f"{NAME}'s y", shape=(N, C), dtype=dtype)
    rm = as_tensor(result[1], f"{NAME}'s new_running_mean", shape=(C,), dtype=dtype)
    rv = as_tensor(result[2], f"{NAME}'s new_running_var", shape=(C,), dtype=dtype)
    return y, rm, rv


def expect_step(student, x, gamma, beta, rm, rv, training: bool, momentum: float, eps: float, setting: str,
                bn=None) -> tuple:
    """One call against nn.BatchNorm1d (a fresh one, or `bn` carried from earlier steps); returns the
    student's new running estimates."""
    N, C = x.shape
    got = read(student.batch_norm(x, gamma, beta, rm, rv, training, momentum, eps), N, C, x.dtype)
    bn = bn or batch_norm_module(gamma, beta, rm, rv, momentum, eps)
    bn.train(training)
    with torch.no_grad():
        want = (bn(x), bn.running_mean.clone(), bn.running_var.clone())
    tight = x.dtype == torch.float64
    rtol, atol = (1e-9, 1e-10) if tight else (1e-5, 1e-5)

    def diagnose():
        return BATCH.diagnose(list(got), NAMES, same=lambda a, b: tensors_agree(a, b, 1e-4, 1e-5), x=x, gamma=gamma,
                              beta=beta, running_mean=rm, running_var=rv, training=training, momentum=momentum,
                              eps=eps)
    mode = "training" if training else "evaluation"
    for what, g, w in zip(("y", "new_running_mean", "new_running_var"), got, want):
        assert_tensor(g, w, what=f"{NAME}'s {what} in {mode} mode (against nn.BatchNorm1d)", setting=setting,
                      rtol=rtol, atol=atol, diagnose=diagnose)
    return got[1], got[2]


@points(NAME, 1.5)
def test_training_mode_matches_batchnorm1d(student):
    for N, C, momentum, eps, seed, dtype in ((16, 4, 0.1, 1e-5, 1, torch.float32), (5, 3, 0.3, 1e-3, 2, torch.float32),
                                             (2, 6, 0.5, 1e-5, 3, torch.float64), (8, 1, 1.0, 0.1, 4, torch.float64)):
        gamma, beta, rm, rv = params(C, seed, dtype)
        x = batch(N, C, seed + 50, dtype)
        expect_step(student, x, gamma, beta, rm, rv, True, momentum, eps,
                    describe(N=N, C=C, momentum=momentum, eps=eps, dtype=str(dtype).replace("torch.", "")))


@points(NAME, 1)
def test_running_estimates_over_several_steps_then_evaluation(student):
    C, momentum, eps = 5, 0.2, 1e-5
    gamma, beta = params(C, 5)[:2]
    rm, rv = torch.zeros(C), torch.ones(C)  # a fresh layer's buffers
    bn = batch_norm_module(gamma, beta, rm, rv, momentum, eps)
    for step, N in enumerate((8, 3, 12, 4, 6)):
        x = batch(N, C, 60 + step)
        rm, rv = expect_step(student, x, gamma, beta, rm, rv, True, momentum, eps,
                             describe(step=step, N=N, C=C, momentum=momentum) + ", fed back its own running "
                             "estimates, from zeros and ones", bn=bn)
    x = batch(7, C, 70)
    expect_step(student, x, gamma, beta, rm, rv, False, momentum, eps,
                describe(N=7, C=C) + ", evaluation mode after 5 training steps", bn=bn)


@points(NAME, 1)
def test_evaluation_mode_uses_running_estimates(student):
    for N, C, seed, dtype in ((6, 4, 8, torch.float32), (1, 3, 9, torch.float32), (4, 2, 10, torch.float64)):
        gamma, beta, rm, rv = params(C, seed, dtype)
        x = batch(N, C, seed + 50, dtype)
        expect_step(student, x, gamma, beta, rm, rv, False, 0.1, 1e-5,
                    describe(N=N, C=C, training=False, dtype=str(dtype).replace("torch.", "")))


def grads_of(x, gamma, beta, rm, rv, upstream):
    """Driver: gradients of (y * upstream).sum() for x, gamma, beta in training mode, and whether the
    returned running estimates carry a gradient."""
    x, gamma, beta = x.clone().requires_grad_(True), gamma.clone().requires_grad_(True), beta.clone().requires_grad_(True)
    y, new_mean, new_var = batch_norm(x, gamma, beta, rm, rv, True, 0.1, 1e-5)
    (y * upstream).sum().backward()
    if x.grad is None or gamma.grad is None or beta.grad is None:
        return "no gradient reached x, gamma or beta"
    return [x.grad, gamma.grad, beta.grad, bool(new_mean.requires_grad or new_var.requires_grad)]


@points(NAME, 0.5)
def test_gradients_match_batchnorm1d_and_running_estimates_are_detached(student):
    C = 3
    gamma, beta, rm, rv = params(C, 11)
    x = batch(6, C, 12)
    upstream = torch.randn(6, C, generator=gen(13))
    setting = describe(N=6, C=C) + ", training mode, loss (y * upstream).sum()"
    try:
        got = drive(student, NAME, grads_of, x, gamma, beta, rm, rv, upstream)
    except StudentError as err:
        if unfinished(err) or err.type != "RuntimeError":
            raise
        fail(f"backward() through {NAME} raised RuntimeError ({setting}): {err}")
    if isinstance(got, str):
        fail(f"{NAME}: {got} ({setting}); keep y in autograd's graph")
    bn = batch_norm_module(gamma, beta, rm, rv, 0.1, 1e-5)
    xr = x.clone().requires_grad_(True)
    (bn(xr) * upstream).sum().backward()
    want = [xr.grad, bn.weight.grad, bn.bias.grad]
    for what, g, w in zip(("x", "gamma", "beta"), got[:3], want):
        assert_tensor(g, w, what=f"the gradient of {what} through {NAME} (against nn.BatchNorm1d)", setting=setting,
                      rtol=1e-4, atol=1e-5,
                      diagnose=lambda: "the batch mean or variance is detached (or computed with .item()): in "
                                       "training mode the gradient flows through them too" if what == "x" else None)
    expect(not got[3], f"{NAME}'s new running estimates require a gradient ({setting}); they are buffers: compute "
                       f"them under torch.no_grad() or .detach() them, or every step's graph stays alive")


@points(NAME, 1)
def test_arguments_unchanged_and_bad_input_raises(student):
    gamma, beta, rm, rv = params(4, 14)
    x = batch(6, 4, 15)
    reply = expect_unchanged(student, NAME, (x, gamma, beta, rm, rv, True, 0.1, 1e-5),
                             ["x", "gamma", "beta", "running_mean", "running_var"])
    expect(isinstance(reply["result"], (tuple, list)), f"{NAME} must return a tuple of three tensors")
    expect_raises(student, NAME, (x[:1], gamma, beta, rm, rv, True), "ValueError", setting="N=1, training=True",
                  hint="one sample has no spread; nn.BatchNorm1d raises ValueError too")
    expect_raises(student, NAME, (x, gamma[:3], beta, rm, rv, True), "ValueError", setting="gamma of shape (3,), C=4",
                  hint="gamma, beta and the running estimates must have shape (C,)")
    expect_raises(student, NAME, (x, gamma, beta, rm, rv[:2], False), "ValueError",
                  setting="running_var of shape (2,), C=4", hint="the running estimates must have shape (C,)")
    expect_raises(student, NAME, (x[0], gamma, beta, rm, rv, False), "ValueError", setting="x of shape (4,)",
                  hint="x must have shape (N, C)")
