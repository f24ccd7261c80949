"""Hidden checks for `train_data_parallel`: a real 2-rank gloo run, started here inside the student's
sandbox with the student's code on both ranks (rank 1 is a fork of the student process, the ranks
meet through a FileStore in its private /tmp, on no network). Both ranks must end identical and
equal to SGD in one process on the global batch; zero epochs; inputs unchanged; the seed is the
only randomness; N not a multiple of world_size and batch_size=0 raise ValueError."""

from __future__ import annotations

import torch

from looplab.checks import (Mistakes, describe, drive, driver, expect, expect_raises, fail, gen, likely,
                            points)

from .yardsticks import flat, sgd_global, tensors_close

NAME = "train_data_parallel"
TIMEOUT = 20.0  # seconds any collective waits for the other rank, under lesson.json's 30 s per call:
# DistributedDataParallel's first use imports torch._dynamo on both ranks (seconds on a busy machine)

DP = Mistakes({
    "no_divide": "the all-reduced gradients are summed but not divided by world_size, so every step is "
                 "world_size times too large (SUM, then / world_size)",
    "no_set_epoch": "sampler.set_epoch(epoch) is never called, so every epoch replays epoch 0's shuffle",
    "no_shuffle": "the ranks do not read DistributedSampler's seeded shuffle (shuffle=False, or slices "
                  "X[rank::world_size] in order)",
}, lambda mistake, **s: sgd_global(mistake=mistake, **s))


def two_ranks(X, y, layers0, activation, epochs, batch_size, lr, seed, timeout):
    """Driver, run inside the student process: the student's train_data_parallel on rank 0 here and on
    rank 1 in a fork of this process, in a 2-rank gloo group that meets through a FileStore."""
    import datetime
    import os
    import signal
    import tempfile
    import time

    import torch.distributed as dist
    os.environ["GLOO_SOCKET_IFNAME"] = "lo"  # the sandbox's own loopback, its only network
    where = tempfile.mkdtemp()
    store_path, out_path = os.path.join(where, "store"), os.path.join(where, "rank1.pt")
    before = [t.clone() for t in (X, y)] + [p.clone() for layer in layers0 for p in layer]

    def one_rank(rank):
        dist.init_process_group("gloo", store=dist.FileStore(store_path, 2), rank=rank, world_size=2,
                                timeout=datetime.timedelta(seconds=timeout))
        try:
            dist.barrier()  # both ranks fully connected before either can fail fast and leave
            result = train_data_parallel(rank, 2, X, y, layers0, activation, epochs, batch_size, lr, seed)  # noqa: F821
            dist.barrier()  # neither leaves while the other still talks to it
            return result
        finally:
            dist.destroy_process_group()

    pid = os.fork()
    if pid == 0:
        try:
            torch.save({"result": one_rank(1)}, out_path)
        except BaseException as exc:  # noqa: BLE001 - handed to rank 0
            torch.save({"error": f"{type(exc).__name__}: {exc}"}, out_path)
        finally:
            os._exit(0)
    try:
        first = one_rank(0)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    deadline = time.monotonic() + timeout
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise TimeoutError(f"rank 1 was still running {timeout:g} s after rank 0 returned")
        time.sleep(0.005)
    if not os.path.exists(out_path):
        raise RuntimeError("rank 1 ended without a result (did it exit or crash?)")
    second = torch.load(out_path, weights_only=True)
    if "error" in second:
        raise RuntimeError(f"rank 1 raised {second['error']}")
    after = [t for t in (X, y)] + [p for layer in layers0 for p in layer]
    unchanged = all(torch.equal(a, b) for a, b in zip(before, after))
    return {"rank0": first, "rank1": second["result"], "unchanged": unchanged}


def run(student, X, y, layers0, activation, epochs, batch_size, lr, seed, **kwargs):
    return drive(student, NAME, two_ranks, X, y, layers0, activation, epochs, batch_size, lr, seed, TIMEOUT,
                 **kwargs)


def data(n, sizes, seed, dtype=torch.float32):
    g = gen(seed)
    X = torch.randn(n, sizes[0], generator=g, dtype=dtype)
    y = torch.randn(n, sizes[-1], generator=g, dtype=dtype)
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers.append((torch.randn(a, b, generator=g, dtype=dtype) / a ** 0.5,
                       0.1 * torch.randn(b, generator=g, dtype=dtype)))
    return X, y, layers


def expect_layers(got, layers0, what, setting):
    params = flat(got)
    want = [p for layer in layers0 for p in layer]
    if params is None or len(params) != len(want):
        fail(f"{what} is not a list of {len(layers0)} (W, b) pairs of tensors ({setting})")
    for i, (p, w) in enumerate(zip(params, want)):
        expect(p.shape == w.shape and p.dtype == w.dtype,
               f"{what}: parameter {i} has shape {tuple(p.shape)} and dtype {p.dtype}, expected "
               f"{tuple(w.shape)} and {w.dtype}, layers0's ({setting})")
    return params


SETTINGS = (
    dict(n=16, sizes=[3, 5, 1], activation="tanh", epochs=3, batch_size=2, lr=0.2, seed=7, dtype=torch.float32),
    dict(n=12, sizes=[2, 6, 4, 2], activation="relu", epochs=2, batch_size=4, lr=0.1, seed=3,
         dtype=torch.float64),  # global batch 8 over 12 samples: the last step has 4
)


@points(NAME, 3)
def test_two_ranks_agree_and_equal_one_process_on_the_global_batch(student):
    for s in SETTINGS:
        X, y, layers0 = data(s["n"], s["sizes"], s["seed"], s["dtype"])
        setting = describe(world_size=2, N=s["n"], sizes=s["sizes"], activation=s["activation"],
                           epochs=s["epochs"], batch_size=s["batch_size"], lr=s["lr"], seed=s["seed"],
                           dtype=str(s["dtype"]).replace("torch.", ""))
        out = run(student, X, y, layers0, s["activation"], s["epochs"], s["batch_size"], s["lr"], s["seed"])
        zero = expect_layers(out["rank0"], layers0, "rank 0's result", setting)
        one = expect_layers(out["rank1"], layers0, "rank 1's result", setting)
        differ = [i for i, (a, b) in enumerate(zip(zero, one)) if not torch.equal(a, b)]
        expect(not differ, f"the two ranks ended with different parameters (first at parameter {differ[0] if differ else 0}, "
                           f"max gap {max((zero[i] - one[i]).abs().max().item() for i in differ) if differ else 0:.3g}) "
                           f"({setting})" + likely("the ranks stepped on their own gradients: every gradient, "
                                                   "weights and biases alike, must be all-reduced before the step"))
        sim = dict(X=X, y=y, layers0=layers0, activation=s["activation"], epochs=s["epochs"],
                   global_batch=2 * s["batch_size"], lr=s["lr"], seed=s["seed"])
        want = sgd_global(**sim)
        tol = 1e-4 if s["dtype"] == torch.float32 else 1e-9
        if not tensors_close(zero, want, rtol=tol, atol=tol):
            gap = max((a.double() - b.double()).abs().max().item() for a, b in zip(zero, want))
            fail(f"both ranks agree, but not with SGD in one process on the global batch of "
                 f"{2 * s['batch_size']} (max gap {gap:.3g}) ({setting})"
                 + likely(DP.diagnose(zero, list(DP.messages), same=tensors_close, **sim)))


@points(NAME, 1)
def test_the_seed_is_the_only_randomness(student):
    X, y, layers0 = data(8, [2, 3, 1], 11)
    runs = [run(student, X, y, layers0, "sigmoid", 2, 2, 0.5, 4, global_seed=s)["rank0"] for s in (1, 2)]
    a, b = flat(runs[0]), flat(runs[1])
    expect(a is not None and b is not None and all(torch.equal(p, q) for p, q in zip(a, b)),
           f"two runs with the same arguments ended differently when torch's global seed changed "
           f"({describe(N=8, seed=4)}): the shuffle must come only from DistributedSampler's seed")
    want = sgd_global(X, y, layers0, "sigmoid", 2, 4, 0.5, 4)
    expect(tensors_close(a, want), f"with seed=4 the run differs from SGD in one process on seed 4's "
                                   f"permutations ({describe(N=8, sizes=[2, 3, 1], epochs=2, batch_size=2)})")


@points(NAME, 1)
def test_zero_epochs_and_inputs_unchanged(student):
    X, y, layers0 = data(10, [3, 4, 2], 12)
    out = run(student, X, y, layers0, "tanh", 0, 5, 0.1, 0)
    got = expect_layers(out["rank0"], layers0, "rank 0's result", "epochs=0")
    expect(all(torch.equal(p, q) for p, q in zip(got, [p for layer in layers0 for p in layer])),
           "with epochs=0 the result must be the starting layers")
    out = run(student, X, y, layers0, "tanh", 2, 1, 0.1, 0)
    expect(out["unchanged"], f"{NAME} changed X, y or layers0 in place ({describe(N=10, epochs=2, batch_size=1)}); "
                             f"train on copies: p = W.detach().clone().requires_grad_(True)")


@points(NAME, 1)
def test_uneven_world_and_bad_batch_size_raise(student):
    X, y, layers0 = data(9, [2, 3, 1], 13)
    expect_raises(student, NAME, (X, y, layers0, "tanh", 1, 2, 0.1, 0, TIMEOUT), "ValueError",
                  setting="N=9 on world_size=2", driver=driver(two_ranks),
                  hint="DistributedSampler would repeat a sample to give both ranks 5, and the run would "
                       "no longer equal one process on the data")
    X, y, layers0 = data(8, [2, 3, 1], 13)
    expect_raises(student, NAME, (X, y, layers0, "tanh", 1, 0, 0.1, 0, TIMEOUT), "ValueError",
                  setting="batch_size=0", driver=driver(two_ranks))
