"""Hidden checks for `make_loader`: a driver builds the student's loader inside the student
process and returns the batches of a few passes; the reference's loader on the same inputs and
seed is the oracle. Each sample carries its index in its first feature (pipeline.indexed_data),
so messages can say which samples a batch held."""

import torch

from looplab.checks import assert_tensor, drive, driver, expect, expect_raises, fail, gen, likely, points

from .pipeline import (GLOBAL_SEED, indexed_data, indices_of, loader_construct, loader_facts, loader_passes,
                       reference_passes)

NAME = "make_loader"


def _passes(student, X, y, batch_size, shuffle, drop_last, seed, passes, global_seed=GLOBAL_SEED):
    reply = student.call(NAME, X, y, batch_size, shuffle, drop_last, gen(seed), passes, global_seed=global_seed,
                         driver=driver(loader_passes), return_args=True)
    raw = reply["result"]
    for name, before, after in zip("Xy", (X, y), reply["args_after"]):
        expect(torch.equal(before, after), f"{NAME}'s loader changed its input `{name}` in place (a shuffle of "
                                           f"the data itself?); leave X and y as they are and let the loader pick")
    for e, epoch in enumerate(raw):
        for k, batch in enumerate(epoch):
            parts = batch["tensors"]
            if len(parts) != 2 or not all(isinstance(t, torch.Tensor) for t in parts):
                fail(f"{NAME}'s loader yielded batch {k} of epoch {e} with {len(parts)} parts; expected "
                     f"(X_batch, y_batch), two tensors")
            shapes = [tuple(t.shape) for t in parts]
            if len(shapes[0]) != 2 or shapes[0][1] != X.shape[1] or shapes[1] != (shapes[0][0], 1):
                fail(f"{NAME}'s loader yielded batch {k} of epoch {e} with shapes {shapes[0]} and {shapes[1]}; "
                     f"expected (B, {X.shape[1]}) and (B, 1) (N={X.shape[0]}, batch_size={batch_size}): the "
                     f"loader stacks what your PairDataset returns with your collate_pairs, so check those "
                     f"(their own checks say more)")
    return [[b["tensors"] for b in epoch] for epoch in raw]


def _setting(n, d, batch_size, shuffle, drop_last, seed) -> str:
    return (f"N={n}, d={d}, batch_size={batch_size}, shuffle={shuffle}, drop_last={drop_last}, "
            f"generator seeded {seed}")


def _expect_reference(student, reference, *, n, d, batch_size, shuffle, drop_last, seed, passes):
    X, y = indexed_data(n, d, seed=seed)
    got = _passes(student, X, y, batch_size, shuffle, drop_last, seed, passes)
    want = reference_passes(reference, X, y, batch_size, shuffle, drop_last, seed, passes)
    setting = _setting(n, d, batch_size, shuffle, drop_last, seed)
    got_idx, want_idx = indices_of(got), indices_of(want)
    for e, (g, w) in enumerate(zip(got_idx, want_idx)):
        if g != w:
            fail(f"{NAME}'s loader, epoch {e}: batches of samples {_short(g)}, expected {_short(w)} ({setting})"
                 + likely(_diagnose(got_idx, want_idx, n, batch_size, shuffle, drop_last)))
    expect(len(got_idx) == len(want_idx), f"{NAME}'s loader gave {len(got_idx)} passes; expected {len(want_idx)}")
    for e, (ge, we) in enumerate(zip(got, want)):
        for k, (gb, wb) in enumerate(zip(ge, we)):
            assert_tensor(gb[0], wb[0], what=f"X_batch {k} of epoch {e}", setting=setting, rtol=0, atol=0)
            assert_tensor(gb[1], wb[1], what=f"y_batch {k} of epoch {e}", setting=setting, rtol=0, atol=0)
    return got_idx


def _short(batches: list[list[int]]) -> str:
    text = str(batches)
    return text if len(text) < 90 else text[:87] + "...]"


def _diagnose(got, want, n, batch_size, shuffle, drop_last) -> str | None:
    flat = [sum(epoch, []) for epoch in got]
    sizes = [[len(b) for b in epoch] for epoch in got]
    want_sizes = [[len(b) for b in epoch] for epoch in want]
    if flat and len(flat[0]) not in (n, n - n % batch_size):
        return (f"the loader serves {len(flat[0])} of the N={n} samples per epoch; a DataLoader takes the number "
                f"of samples from len(dataset), so check PairDataset's __len__ (its own checks say more)")
    if shuffle and all(order == list(range(len(order))) for order in flat):
        return "the samples come in their original order although shuffle=True: pass shuffle=shuffle to the DataLoader"
    if not shuffle and any(order != sorted(order) for order in flat):
        return "the samples are shuffled although shuffle=False: pass shuffle=shuffle to the DataLoader"
    if sizes != want_sizes and n % batch_size:
        if drop_last:
            return (f"the short last batch ({n % batch_size} samples) is kept although drop_last=True: "
                    f"pass drop_last=drop_last to the DataLoader")
        return (f"the short last batch ({n % batch_size} samples) is dropped although drop_last=False: "
                f"pass drop_last=drop_last to the DataLoader")
    if sizes != want_sizes:
        return f"the batches have sizes {sizes[0]}, expected {want_sizes[0]}: pass batch_size=batch_size"
    if shuffle and len(flat) > 1 and all(order == flat[0] for order in flat):
        return ("every epoch has the same order: the samples are shuffled once, not at the start of every "
                "pass; let the DataLoader shuffle (shuffle=True) instead of permuting the data yourself")
    if shuffle:
        return ("each epoch is a permutation, but not the one DataLoader(..., shuffle=True, "
                "generator=generator) draws: let the DataLoader shuffle with the given generator, with no "
                "sampler or permutation of your own")
    return None


@points(NAME, 1)
def test_without_shuffling_keeps_the_order(student, reference):
    got = _expect_reference(student, reference, n=10, d=2, batch_size=4, shuffle=False, drop_last=False,
                            seed=0, passes=2)
    expect(got[0] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], f"unexpected batches {got[0]}")
    _expect_reference(student, reference, n=5, d=3, batch_size=8, shuffle=False, drop_last=False, seed=0, passes=1)


@points(NAME, 1)
def test_shuffles_every_epoch_and_sees_every_sample_once(student, reference):
    got = _expect_reference(student, reference, n=23, d=3, batch_size=5, shuffle=True, drop_last=False,
                            seed=3, passes=3)
    for e, epoch in enumerate(got):
        expect(sorted(sum(epoch, [])) == list(range(23)),
               f"epoch {e} of {NAME}'s loader does not hold every sample exactly once")
    _expect_reference(student, reference, n=16, d=2, batch_size=1, shuffle=True, drop_last=False, seed=8, passes=2)


@points(NAME, 1)
def test_drop_last_drops_only_the_remainder(student, reference):
    got = _expect_reference(student, reference, n=23, d=2, batch_size=5, shuffle=True, drop_last=True,
                            seed=4, passes=3)
    for e, epoch in enumerate(got):
        seen = sum(epoch, [])
        expect(len(seen) == 20 and len(set(seen)) == 20,
               f"epoch {e}: with drop_last=True, N=23 and batch_size=5 the loader should serve 20 distinct "
               f"samples (the 3 of the short batch sit out), got {len(seen)}")
    _expect_reference(student, reference, n=12, d=2, batch_size=4, shuffle=False, drop_last=True, seed=0, passes=1)
    X, y = indexed_data(6, 2, seed=5)
    empty = _passes(student, X, y, 8, True, True, 5, 1)
    expect(empty == [[]], f"with drop_last=True and batch_size=8 > N=6 a pass has no batch at all; "
                          f"{NAME}'s loader gave {len(empty[0])}")


@points(NAME, 1)
def test_same_seed_same_batches_whatever_the_global_seed(student):
    X, y = indexed_data(30, 2, seed=6)
    runs = {(seed, g): indices_of(_passes(student, X, y, 7, True, False, seed, 2, global_seed=g))
            for seed, g in [(5, 1), (5, 2), (6, 1)]}
    expect(runs[(5, 1)] == runs[(5, 2)],
           f"{NAME}(..., shuffle=True, generator seeded 5) gave different batches when only the global seed "
           f"changed (N=30, batch_size=7)" + likely("the shuffling draws from the global random generator: "
                                                    "pass generator=generator to the DataLoader"))
    expect(runs[(5, 1)] != runs[(6, 1)],
           f"{NAME}(..., shuffle=True) gave the same batches for generators seeded 5 and 6 (N=30, batch_size=7)"
           + likely("the generator argument is ignored (a generator of your own with a fixed seed?): "
                    "pass generator=generator to the DataLoader"))


@points(NAME, 0.5)
def test_a_dataloader_over_your_pipeline_without_workers(student):
    X, y = indexed_data(9, 2, seed=7)
    facts = drive(student, NAME, loader_facts, X, y, 3, True, False, gen(0))
    expect(facts["is_dataloader"], f"{NAME} returned a {facts['class']}; the contract asks for a "
                                   f"torch.utils.data.DataLoader")
    expect(facts["num_workers"] == 0, f"{NAME}'s DataLoader has num_workers={facts['num_workers']}; the contract "
                                      f"asks for num_workers=0 (no worker processes in the sandbox)")
    expect(facts["your_dataset"], f"{NAME}'s DataLoader serves a {facts['dataset']}; the contract asks for "
                                  f"your PairDataset(X, y)")
    expect(facts["collate"] is not False, f"{NAME}'s DataLoader does not collate its batches with your "
                                          f"collate_pairs (batches come out differently): pass collate_fn=collate_pairs")


@points(NAME, 0.5)
def test_batch_size_below_one_raises_value_error(student):
    X, y = indexed_data(6, 2, seed=8)
    for batch_size in (0, -3):
        expect_raises(student, NAME, (X, y, batch_size, False, False, gen(0)), "ValueError",
                      setting=f"batch_size={batch_size}", hint="a batch holds at least one sample",
                      driver=driver(loader_construct))
