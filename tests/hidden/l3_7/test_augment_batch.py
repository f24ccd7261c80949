"""Hidden checks for `augment_batch`: the reference's batch entry by entry on several settings, shapes,
dtypes and labels kept, the same generator seed gives the same batch (and only the generator matters),
zeros brought in by a shift, inputs unchanged, bad settings raise ValueError."""

from __future__ import annotations

import torch

from looplab.checks import (as_pair, as_tensor, assert_tensor, describe, expect, expect_raises, expect_unchanged,
                            fail, gen, likely, points)

from .sim import AUGMENT, AUGMENTS

NAME = "augment_batch"


def batch(shape: tuple, seed: int, dtype=torch.float32) -> tuple:
    g = gen(seed)
    return torch.randn(*shape, generator=g, dtype=dtype), torch.randint(0, 10, (shape[0],), generator=g)


def run(student, x, y, seed, flip_prob, max_shift, noise_std, **kwargs):
    got = as_pair(student.call(NAME, x, y, gen(seed), flip_prob, max_shift, noise_std, **kwargs)["result"], NAME,
                  "(x_aug, y_aug)")
    return (as_tensor(got[0], f"{NAME}'s x_aug", shape=tuple(x.shape), dtype=x.dtype),
            as_tensor(got[1], f"{NAME}'s labels", shape=tuple(y.shape), dtype=torch.int64))


def expect_reference(student, reference, shape, seed, flip_prob, max_shift, noise_std, dtype=torch.float32,
                     note: str = "") -> None:
    x, y = batch(shape, seed, dtype)
    got, labels = run(student, x, y, seed + 100, flip_prob, max_shift, noise_std)
    want, _ = reference.augment_batch(x.clone(), y.clone(), gen(seed + 100), flip_prob, max_shift, noise_std)
    setting = describe(shape=shape, dtype=str(dtype).replace("torch.", ""), flip_prob=flip_prob,
                       max_shift=max_shift, noise_std=noise_std) + note
    expect(torch.equal(labels, y), f"{NAME} changed the labels ({setting}); flips, shifts and noise keep every "
                                   f"label: return y as it was (a new tensor equal to y)")
    assert_tensor(got, want, what=f"{NAME}'s x_aug (against the reference)", setting=setting, rtol=1e-5, atol=1e-6,
                  diagnose=lambda: AUGMENTS.diagnose(got, list(AUGMENT), same=_same, x=x, y=y, seed=seed + 100,
                                                     flip_prob=flip_prob, max_shift=max_shift, noise_std=noise_std))


def _same(got, want) -> bool:
    return tuple(got.shape) == tuple(want.shape) and torch.allclose(got.double(), want.double(), atol=1e-5)


@points(NAME, 2)
def test_matches_reference(student, reference):
    expect_reference(student, reference, (6, 8, 8), 1, 0.5, 1, 0.0)
    expect_reference(student, reference, (5, 6, 7), 2, 0.5, 2, 0.0, note=" (H != W)")
    expect_reference(student, reference, (4, 5, 5), 3, 0.3, 1, 0.2, torch.float64)
    expect_reference(student, reference, (5, 4, 6), 4, 1.0, 0, 0.0, note=" (every image mirrored, no shift)")
    expect_reference(student, reference, (6, 5, 5), 5, 0.0, 2, 0.0, note=" (no mirror, shifts only)")
    expect_reference(student, reference, (1, 3, 3), 6, 0.5, 2, 0.5, note=" (one image)")
    expect_reference(student, reference, (8, 6, 6), 7, 0.5, 2, 0.1)


@points(NAME, 1)
def test_same_seed_same_batch_only_the_generator(student):
    x, y = batch((6, 6, 6), 10)
    first = run(student, x, y, 11, 0.5, 2, 0.1, global_seed=1)[0]
    second = run(student, x, y, 11, 0.5, 2, 0.1, global_seed=2)[0]
    expect(torch.equal(first, second),
           f"{NAME}: the same generator seed gave two different batches when torch's global seed changed "
           f"({describe(shape=(6, 6, 6), flip_prob=0.5, max_shift=2, noise_std=0.1)}); draw every random number "
           f"from `generator` (torch.rand(..., generator=generator)), never from torch's global generator")
    other = run(student, x, y, 12, 0.5, 2, 0.1)[0]
    expect(not torch.equal(first, other), f"{NAME}: two different generator seeds gave the same batch; the "
                                          f"flips, shifts and noise must be drawn from `generator`")


@points(NAME, 1)
def test_shift_brings_in_zeros_and_nothing_else_when_off(student):
    x = torch.ones(30, 5, 5)
    y = torch.zeros(30, dtype=torch.int64)
    got = run(student, x, y, 20, 0.0, 1, 0.0)[0]
    setting = describe(shape=(30, 5, 5), x="all ones", flip_prob=0.0, max_shift=1, noise_std=0.0)
    expect(bool(((got == 0) | (got == 1)).all()) and got.sum() < x.sum(),
           f"{NAME}: shifting images of ones gave values other than zeros at the border ({setting})"
           + likely(AUGMENT["wraps"] if torch.equal(got, x) else None))
    x, y = batch((4, 5, 6), 21, torch.float64)
    same = run(student, x, y, 22, 0.0, 0, 0.0)[0]
    expect(torch.equal(same, x), f"{NAME}: with flip_prob=0, max_shift=0 and noise_std=0 the images must come "
                                 f"back exactly as they were (float64, shape (4, 5, 6))")


@points(NAME, 0.5)
def test_inputs_unchanged_and_empty_batch(student):
    x, y = batch((5, 6, 6), 30)
    expect_unchanged(student, NAME, (x, y, gen(31), 0.5, 2, 0.3), ["x", "y"])
    empty = run(student, torch.zeros(0, 4, 4), torch.zeros(0, dtype=torch.int64), 32, 0.5, 1, 0.1)[0]
    expect(empty.shape == (0, 4, 4), f"{NAME}: an empty batch (N=0) must give an empty batch")


@points(NAME, 0.5)
def test_bad_settings_raise(student):
    x, y = batch((3, 5, 5), 40)
    for args, setting, hint in [
        ((x[0], y, gen(0), 0.5, 1, 0.0), "x of shape (5, 5)", "x must be (N, H, W)"),
        ((x, y[:2], gen(0), 0.5, 1, 0.0), "y of shape (2,) for N=3", "y must have shape (N,)"),
        ((x, y, gen(0), 1.5, 1, 0.0), "flip_prob=1.5", "flip_prob must be in [0, 1]"),
        ((x, y, gen(0), 0.5, 5, 0.0), "max_shift=5 for 5x5 images", "max_shift must be below min(H, W)"),
        ((x, y, gen(0), 0.5, -1, 0.0), "max_shift=-1", "max_shift must be at least 0"),
        ((x, y, gen(0), 0.5, 1, -0.1), "noise_std=-0.1", "noise_std must be at least 0"),
    ]:
        expect_raises(student, NAME, args, "ValueError", setting=setting, hint=hint)
