"""Hidden checks for `nt_xent`: the reference's loss and gradient on random embeddings, the
symmetry of the definition, the one-pair edge case, stability at small temperatures, the
contract."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from looplab.checks import (as_tensor, assert_float, assert_tensor, describe, drive, expect_raises,
                            expect_unchanged, fail, fresh_all, gen, likely, points)

NAME = "nt_xent"


def embeddings(seed: int, n: int, d: int, dtype=torch.float32, scale: float = 1.0) -> tuple[Tensor, Tensor]:
    g = gen(seed)
    z1 = scale * torch.randn(n, d, generator=g, dtype=dtype)
    z2 = z1 + 0.7 * scale * torch.randn(n, d, generator=g, dtype=dtype)  # related views
    return z1, z2


def no_self_mask(z1, z2, tau):
    z = torch.nn.functional.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    logits = z @ z.T / tau
    return torch.nn.functional.cross_entropy(logits, torch.cat([torch.arange(n, 2 * n), torch.arange(n)]))


def no_normalise(z1, z2, tau):
    z = torch.cat([z1, z2])
    n = z1.shape[0]
    logits = (z @ z.T / tau).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    return torch.nn.functional.cross_entropy(logits, torch.cat([torch.arange(n, 2 * n), torch.arange(n)]))


def one_direction(z1, z2, tau):
    z = torch.nn.functional.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    logits = (z @ z.T / tau).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    return torch.nn.functional.cross_entropy(logits[:n], torch.arange(n, 2 * n))


def cross_view_only(z1, z2, tau):
    a = torch.nn.functional.normalize(z1, dim=1)
    b = torch.nn.functional.normalize(z2, dim=1)
    logits = a @ b.T / tau
    n = z1.shape[0]
    return (torch.nn.functional.cross_entropy(logits, torch.arange(n))
            + torch.nn.functional.cross_entropy(logits.T, torch.arange(n))) / 2


def masked(z1, z2, tau):
    z = torch.nn.functional.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    logits = (z @ z.T / tau).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    return torch.nn.functional.cross_entropy(logits, torch.cat([torch.arange(n, 2 * n), torch.arange(n)]))


def sum_not_mean(z1, z2, tau):
    return 2 * z1.shape[0] * masked(z1, z2, tau)


def times_tau(z1, z2, tau):
    z = torch.nn.functional.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    logits = (z @ z.T * tau).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    return torch.nn.functional.cross_entropy(logits, torch.cat([torch.arange(n, 2 * n), torch.arange(n)]))


KNOWN = [
    (no_self_mask, "each embedding is counted among its own negatives: mask the diagonal (s_ii = -inf) "
                   "before the log-sum-exp"),
    (no_normalise, "the embeddings are not normalised to unit length: the similarities must be cosines, "
                   "F.normalize(z, dim=1) first"),
    (one_direction, "only the first view's N anchors are averaged: NT-Xent averages over all 2N"),
    (cross_view_only, "the negatives come only from the other view (a CLIP-style loss): NT-Xent compares "
                      "each embedding with all 2N - 1 others, its own view included"),
    (sum_not_mean, "the losses are summed over the 2N anchors instead of averaged"),
    (times_tau, "the similarities are multiplied by the temperature instead of divided"),
]


def diagnose(got: float, z1, z2, tau) -> str | None:
    for fn, cause in KNOWN:
        want = fn(z1.double(), z2.double(), tau).item()
        if math.isfinite(want) and abs(got - want) <= 1e-4 * max(1.0, abs(want)):
            return cause
    return None


def compare(student, reference, z1, z2, tau, **extra) -> None:
    setting = describe(N=z1.shape[0], d=z1.shape[1], temperature=tau, dtype=str(z1.dtype).replace("torch.", ""),
                       **extra)
    want = reference.nt_xent(*fresh_all((z1, z2)), tau)
    got = as_tensor(student.nt_xent(*fresh_all((z1, z2)), tau), NAME, shape=(), dtype=z1.dtype)
    if not torch.isfinite(got):
        fail(f"{setting}: the loss came back {got.item()}, expected {want.item():.6g}"
             + likely("exp() of the raw similarities overflows: use torch.logsumexp or F.cross_entropy, which "
                      "subtract the largest logit first"))
    assert_float(got.item(), want.item(), what="the loss", setting=setting, rtol=1e-4 if z1.dtype == torch.float32
                 else 1e-9, atol=1e-5 if z1.dtype == torch.float32 else 1e-10,
                 diagnose=lambda: diagnose(got.item(), z1, z2, tau))


@points(NAME, 2)
def test_matches_reference_on_random_embeddings(student, reference):
    compare(student, reference, *embeddings(0, 8, 4), 0.5)
    compare(student, reference, *embeddings(1, 32, 16), 0.1)
    compare(student, reference, *embeddings(2, 5, 3, torch.float64, scale=3.0), 1.0)
    compare(student, reference, *embeddings(3, 12, 6, torch.float64), 0.07)


@points(NAME, 1)
def test_gradient_matches_reference(student, reference):
    def grads(z1, z2, tau):
        a = z1.clone().requires_grad_(True)
        b = z2.clone().requires_grad_(True)
        loss = nt_xent(a, b, tau)
        ga, gb = torch.autograd.grad(loss, [a, b])
        return [ga, gb]

    z1, z2 = embeddings(4, 10, 5, torch.float64)
    setting = describe(N=10, d=5, temperature=0.2, dtype="float64")
    got = drive(student, NAME, grads, z1, z2, 0.2)
    a, b = z1.clone().requires_grad_(True), z2.clone().requires_grad_(True)
    want = torch.autograd.grad(reference.nt_xent(a, b, 0.2), [a, b])
    for label, g, w in zip(("z1", "z2"), got, want):
        assert_tensor(g, w, what=f"the gradient with respect to {label}", setting=setting, rtol=1e-7, atol=1e-9)


@points(NAME, 1)
def test_symmetric_in_the_two_views(student, reference):
    z1, z2 = embeddings(5, 9, 4, torch.float64)
    setting = describe(N=9, d=4, temperature=0.3, dtype="float64")
    forward = as_tensor(student.nt_xent(z1, z2, 0.3), NAME, shape=()).item()
    backward = as_tensor(student.nt_xent(z2, z1, 0.3), NAME, shape=()).item()
    if abs(forward - backward) > 1e-9 * max(1.0, abs(forward)):
        fail(f"{setting}: nt_xent(z1, z2) = {forward:.8g} but nt_xent(z2, z1) = {backward:.8g}; the definition "
             f"averages over all 2N anchors, so swapping the views only reorders the terms"
             + likely("only one view's anchors are averaged, or the partners are not i <-> i + N both ways"))


@points(NAME, 1)
def test_one_pair_and_large_logits(student, reference):
    z1, z2 = embeddings(6, 1, 3)
    compare(student, reference, z1, z2, 0.5, case="one pair: its only other embedding is its partner")
    compare(student, reference, *embeddings(7, 16, 8, scale=1000.0), 0.01, case="embeddings of norm ~1000")
    compare(student, reference, *embeddings(8, 6, 4), 0.005)


@points(NAME, 1)
def test_inputs_unchanged(student):
    z1, z2 = embeddings(9, 7, 3)
    expect_unchanged(student, NAME, (z1, z2, 0.5), ["z1", "z2"])


@points(NAME, 1)
def test_bad_input_raises_value_error(student):
    z1, z2 = embeddings(10, 4, 3)
    for args, what in (((z1, z2[:3], 0.5), "z1 (4, 3) and z2 (3, 3)"), ((z1[0], z2[0], 0.5), "1-D z1 and z2"),
                       ((z1, z2, 0.0), "temperature=0"), ((z1, z2, -0.1), "temperature=-0.1")):
        expect_raises(student, NAME, args, "ValueError", setting=what)
