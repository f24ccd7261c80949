"""Hidden checks for `LinearStream`: drivers iterate the student's stream inside the student
process (directly and through a DataLoader) and return its samples; the contract's draw order,
simulated in pipeline.stream_samples, is the oracle and names the likely mistake."""

import torch

from looplab.checks import (StudentError, StudentTimeout, assert_tensor, drive, driver, expect, expect_raises,
                            fail, kind, likely, points, unfinished)

from .pipeline import (GLOBAL_SEED, STREAM_MISTAKES, stream_construct, stream_head, stream_loader,
                       stream_passes, stream_samples)

NAME = "LinearStream"


def _setup(d: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1000 + seed)
    return torch.randn(d, 1, generator=g), torch.randn(1, generator=g)


def _check_shapes(samples, d: int, what: str) -> None:
    for i, sample in enumerate(samples):
        if not isinstance(sample, (tuple, list)) or len(sample) != 2:
            fail(f"{what}: sample {i} is a {kind(sample)}; the contract asks for the pair (x, y)")
        x, t = sample
        if not isinstance(x, torch.Tensor) or not isinstance(t, torch.Tensor):
            fail(f"{what}: sample {i} holds a {kind(x)} and a {kind(t)}; the contract asks for two tensors")
        if tuple(t.shape) == () and tuple(x.shape) == (d,):
            fail(f"{what}: sample {i}'s y has shape (), expected (1,)" + likely(
                "x @ w[:, 0] (or a .item()) makes a 0-d target; x @ w with w of shape (d, 1) gives shape (1,)"))
        expect(tuple(x.shape) == (d,) and tuple(t.shape) == (1,),
               f"{what}: sample {i} has shapes {tuple(x.shape)} and {tuple(t.shape)}, expected ({d},) and (1,)")


def _diagnose(got, w, b, n, noise, seed, passes, names) -> str | None:
    for name in names:
        sim = stream_samples(w, b, n, noise, seed, passes, mistake=name)
        if all(len(gp) == len(sp) and all(torch.allclose(g[0], s[0]) and torch.allclose(g[1], s[1], atol=1e-5)
                                          for g, s in zip(gp, sp)) for gp, sp in zip(got, sim)):
            return STREAM_MISTAKES[name]
    return None


def _expect_passes(got, w, b, n, noise, seed, passes, setting, names=("noise_first", "all_at_once", "noise_unscaled")):
    want = stream_samples(w, b, n, noise, seed, passes)
    for p, (gp, wp) in enumerate(zip(got, want)):
        _check_shapes(gp, w.shape[0], f"pass {p} of {NAME}")
        if len(gp) != len(wp):
            fail(f"pass {p} of {NAME} yielded {len(gp)} samples{' (or more: the check stopped there)' if len(gp) > n else ''}, "
                 f"expected n = {n} ({setting})")
        for i, ((x, t), (wx, wt)) in enumerate(zip(gp, wp)):
            diagnose = lambda: _diagnose(got, w, b, n, noise, seed, passes, names)  # noqa: E731
            assert_tensor(x, wx, what=f"pass {p}, sample {i}: x", setting=setting, diagnose=diagnose)
            assert_tensor(t, wt, what=f"pass {p}, sample {i}: y", setting=setting, rtol=1e-5, atol=1e-5,
                          diagnose=diagnose)


@points(NAME, 1)
def test_samples_follow_the_contract(student):
    for d, n, noise, seed in [(3, 9, 0.1, 4), (1, 6, 0.5, 5), (4, 0, 0.2, 6)]:
        w, b = _setup(d, seed)
        setting = f"w of shape ({d}, 1), n={n}, noise={noise}, seed={seed}"
        reply = student.call(NAME, w, b, n, noise, seed, 1, n + 3, global_seed=GLOBAL_SEED,
                             driver=driver(stream_passes), return_args=True)
        got = reply["result"]
        expect(all(torch.equal(a, c) for a, c in zip((w, b), reply["args_after"])),
               f"{NAME} changed w or b in place ({setting}); leave them as they are")
        _expect_passes(got, w, b, n, noise, seed, 1, setting)


@points(NAME, 1)
def test_every_pass_is_the_same_and_the_global_seed_changes_nothing(student):
    w, b = _setup(2, 7)
    setting = "w of shape (2, 1), n=5, noise=0.3, seed=7, three passes over one LinearStream"
    got = drive(student, NAME, stream_passes, w, b, 5, 0.3, 7, 3, 8, global_seed=GLOBAL_SEED)
    other = drive(student, NAME, stream_passes, w, b, 5, 0.3, 7, 1, 8, global_seed=GLOBAL_SEED + 1)
    _check_shapes(got[0], 2, f"pass 0 of {NAME}")
    _check_shapes(other[0], 2, f"pass 0 of {NAME}")
    expect(len(got[0]) == len(other[0]) and all(torch.equal(a[0], c[0]) for a, c in zip(got[0], other[0])),
           f"{NAME} gave other samples when only the global seed changed ({setting})"
           + likely("the samples are drawn from the global random generator: pass generator=g to torch.randn"))
    _expect_passes(got, w, b, 5, 0.3, 7, 3, setting, names=("continues", "noise_first", "all_at_once"))


@points(NAME, 0.5)
def test_a_dataloader_batches_the_stream(student):
    w, b = _setup(3, 8)
    batches = drive(student, NAME, stream_loader, w, b, 10, 0.2, 8, 4)
    want = stream_samples(w, b, 10, 0.2, 8)[0]
    expect(len(batches) == 3, f"DataLoader(LinearStream(w, b, n=10, ...), batch_size=4) gave {len(batches)} "
                              f"batches; expected 3 (sizes 4, 4, 2)")
    for k, (start, stop) in enumerate([(0, 4), (4, 8), (8, 10)]):
        assert_tensor(batches[k][0], torch.stack([x for x, _ in want[start:stop]]), what=f"X_batch {k}",
                      setting="DataLoader(LinearStream(w, b, 10, 0.2, 8), batch_size=4), default collate")
        assert_tensor(batches[k][1], torch.stack([t for _, t in want[start:stop]]), what=f"y_batch {k}",
                      setting="DataLoader(LinearStream(w, b, 10, 0.2, 8), batch_size=4), default collate",
                      rtol=1e-5, atol=1e-5)


@points(NAME, 0.5)
def test_rejects_negative_n_and_noise(student):
    w, b = _setup(2, 9)
    for n, noise, hint in [(-1, 0.1, "n counts samples"), (4, -0.5, "noise is a standard deviation")]:
        expect_raises(student, NAME, (w, b, n, noise, 0), "ValueError", setting=f"n={n}, noise={noise}",
                      hint=hint, driver=driver(stream_construct))


@points(NAME, 1)
def test_streams_one_sample_at_a_time(student):
    """Last in this file: a stream that never yields times out, and later calls would fail at once."""
    w, b = _setup(3, 10)
    n = 10 ** 10
    setting = f"the first 3 samples of LinearStream(w, b, n={n}, noise=0.1, seed=2)"
    try:
        got = drive(student, NAME, stream_head, w, b, n, 0.1, 2, 3, timeout=4)
    except StudentTimeout:
        fail(f"{NAME}: {setting} did not arrive within 4 s" + likely(
            "all n samples are made before the first is yielded; make each sample inside the loop and "
            "yield it at once (a generator function)"))
    except StudentError as err:
        if unfinished(err):
            raise
        fail(f"{NAME}: asking for {setting} raised {err.type}" + likely(
            "all n samples are made (or stored) in advance, which cannot work for a long stream; make each "
            "sample inside the loop and yield it at once"))
    _expect_passes([got], w, b, 3, 0.1, 2, 1, setting)
