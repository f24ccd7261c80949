"""Hidden checks for `collate_pairs`, with torch.stack and default_collate as the oracles."""

import torch
from torch.utils.data import default_collate

from looplab.checks import as_pair, as_tensor, assert_tensor, expect, expect_raises, gen, likely, points

NAME = "collate_pairs"


def _samples(B: int, d: int, seed: int, dtype=torch.float32) -> list[tuple]:
    g = gen(seed)
    return [(torch.randn(d, generator=g, dtype=dtype), torch.randn(1, generator=g, dtype=dtype)) for _ in range(B)]


def _expect_batch(student, samples, setting):
    B, d = len(samples), samples[0][0].shape[0]
    result = student.call(NAME, samples, return_args=True)
    Xb, yb = as_pair(result["result"], NAME, "(X_batch, y_batch)")
    want_X, want_y = default_collate(samples)
    mistake = None
    if isinstance(Xb, torch.Tensor) and tuple(Xb.shape) == (B * d,):
        mistake = "the x's are joined along their existing dimension (torch.cat), giving one flat (B * d,) vector; " \
                  "torch.stack adds the new batch dimension"
    elif isinstance(Xb, torch.Tensor) and tuple(Xb.shape) == (B, 1) and d != 1:
        mistake = "X_batch and y_batch are swapped: return (X_batch, y_batch)"
    if mistake:
        expect(False, f"{NAME} returned X_batch of shape {tuple(Xb.shape)}, expected ({B}, {d}) ({setting})" + likely(mistake))
    Xb = as_tensor(Xb, f"{NAME}'s X_batch", shape=(B, d), dtype=want_X.dtype)
    yb = as_tensor(yb, f"{NAME}'s y_batch", shape=(B, 1), dtype=want_y.dtype)
    assert_tensor(Xb, want_X, what=f"{NAME}'s X_batch (row j is sample j's x)", setting=setting, rtol=0, atol=0)
    assert_tensor(yb, want_y, what=f"{NAME}'s y_batch (row j is sample j's y)", setting=setting, rtol=0, atol=0)
    expect(isinstance(result["result"], tuple), f"{NAME} returned a {type(result['result']).__name__}; "
                                                f"the contract asks for a tuple (X_batch, y_batch)")
    for j, (after, before) in enumerate(zip(result["args_after"][0], samples)):
        expect(all(torch.equal(a, b) for a, b in zip(after, before)),
               f"{NAME} changed sample {j} in place; leave the samples as they are")


@points(NAME, 1)
def test_stacks_like_torch(student):
    for B, d, seed in [(5, 3, 1), (8, 2, 2), (3, 6, 3)]:
        _expect_batch(student, _samples(B, d, seed), f"B={B} samples, x of shape ({d},), y of shape (1,)")


@points(NAME, 0.5)
def test_single_sample_one_feature_and_float64(student):
    _expect_batch(student, _samples(1, 4, 4), "B=1 sample, x of shape (4,)")
    _expect_batch(student, _samples(6, 1, 5), "B=6 samples, x of shape (1,): one feature")
    _expect_batch(student, _samples(4, 3, 6, torch.float64), "B=4 float64 samples: the dtype is kept")


@points(NAME, 0.5)
def test_empty_list_raises_value_error(student):
    expect_raises(student, NAME, ([],), "ValueError", setting="samples=[]",
                  hint="a batch has at least one sample (torch.stack([]) raises RuntimeError, not ValueError)")
