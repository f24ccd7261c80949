"""Hidden checks for `rmsprop_step`: 100-step trajectories equal torch.optim.RMSprop's (defaults;
momentum, weight decay and a large eps, where eps's place shows), gradients of None are
skipped, state is per parameter, inputs stay unchanged, bad hyperparameters raise."""

import torch

from looplab.checks import expect_raises, gen, points

from .runs import expect_grads_unchanged, expect_matches_torch, expect_none_skipped

NAME = "rmsprop_step"


@points(NAME, 1)
def test_defaults_match_torch(student):
    expect_matches_torch(student, NAME, {"lr": 0.01}, seed=6)


@points(NAME, 1)
def test_momentum_weight_decay_and_large_eps_match_torch(student):
    expect_matches_torch(student, NAME, {"lr": 0.01, "alpha": 0.9, "eps": 0.01, "weight_decay": 0.1,
                                         "momentum": 0.9}, seed=7)
    expect_matches_torch(student, NAME, {"lr": 0.003, "eps": 0.1}, seed=8, widths=(2, 4, 1))


@points(NAME, 0.5)
def test_none_gradient_is_skipped_and_state_is_per_parameter(student, reference):
    expect_matches_torch(student, NAME, {"lr": 0.01, "momentum": 0.5}, seed=9,
                         none_at={0: [3], 1: [3], 2: [3], 30: [0, 1], 31: [2]},
                         note="; some gradients None (b_2's in steps 1-3)")
    expect_none_skipped(student, reference, NAME, {"lr": 0.01, "momentum": 0.5})


@points(NAME, 0.5)
def test_gradients_unchanged_and_bad_hyperparameters_raise(student):
    expect_grads_unchanged(student, NAME, {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.1})
    p, g = [torch.randn(3, generator=gen(0), dtype=torch.float64)], [torch.ones(3, dtype=torch.float64)]
    expect_raises(student, NAME, (p, g, {}, -0.01), "ValueError", setting="lr=-0.01",
                  hint="torch.optim.RMSprop refuses a negative learning rate")
    expect_raises(student, NAME, (p, g, {}, 0.01, 0.99, -1e-8), "ValueError", setting="eps=-1e-8",
                  hint="a negative eps can divide by zero; torch.optim.RMSprop refuses it")
    expect_raises(student, NAME, (p, g + g, {}, 0.01), "ValueError", setting="1 parameter, 2 gradients",
                  hint="params and grads must have the same length")
