"""Hidden checks for `adam_step`: 100-step trajectories equal torch.optim.Adam's and AdamW's
(bias correction in the first steps, eps outside the square root, L2 against decoupled weight
decay), gradients of None are skipped, state is per parameter, inputs stay unchanged, bad
hyperparameters raise, and one step over large tensors is vectorised."""

import torch

from looplab.checks import assert_not_much_slower, expect_raises, gen, points

from .runs import expect_grads_unchanged, expect_matches_torch, expect_none_skipped

NAME = "adam_step"


@points(NAME, 1)
def test_defaults_match_torch(student):
    expect_matches_torch(student, NAME, {"lr": 0.05}, seed=10)


@points(NAME, 1)
def test_first_steps_bias_correction(student):
    for steps in (1, 2, 3):
        expect_matches_torch(student, NAME, {"lr": 0.01, "betas": (0.9, 0.999)}, seed=11, steps=steps,
                             note=" (the first steps, where bias correction matters most)",
                             names=("no_bias_correction", "no_v_correction", "betas_swapped", "shared_step",
                                    "eps_inside", "eps_before_correction"))
    expect_matches_torch(student, NAME, {"lr": 0.02, "betas": (0.5, 0.9)}, seed=12, steps=20)


@points(NAME, 0.5)
def test_eps_outside_the_square_root(student):
    expect_matches_torch(student, NAME, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 0.01}, seed=13)


@points(NAME, 1)
def test_l2_matches_adam_and_decoupled_matches_adamw(student):
    expect_matches_torch(student, NAME, {"lr": 0.05, "weight_decay": 0.1}, seed=14,
                         note="; L2 weight decay, as torch.optim.Adam(weight_decay=...)")
    expect_matches_torch(student, NAME, {"lr": 0.05, "weight_decay": 0.1, "decoupled": True}, seed=14,
                         note="; decoupled weight decay, as torch.optim.AdamW")
    expect_matches_torch(student, NAME, {"lr": 0.02, "betas": (0.8, 0.99), "weight_decay": 0.5,
                                         "decoupled": True}, seed=15, widths=(2, 4, 1))


@points(NAME, 0.5)
def test_none_gradient_is_skipped_and_state_is_per_parameter(student, reference):
    expect_matches_torch(student, NAME, {"lr": 0.05}, seed=16,
                         none_at={0: [3], 1: [3], 2: [3], 30: [0, 1], 31: [2]},
                         note="; some gradients None (b_2's in steps 1-3)")
    expect_none_skipped(student, reference, NAME, {"lr": 0.05, "weight_decay": 0.1, "decoupled": True})


@points(NAME, 0.5)
def test_gradients_unchanged_and_bad_hyperparameters_raise(student):
    expect_grads_unchanged(student, NAME, {"lr": 0.01, "weight_decay": 0.1})
    p, g = [torch.randn(3, generator=gen(0), dtype=torch.float64)], [torch.ones(3, dtype=torch.float64)]
    expect_raises(student, NAME, (p, g, {}, -0.001), "ValueError", setting="lr=-0.001",
                  hint="torch.optim.Adam refuses a negative learning rate")
    expect_raises(student, NAME, (p, g, {}, 0.001, (0.9, 1.0)), "ValueError", setting="betas=(0.9, 1.0)",
                  hint="each beta must lie in [0, 1): with beta2 = 1, v never moves from 0")
    expect_raises(student, NAME, (p, g, {}, 0.001, (-0.1, 0.999)), "ValueError", setting="betas=(-0.1, 0.999)",
                  hint="each beta must lie in [0, 1)")
    expect_raises(student, NAME, (p, g + g, {}, 0.001), "ValueError", setting="1 parameter, 2 gradients",
                  hint="params and grads must have the same length")


@points(NAME, 0.5)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r: int) -> tuple:
        g = gen(100 + r)
        params = [torch.randn(300, 200, generator=g), torch.randn(60_000, generator=g)]
        grads = [torch.randn_like(p) for p in params]
        return params, grads, {}, 0.001
    assert_not_much_slower(student, reference_process, NAME, make_args,
                           workload="one step on two float32 tensors of 60,000 entries each",
                           hint="a Python loop over the entries of a tensor is the usual cause: update "
                                "a whole tensor at once (m.mul_(beta1).add_(...))")
