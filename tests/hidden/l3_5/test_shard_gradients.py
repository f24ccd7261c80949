"""Hidden checks for `shard_gradients`: the size-weighted average of K shard gradients equals the
full-batch gradient (even shards, uneven shards, K = 1, K = N, K > N with empty shards); each shard's
gradient is its own mean loss's; no gradients left on the layers; inputs unchanged; K < 1 and an
empty batch raise ValueError."""

from __future__ import annotations

import torch

from looplab.checks import (Mistakes, as_pair, likely, assert_tensor, describe, drive, expect, expect_raises,
                            expect_unchanged, fail, gen, points)

from .yardsticks import full_gradient, loss_grad, leaves, shard_mistake, tensors_close

NAME = "shard_gradients"

SHARDS = Mistakes({
    "unweighted_mean": "the shard gradients are averaged unweighted (1/K each); with uneven shards each "
                       "must be weighted by its share n_k / N of the batch",
    "plain_sum": "the shard gradients are added up without weights: K shard means summed are K times too large",
    "shard_sum_loss": "each shard's loss is a sum over its samples, not its mean",
    "chunk": "the batch is split with torch.chunk, whose shards differ from torch.tensor_split's "
             "(chunk gives 4, 4, 2 for N=10, K=3, not 4, 3, 3) and can be fewer than K",
    "weighted_shards": "the returned shard gradients are already multiplied by n_k / N; shards[k] is "
                       "shard k's own gradient, before weighting",
}, lambda mistake, **s: shard_mistake(mistake=mistake, **s))


def data(n, sizes, seed, dtype=torch.float32):
    g = gen(seed)
    X = torch.randn(n, sizes[0], generator=g, dtype=dtype)
    y = torch.randn(n, sizes[-1], generator=g, dtype=dtype)
    layers = [(torch.randn(a, b, generator=g, dtype=dtype) / a ** 0.5, 0.1 * torch.randn(b, generator=g, dtype=dtype))
              for a, b in zip(sizes[:-1], sizes[1:])]
    return X, y, layers


def reply(student, X, y, layers, activation, K, setting):
    average, shards = as_pair(student.call(NAME, X, y, layers, activation, K)["result"], NAME, "(average, shards)")
    count = 2 * len(layers)
    expect(isinstance(average, (list, tuple)) and len(average) == count
           and all(isinstance(t, torch.Tensor) for t in average),
           f"{NAME}'s average must be a list of {count} tensors [dW_1, db_1, ...] ({setting})")
    expect(isinstance(shards, (list, tuple)) and len(shards) == K
           and all(isinstance(s, (list, tuple)) and len(s) == count for s in shards),
           f"{NAME}'s shards must be a list of K={K} lists of {count} tensors, one per shard, empty ones "
           f"included ({setting})" + (likely(SHARDS["chunk"]) if isinstance(shards, (list, tuple))
                                      and len(shards) == len(torch.chunk(X, K)) < K else ""))
    return list(average), [list(s) for s in shards]


def flatten(value):
    return [t for s in value for t in s] if value and isinstance(value[0], (list, tuple)) else value


def named(got, which, X, y, layers, activation, K):
    same = lambda a, b: tensors_close(flatten(a), flatten(b[which]), 1e-4, 1e-6)  # noqa: E731
    return SHARDS.diagnose(got, SHARDS.messages, same=same,
                           X=X, y=y, layers=layers, activation=activation, K=K)


CASES = ((12, [3, 4, 1], "tanh", 3, torch.float32), (10, [2, 5, 2], "relu", 4, torch.float32),
         (7, [4, 3, 3, 1], "sigmoid", 7, torch.float64), (9, [2, 4, 1], "tanh", 1, torch.float64),
         (11, [3, 6, 2], "tanh", 2, torch.float32))


@points(NAME, 2)
def test_weighted_average_equals_the_full_batch_gradient(student):
    for i, (n, sizes, act, K, dtype) in enumerate(CASES):
        X, y, layers = data(n, sizes, 20 + i, dtype)
        sizes_k = [len(s) for s in torch.tensor_split(torch.arange(n), K)]
        setting = describe(N=n, sizes=sizes, activation=act, K=K, shard_sizes=sizes_k,
                           dtype=str(dtype).replace("torch.", ""))
        average, _ = reply(student, X, y, layers, act, K, setting)
        want = full_gradient(X, y, layers, act)
        tol = 1e-5 if dtype == torch.float32 else 1e-10
        for j, (g, w) in enumerate(zip(average, want)):
            assert_tensor(g, w, what=f"average[{j}] (against the full-batch gradient from autograd)",
                          setting=setting, rtol=tol, atol=tol,
                          diagnose=lambda: named(average, 0, X, y, layers, act, K))


@points(NAME, 1.5)
def test_each_shard_gradient_is_its_own_mean_loss_gradient(student):
    X, y, layers = data(10, [3, 4, 2], 30)
    setting = describe(N=10, sizes=[3, 4, 2], activation="tanh", K=3, shard_sizes=[4, 3, 3])
    _, shards = reply(student, X, y, layers, "tanh", 3, setting)
    params = leaves(layers)
    for k, (X_k, y_k) in enumerate(zip(torch.tensor_split(X, 3), torch.tensor_split(y, 3))):
        want = loss_grad(X_k, y_k, params, "tanh")
        for j, (g, w) in enumerate(zip(shards[k], want)):
            assert_tensor(g, w, what=f"shards[{k}][{j}] (shard {k}'s own gradient, {len(X_k)} samples)",
                          setting=setting, diagnose=lambda: named(shards, 1, X, y, layers, "tanh", 3))


@points(NAME, 0.5)
def test_more_shards_than_samples(student):
    X, y, layers = data(3, [2, 3, 1], 31)
    setting = describe(N=3, K=5, shard_sizes=[1, 1, 1, 0, 0])
    average, shards = reply(student, X, y, layers, "tanh", 5, setting)
    if not all(torch.isfinite(g).all() for g in average):
        fail(f"{NAME} returned NaN or inf in the average ({setting}); an empty shard has no mean loss "
             f"(0/0): it contributes nothing, with weight n_k / N = 0")
    for k in (3, 4):
        expect(all(isinstance(t, torch.Tensor) and (t == 0).all() for t in shards[k]),
               f"shards[{k}] is an empty shard: its gradients must be zeros ({setting})")
    for j, (g, w) in enumerate(zip(average, full_gradient(X, y, layers, "tanh"))):
        assert_tensor(g, w, what=f"average[{j}] (against the full-batch gradient)", setting=setting)


def no_grads_left(X, y, layers, activation, K):
    """Driver: call shard_gradients, then report whether any given tensor now holds a .grad."""
    shard_gradients(X, y, layers, activation, K)  # noqa: F821
    return [t.grad is None for t in [X, y] + [p for layer in layers for p in layer]]


@points(NAME, 1)
def test_bad_input_inputs_unchanged_and_no_gradients_left(student):
    X, y, layers = data(8, [2, 3, 1], 32)
    expect_unchanged(student, NAME, (X, y, layers, "relu", 3), ["X", "y", "layers"])
    after = student.call(NAME, X, y, layers, "relu", 3, return_args=True)["args_after"][2]
    expect(all(torch.equal(a, b) for la, lb in zip(after, layers) for a, b in zip(la, lb)),
           f"{NAME} changed the tensors of `layers` in place; each worker works on its own replica")
    expect(all(drive(student, NAME, no_grads_left, X, y, layers, "relu", 3)),
           f"{NAME} left .grad set on the given tensors; take gradients of replicas (p.detach().clone()"
           f".requires_grad_(True)) or with torch.autograd.grad")
    expect_raises(student, NAME, (X, y, layers, "relu", 0), "ValueError", setting="num_shards=0",
                  hint="there must be at least one worker")
    expect_raises(student, NAME, (X[:0], y[:0], layers, "relu", 2), "ValueError", setting="N=0",
                  hint="an empty batch has no mean loss")
