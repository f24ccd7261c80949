"""Hidden checks for `clip_grad_norm_`: the same clipped gradients and the same returned norm as
torch.nn.utils.clip_grad_norm_ (one global factor, 1e-6 in the denominator, never scaling up, the norm
before clipping), changed in place; empty list, max_norm=0, bad max_norm."""

from __future__ import annotations

import torch

from looplab.checks import (as_float, assert_float, assert_tensor, describe, expect, expect_raises, gen,
                            points)

from .mistakes import CLIP, tensors_agree
from .yardsticks import torch_clip

NAME = "clip_grad_norm_"
NAMES = tuple(CLIP.messages)


def gradients(shapes: list[tuple], seed: int, scale: float = 1.0, dtype=torch.float32) -> list[torch.Tensor]:
    g = gen(seed)
    return [scale * torch.randn(*s, generator=g, dtype=dtype) for s in shapes]


def expect_clip(student, grads: list[torch.Tensor], max_norm: float, setting: str, *, rtol: float = 1e-5,
                note: str = "") -> None:
    reply = student.call(NAME, [g.clone() for g in grads], max_norm, return_args=True)
    total = as_float(reply["result"], NAME)
    after = reply["args_after"][0]
    want_total, want = torch_clip(grads, max_norm)

    def diagnose():
        return CLIP.diagnose([total, after], NAMES, same=lambda a, b: tensors_agree(a, list(b), 10 * rtol, 1e-12),
                             grads=grads, max_norm=max_norm)
    setting = setting + note
    assert_float(total, want_total, what=f"{NAME}'s returned norm (against torch.nn.utils.clip_grad_norm_)",
                 setting=setting, rtol=rtol, atol=1e-12, diagnose=diagnose)
    for i, (g, w) in enumerate(zip(after, want)):
        assert_tensor(g, w, what=f"grads[{i}] after {NAME} (against torch.nn.utils.clip_grad_norm_)",
                      setting=setting, rtol=rtol, atol=1e-12, diagnose=diagnose)


MLP = [(2, 8), (8,), (8, 8), (8,), (8, 1), (1,)]


@points(NAME, 1.5)
def test_clips_by_the_global_norm_like_torch(student):
    for shapes, max_norm, seed, dtype in ((MLP, 1.0, 1, torch.float32), (MLP, 0.25, 2, torch.float64),
                                          ([(30, 20)], 2.0, 3, torch.float32),
                                          ([(3,), (40, 5), (2, 2, 2)], 0.5, 4, torch.float32)):
        grads = gradients(shapes, seed, dtype=dtype)
        expect_clip(student, grads, max_norm, describe(shapes=shapes, max_norm=max_norm,
                                                       dtype=str(dtype).replace("torch.", "")),
                    rtol=1e-10 if dtype == torch.float64 else 1e-5)


@points(NAME, 1)
def test_below_max_norm_nothing_changes(student):
    grads = gradients(MLP, 5, scale=0.05)
    expect_clip(student, grads, 10.0, describe(shapes=MLP, max_norm=10.0),
                note="; the global norm is below max_norm, so the factor is 1.0")
    grads = gradients([(4, 4)], 6, dtype=torch.float64)
    total = torch.linalg.vector_norm(grads[0]).item()
    expect_clip(student, grads, total, describe(shapes=[(4, 4)], max_norm=f"{total:.6g} (the norm itself)"),
                rtol=1e-10, note="; max_norm equal to the norm: the factor max_norm / (norm + 1e-6) is just below 1")


@points(NAME, 1)
def test_epsilon_in_the_denominator_as_torch(student):
    grads = gradients(MLP, 7, scale=1e-6, dtype=torch.float64)  # a global norm of about 1e-5
    expect_clip(student, grads, 1e-6, describe(shapes=MLP, max_norm=1e-6, dtype="float64"), rtol=1e-9,
                note="; tiny gradients, where the 1e-6 of max_norm / (total + 1e-6) matters")


@points(NAME, 1)
def test_returns_the_norm_before_clipping_in_place(student):
    grads = gradients(MLP, 8, scale=3.0)
    reply = student.call(NAME, grads, 0.1, return_args=True)
    total = as_float(reply["result"], NAME, strict=True)
    want_total, want = torch_clip(grads, 0.1)
    expect(abs(total - want_total) <= 1e-5 * want_total,
           f"{NAME} returned {total:.6g}; the global norm before clipping is {want_total:.6g} "
           f"({describe(shapes=MLP, max_norm=0.1)})"
           + ("\nlikely mistake: " + CLIP["norm_after"] if abs(total - 0.1) < 1e-3 else ""))
    after = reply["args_after"][0]
    expect(all(torch.allclose(a, w, rtol=1e-5, atol=1e-9) for a, w in zip(after, want)),
           f"after {NAME}(grads, max_norm=0.1) the tensors of grads are not clipped: they must be scaled in "
           f"place, as PyTorch scales each p.grad\nlikely mistake: " + CLIP["not_in_place"])


@points(NAME, 0.5)
def test_empty_list_zero_max_norm_and_bad_max_norm(student):
    total = as_float(student.call(NAME, [], 1.0)["result"], NAME)
    expect(total == 0.0, f"{NAME}([], 1.0) returned {total}; no gradients have global norm 0.0")
    grads = gradients(MLP, 9)
    expect_clip(student, grads, 0.0, describe(shapes=MLP, max_norm=0.0), note="; max_norm=0 zeroes every gradient")
    expect_raises(student, NAME, (gradients(MLP, 10), -1.0), "ValueError", setting="max_norm=-1.0",
                  hint="a negative max_norm would flip the gradients' sign")
