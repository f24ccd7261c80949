"""Hidden checks for `minibatch_indices`."""

import torch

from looplab.checks import expect, expect_raises, fail, gen, likely, points

CASES = [(10, 3), (12, 4), (7, 10), (5, 1), (9, 9)]  # partial last batch, exact, batch > n, ...


def _as_index_lists(result, what: str) -> list[list[int]]:
    if not isinstance(result, (list, tuple)):
        fail(f"{what} returned a {type(result).__name__}; expected a list of index tensors")
    out = []
    for i, batch in enumerate(result):
        if not isinstance(batch, torch.Tensor) or batch.dtype not in (torch.int64, torch.int32) or batch.dim() != 1:
            fail(f"{what}: batch {i} is not a 1-D integer tensor (got {type(batch).__name__}"
                 f"{'' if not isinstance(batch, torch.Tensor) else f' {batch.dtype} {tuple(batch.shape)}'})")
        out.append(batch.tolist())
    return out


def _diagnose(got: list[list[int]], n: int, batch_size: int, seed: int, global_seed: int) -> str:
    flat = [i for b in got for i in b]
    perm = torch.randperm(n, generator=gen(seed)).tolist()
    if sorted(flat) != list(range(n)):
        if len(flat) < n and flat == perm[:len(flat)]:
            return likely("the last, smaller batch is dropped")
        return likely("the batches do not cover every index 0..n-1 exactly once")
    if flat == list(range(n)):
        return likely("the indices are not shuffled; use torch.randperm(n, generator=generator)")
    if flat == torch.randperm(n, generator=gen(global_seed)).tolist():
        return likely("the shuffle uses the global random generator; pass generator=generator")
    if flat == perm:
        return likely("the permutation is right but it is cut differently; "
                      "take consecutive chunks of batch_size (e.g. order.split(batch_size))")
    return likely("the permutation differs from one call of torch.randperm(n, generator=generator); "
                  "draw exactly one, nothing else")


@points("minibatch_indices", 1)
def test_batches_match_one_randperm_cut_into_chunks(student, reference):
    for k, (n, batch_size) in enumerate(CASES):
        seed, global_seed = 100 + k, 900 + k
        got = _as_index_lists(student.call("minibatch_indices", n, batch_size, gen(seed),
                                           global_seed=global_seed)["result"], "minibatch_indices")
        want = [b.tolist() for b in reference.minibatch_indices(n, batch_size, gen(seed))]
        if got != want:
            fail(f"minibatch_indices(n={n}, batch_size={batch_size}) gave batch sizes "
                 f"{[len(b) for b in got]}, expected {[len(b) for b in want]}"
                 + ("" if [len(b) for b in got] != [len(b) for b in want] else
                    " but different indices") + _diagnose(got, n, batch_size, seed, global_seed))


@points("minibatch_indices", 1)
def test_batch_size_below_one_raises_value_error(student):
    for batch_size in (0, -3):
        expect_raises(student, "minibatch_indices", (8, batch_size, gen(1)), "ValueError",
                      setting=f"8, batch_size={batch_size}",
                      hint="check `if batch_size < 1: raise ValueError(...)` first")


@points("minibatch_indices", 0.5)
def test_depends_only_on_the_generator(student):
    a = student.call("minibatch_indices", 20, 6, gen(5), global_seed=1)["result"]
    b = student.call("minibatch_indices", 20, 6, gen(5), global_seed=2)["result"]
    a, b = _as_index_lists(a, "minibatch_indices"), _as_index_lists(b, "minibatch_indices")
    expect(a == b, "minibatch_indices gave different batches for the same generator seed when "
                   "the global seed changed: use only `generator` for randomness")


@points("minibatch_indices", 0.5)
def test_batches_are_an_exact_partition(student):
    got = _as_index_lists(student.minibatch_indices(23, 5, gen(3)), "minibatch_indices")
    flat = sorted(i for b in got for i in b)
    expect(flat == list(range(23)),
           f"minibatch_indices(23, 5) covered {len(set(flat))} distinct indices in {len(flat)} "
           f"entries; every index 0..22 must appear exactly once")
    expect([len(b) for b in got] == [5, 5, 5, 5, 3],
           f"minibatch_indices(23, 5) gave batch sizes {[len(b) for b in got]}; "
           f"expected four batches of 5 and a last one of 3")
