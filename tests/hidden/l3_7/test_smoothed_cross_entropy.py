"""Hidden checks for `smoothed_cross_entropy`: equal to nn.CrossEntropyLoss(label_smoothing=...) in value
(several K, epsilons, dtypes, one sample) and gradient, finite for huge logits, inputs unchanged, bad input
raises ValueError."""

from __future__ import annotations

import torch
from torch import nn

from looplab.checks import (StudentError, as_tensor, assert_tensor, describe, drive, expect, expect_raises,
                            expect_unchanged, fail, gen, points, unfinished)

from .sim import SMOOTH, SMOOTHS

NAME = "smoothed_cross_entropy"


def problem(N: int, K: int, seed: int, scale: float = 3.0, dtype=torch.float32) -> tuple:
    g = gen(seed)
    return scale * torch.randn(N, K, generator=g, dtype=dtype), torch.randint(0, K, (N,), generator=g)


def _same(got, want) -> bool:
    return bool(torch.isclose(got.double(), want.double(), rtol=1e-4, atol=1e-5, equal_nan=True))


def expect_loss(student, N: int, K: int, eps: float, seed: int, scale: float = 3.0, dtype=torch.float32,
                note: str = "") -> None:
    logits, targets = problem(N, K, seed, scale, dtype)
    got = as_tensor(student.smoothed_cross_entropy(logits, targets, eps), NAME, shape=(), dtype=dtype)
    want = nn.CrossEntropyLoss(label_smoothing=eps)(logits, targets)
    tight = dtype == torch.float64
    assert_tensor(got, want, what=f"{NAME} (against nn.CrossEntropyLoss(label_smoothing={eps}))",
                  setting=describe(N=N, K=K, smoothing=eps, dtype=str(dtype).replace("torch.", ""),
                                   logit_scale=scale) + note,
                  rtol=1e-9 if tight else 1e-5, atol=1e-9 if tight else 1e-5,
                  diagnose=lambda: SMOOTHS.diagnose(got, list(SMOOTH), same=_same, logits=logits, targets=targets,
                                                    eps=eps))


@points(NAME, 2)
def test_matches_pytorch(student):
    expect_loss(student, 8, 5, 0.1, 1)
    expect_loss(student, 6, 2, 0.3, 2, note=" (two classes)")
    expect_loss(student, 10, 10, 0.0, 3, note=" (no smoothing: the plain cross-entropy)")
    expect_loss(student, 7, 4, 1.0, 4, note=" (smoothing=1: the uniform target)")
    expect_loss(student, 5, 6, 0.2, 5, dtype=torch.float64)
    expect_loss(student, 1, 3, 0.25, 6, note=" (one sample)")


@points(NAME, 1)
def test_stable_for_huge_logits(student):
    expect_loss(student, 6, 4, 0.1, 7, scale=1000.0, note=" (logits in the thousands)")
    expect_loss(student, 4, 3, 0.2, 8, scale=-1000.0, note=" (large negative logits)")


def grad_of(logits, targets, eps):
    """Driver: the gradient of smoothed_cross_entropy with respect to the logits."""
    z = logits.clone().requires_grad_(True)
    smoothed_cross_entropy(z, targets, eps).backward()
    return "no gradient reached the logits" if z.grad is None else z.grad


@points(NAME, 1)
def test_gradient_matches_pytorch(student):
    logits, targets = problem(6, 5, 9)
    setting = describe(N=6, K=5, smoothing=0.15)
    try:
        got = drive(student, NAME, grad_of, logits, targets, 0.15)
    except StudentError as err:
        if unfinished(err) or err.type != "RuntimeError":
            raise
        fail(f"backward() through {NAME} raised RuntimeError ({setting}): {err}")
    if isinstance(got, str):
        fail(f"{NAME}: {got} ({setting}); keep the loss in autograd's graph (no .item(), no detach)")
    z = logits.clone().requires_grad_(True)
    nn.CrossEntropyLoss(label_smoothing=0.15)(z, targets).backward()
    assert_tensor(as_tensor(got, f"the gradient through {NAME}", shape=(6, 5)), z.grad,
                  what=f"the gradient of the logits through {NAME} (against nn.CrossEntropyLoss)", setting=setting,
                  rtol=1e-4, atol=1e-6)


@points(NAME, 1)
def test_inputs_unchanged_and_bad_input_raises(student):
    logits, targets = problem(5, 4, 10)
    expect_unchanged(student, NAME, (logits, targets, 0.1), ["logits", "targets"])
    for args, setting, hint in [
        ((logits[0], targets[:1], 0.1), "logits of shape (4,)", "logits must be (N, K)"),
        ((logits, targets[:3], 0.1), "targets of shape (3,) for N=5", "targets must have shape (N,)"),
        ((logits, torch.tensor([0, 1, 4, 2, 3]), 0.1), "a target 4 with K=4", "targets must lie in [0, K)"),
        ((logits, targets, 1.5), "smoothing=1.5", "smoothing must be in [0, 1]"),
        ((logits, targets, -0.1), "smoothing=-0.1", "smoothing must be in [0, 1]"),
    ]:
        expect_raises(student, NAME, args, "ValueError", setting=setting, hint=hint)
