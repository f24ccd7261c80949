"""Hidden checks for `train_accumulated`: k micro-batches accumulated per step train exactly like one
batch of k times the size (partial last group and partial last micro-batch included), accum_steps=1
is plain mini-batch SGD, epochs=0, inputs unchanged, bad sizes raise ValueError."""

from __future__ import annotations

import torch

from looplab.checks import (Mistakes, describe, expect, expect_raises, expect_unchanged, fail, gen, likely,
                            points)

from .yardsticks import flat, sgd_accumulated, tensors_close

NAME = "train_accumulated"

ACC = Mistakes({
    "step_every_micro": "the SGD step is taken after every micro-batch instead of once per group of accum_steps",
    "divide_by_k": "each micro-batch loss is divided by accum_steps; a smaller last group (or micro-batch) "
                   "needs its share n_i / n of the group instead",
    "no_scaling": "the micro-batch losses are not scaled, so the accumulated gradient is a sum of means, "
                  "about accum_steps times too large",
    "never_zero": "the gradients are never cleared after a step, so every step adds all earlier gradients",
    "zero_every_micro": "the gradients are cleared before every micro-batch, so only the last micro-batch "
                        "of a group reaches the step",
}, lambda mistake, **s: sgd_accumulated(mistake=mistake, **s))


def data(n, sizes, seed, dtype=torch.float32):
    g = gen(seed)
    X = torch.randn(n, sizes[0], generator=g, dtype=dtype)
    y = torch.randn(n, sizes[-1], generator=g, dtype=dtype)
    layers = [(torch.randn(a, b, generator=g, dtype=dtype) / a ** 0.5, 0.1 * torch.randn(b, generator=g, dtype=dtype))
              for a, b in zip(sizes[:-1], sizes[1:])]
    return X, y, layers


def expect_trained(student, n, sizes, activation, epochs, micro, k, lr, seed, dtype=torch.float32, note=""):
    X, y, layers0 = data(n, sizes, seed, dtype)
    setting = describe(N=n, sizes=sizes, activation=activation, epochs=epochs, micro_batch=micro,
                       accum_steps=k, lr=lr, dtype=str(dtype).replace("torch.", "")) + note
    got = flat(student.call(NAME, X, y, layers0, activation, epochs, micro, k, lr)["result"])
    want_shapes = [p for layer in layers0 for p in layer]
    if got is None or len(got) != len(want_shapes) or any(g.shape != w.shape or g.dtype != w.dtype
                                                          for g, w in zip(got, want_shapes)):
        fail(f"{NAME} must return layers0's structure, shapes and dtype: [(W_1, b_1), ...] ({setting})")
    sim = dict(X=X, y=y, layers0=layers0, activation=activation, epochs=epochs, micro=micro, k=k, lr=lr)
    want = sgd_accumulated(**sim)  # equals plain SGD with batch micro * k
    tol = 1e-4 if dtype == torch.float32 else 1e-9
    if not tensors_close(got, want, tol, tol):
        gap = max((a.double() - b.double()).abs().max().item() for a, b in zip(got, want))
        fail(f"{NAME} does not train like plain mini-batch SGD with batches of {micro * k} (max parameter gap "
             f"{gap:.3g}) ({setting})" + likely(ACC.diagnose(got, ACC.messages, same=tensors_close, **sim)))


@points(NAME, 2.5)
def test_k_micro_batches_equal_one_batch_k_times_the_size(student):
    expect_trained(student, 20, [3, 5, 1], "tanh", 3, 3, 2, 0.2, 40,
                   note="; groups of 6, the last of 2 samples")
    expect_trained(student, 12, [2, 4, 2], "relu", 2, 2, 3, 0.1, 41, note="; groups of 6, no partial group")
    expect_trained(student, 10, [4, 6, 3, 1], "sigmoid", 2, 4, 2, 0.5, 42, dtype=torch.float64,
                   note="; groups of 8 and 2, the first with micro-batches of 4 and 4")
    expect_trained(student, 11, [2, 3, 1], "tanh", 2, 3, 3, 0.3, 43,
                   note="; one group of 9 (micro-batches 3, 3, 3), then one of 2")


@points(NAME, 1)
def test_one_step_per_micro_batch_is_plain_sgd(student):
    expect_trained(student, 9, [3, 4, 1], "tanh", 2, 4, 1, 0.2, 44, note="; accum_steps=1: plain SGD, batches of 4")
    expect_trained(student, 6, [3, 4, 1], "relu", 3, 2, 5, 0.2, 45,
                   note="; one group of 6 covers the data: full-batch gradient descent")


@points(NAME, 1.5)
def test_zero_epochs_inputs_unchanged_and_bad_sizes(student):
    X, y, layers0 = data(8, [2, 3, 1], 46)
    got = flat(student.call(NAME, X, y, layers0, "tanh", 0, 2, 2, 0.1)["result"])
    expect(got is not None and all(torch.equal(a, b) for a, b in zip(got, [p for layer in layers0 for p in layer])),
           f"with epochs=0 {NAME} must return the starting layers")
    reply = expect_unchanged(student, NAME, (X, y, layers0, "tanh", 2, 3, 2, 0.1), ["X", "y"])
    after = reply["args_after"][2]
    expect(all(torch.equal(a, b) for la, lb in zip(after, layers0) for a, b in zip(la, lb)),
           f"{NAME} changed the tensors of layers0 in place; train copies")
    expect_raises(student, NAME, (X, y, layers0, "tanh", 1, 0, 2, 0.1), "ValueError", setting="micro_batch=0")
    expect_raises(student, NAME, (X, y, layers0, "tanh", 1, 2, 0, 0.1), "ValueError", setting="accum_steps=0")
