"""Hidden checks for `dropout`: the contract's mask, the statistics, evaluation mode, bad p."""

from __future__ import annotations

import torch

from looplab.checks import (as_tensor, assert_not_much_slower, assert_tensor, describe, expect,
                            expect_raises, expect_unchanged, fail, gen, likely, points)

from .data import GLOBAL_SEED
from .sim import DROPOUT, tensors_close

NAMES = ["no_rescale", "scale_by_p", "keep_below", "one_minus"]
LOOP_HINT = ("a Python loop over the entries is the usual cause: draw the whole mask with one "
             "torch.rand(x.shape, generator=generator) and combine it with x in one expression")


def _out(student, x, p, training, g, what, **kwargs):
    reply = student.call("dropout", x, p, training, g, global_seed=GLOBAL_SEED, **kwargs)
    return as_tensor(reply["result"], what, shape=tuple(x.shape), dtype=x.dtype), reply


def _expect_reference(student, reference, x, p, seed, setting):
    got, _ = _out(student, x, p, True, gen(seed), "dropout")
    want = reference.dropout(x.clone(), p, True, gen(seed))
    assert_tensor(got, want, what="dropout", setting=setting, rtol=1e-5, atol=1e-7,
                  diagnose=lambda: DROPOUT.diagnose(got, NAMES, same=tensors_close, x=x, p=p,
                                                    generator=gen(seed)))


@points("dropout", 1)
def test_matches_reference_mask_and_scaling(student, reference):
    x = torch.randn(64, 30, generator=gen(1))
    _expect_reference(student, reference, x, 0.3, 11, "x of shape (64, 30), p=0.3, training=True")
    x3 = torch.randn(4, 5, 6, generator=gen(2)) + 1.0
    _expect_reference(student, reference, x3, 0.5, 12, "x of shape (4, 5, 6), p=0.5, training=True")


@points("dropout", 1)
def test_matches_reference_in_float64_and_large_p(student, reference):
    x = torch.randn(20, 9, generator=gen(3), dtype=torch.float64)
    _expect_reference(student, reference, x, 0.8, 13,
                      "x float64 of shape (20, 9), p=0.8, training=True; the result keeps x's dtype")


@points("dropout", 1)
def test_drops_about_p_and_keeps_the_mean(student):
    """Statistics that hold for any correct mask: with 100,000 ones and a fixed generator the
    tolerances (0.01 on the dropped fraction, 0.02 on the mean) are at least 5 standard
    deviations wide."""
    for p in (0.25, 0.6):
        x = torch.ones(250, 400)
        out, _ = _out(student, x, p, True, gen(21), "dropout")
        setting = describe(x="ones of shape (250, 400)", p=p, training=True, seed=21)
        zeroed = (out == 0).double().mean().item()
        if abs(zeroed - p) > 0.01:
            guess = DROPOUT["keep_below"] if abs(zeroed - (1 - p)) < 0.01 else None
            fail(f"dropout zeroed {zeroed:.2%} of the entries, expected about p = {p:.0%} "
                 f"(tolerance 1 point) ({setting})" + likely(guess))
        kept = out[out != 0].double()
        scale = 1 / (1 - p)
        if kept.numel() and not torch.allclose(kept, torch.full_like(kept, scale), rtol=1e-5):
            value = kept.mean().item()
            guess = (DROPOUT["no_rescale"] if abs(value - 1) < 1e-4
                     else DROPOUT["scale_by_p"] if abs(value - 1 / p) < 1e-3 else None)
            fail(f"dropout's kept entries of ones are {value:.5g} on average; expected "
                 f"1/(1-p) = {scale:.5g} for every kept entry ({setting})" + likely(guess))
        mean = out.double().mean().item()
        expect(abs(mean - 1) < 0.02, f"dropout(ones) has mean {mean:.4f}; inverted dropout keeps "
                                     f"the mean at 1 (tolerance 0.02) ({setting})")


@points("dropout", 1)
def test_identity_in_evaluation_mode_and_for_p_zero(student):
    x = torch.randn(30, 7, generator=gen(4))
    for p, training, setting in [(0.5, False, "p=0.5, training=False (evaluation mode)"),
                                 (0.9, False, "p=0.9, training=False (evaluation mode)"),
                                 (0.0, True, "p=0, training=True")]:
        g = gen(31)
        out, reply = _out(student, x, p, training, g, "dropout", return_args=True)
        if not torch.equal(out, x):
            hint = ("evaluation mode ignores p: return x as it is, with no mask and no scaling"
                    if not training else "with p=0 nothing is dropped and 1/(1-p) = 1: return x")
            fail(f"dropout({setting}) changed the values of x; expected x itself\nlikely mistake: {hint}")
        after = reply["args_after"][3]
        expect(torch.equal(after.get_state(), g.get_state()),
               f"dropout({setting}) drew from the generator; in evaluation mode and for p=0 it "
               f"must draw nothing, so that switching modes does not shift later draws")


@points("dropout", 0.5)
def test_draws_one_rand_and_only_from_the_generator(student, reference):
    x = torch.randn(12, 5, generator=gen(5))
    reply = student.call("dropout", x, 0.4, True, gen(41), global_seed=1, return_args=True)
    other = student.call("dropout", x, 0.4, True, gen(41), global_seed=2)["result"]
    expect(tensors_close(reply["result"], other),
           "dropout gave different results for the same generator seed when the global seed "
           "changed: draw the mask with torch.rand(x.shape, generator=generator), never with "
           "the global random state")
    g_ref = gen(41)
    reference.dropout(x.clone(), 0.4, True, g_ref)
    expect(torch.equal(reply["args_after"][3].get_state(), g_ref.get_state()),
           "after dropout(x of shape (12, 5), p=0.4, training=True) the generator is not where one "
           "torch.rand(x.shape, generator=generator) leaves it: draw exactly once, that call and "
           "nothing else")


@points("dropout", 1)
def test_rejects_p_outside_zero_one(student):
    x = torch.randn(4, 3, generator=gen(6))
    hint = "p is a probability of dropping, and p=1 would drop everything and divide by 0"
    for p, training in [(1.0, True), (-0.1, True), (1.5, True), (1.0, False), (-0.5, False)]:
        expect_raises(student, "dropout", (x, p, training, gen(0)), "ValueError",
                      setting=f"x, p={p}, training={training}, generator", hint=hint)


@points("dropout", 0.5)
def test_leaves_x_unchanged(student):
    x = torch.randn(16, 8, generator=gen(7))
    expect_unchanged(student, "dropout", (x, 0.5, True, gen(3)), ["x"])
    expect_unchanged(student, "dropout", (x, 0.5, False, gen(3)), ["x"])


@points("dropout", 1)
def test_not_much_slower_than_reference(student, reference_process):
    """65,536 entries: a Python loop over them takes a few hundred milliseconds, far beyond 8x
    the reference's fraction of a millisecond plus 30 ms; a larger x only costs transfer time."""
    def make_args(r: int) -> tuple:
        return (torch.randn(512, 128, generator=gen(600 + r)), 0.5, True, gen(r))
    assert_not_much_slower(student, reference_process, "dropout", make_args,
                           workload="x of shape (512, 128), p=0.5", hint=LOOP_HINT)
