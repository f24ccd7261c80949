"""Hidden checks for `sgd_momentum_step`: 100-step trajectories equal torch.optim.SGD's (heavy
ball, Nesterov, dampening with weight decay, plain SGD), gradients of None are skipped, state is
per parameter and named as PyTorch names it, inputs stay unchanged, bad hyperparameters raise."""

from looplab.checks import expect_raises, gen, points

from .runs import expect_grads_unchanged, expect_matches_torch, expect_none_skipped

NAME = "sgd_momentum_step"


@points(NAME, 1)
def test_heavy_ball_and_plain_sgd_match_torch(student):
    expect_matches_torch(student, NAME, {"lr": 0.1, "momentum": 0.9}, seed=1)
    expect_matches_torch(student, NAME, {"lr": 0.5}, seed=2, widths=(2, 4, 1))


@points(NAME, 1)
def test_nesterov_matches_torch(student):
    expect_matches_torch(student, NAME, {"lr": 0.05, "momentum": 0.9, "nesterov": True}, seed=3)


@points(NAME, 0.5)
def test_dampening_and_weight_decay_match_torch(student):
    expect_matches_torch(student, NAME, {"lr": 0.1, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01},
                         seed=4)


@points(NAME, 0.5)
def test_none_gradient_is_skipped_and_state_is_per_parameter(student, reference):
    expect_matches_torch(student, NAME, {"lr": 0.1, "momentum": 0.9, "nesterov": True}, seed=5,
                         none_at={0: [3], 1: [3], 2: [3], 30: [0, 1], 31: [2]},
                         note="; some gradients None (b_2's in steps 1-3)")
    expect_none_skipped(student, reference, NAME, {"lr": 0.1, "momentum": 0.8})


@points(NAME, 0.5)
def test_gradients_unchanged(student):
    expect_grads_unchanged(student, NAME, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1})
    expect_grads_unchanged(student, NAME, {"lr": 0.1, "momentum": 0.9, "nesterov": True})


@points(NAME, 0.5)
def test_bad_hyperparameters_raise_value_error(student):
    p = [torch_randn()]
    g = [torch_randn()]
    expect_raises(student, NAME, (p, g, {}, -0.1), "ValueError", setting="lr=-0.1",
                  hint="a negative learning rate climbs the loss; torch.optim.SGD refuses it")
    expect_raises(student, NAME, (p, g, {}, 0.1, 0.0, 0.0, 0.0, True), "ValueError",
                  setting="nesterov=True, momentum=0", hint="Nesterov needs momentum > 0 and dampening = 0")
    expect_raises(student, NAME, (p, g, {}, 0.1, 0.9, 0.5, 0.0, True), "ValueError",
                  setting="nesterov=True, dampening=0.5", hint="Nesterov needs momentum > 0 and dampening = 0")
    expect_raises(student, NAME, (p, g + g, {}, 0.1), "ValueError", setting="1 parameter, 2 gradients",
                  hint="params and grads must have the same length")


def torch_randn():
    import torch
    return torch.randn(3, generator=gen(0), dtype=torch.float64)
