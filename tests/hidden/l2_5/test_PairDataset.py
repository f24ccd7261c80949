"""Hidden checks for `PairDataset`: the student's class is built and indexed inside the student
process by drivers (pipeline.py), which return its samples as plain tensors."""

import torch

from looplab.checks import assert_tensor, drive, driver, expect, expect_raises, fail, kind, points

from .pipeline import indexed_data, pair_construct, pair_default_loader, pair_for_loop, pair_index_error, pair_items

NAME = "PairDataset"


def _pair(item, what: str):
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        size = f" of length {len(item)}" if isinstance(item, (tuple, list)) else ""
        fail(f"{what} is a {kind(item)}{size}; the contract asks for the pair (X[i], y[i])")
    for part, name in zip(item, ("x", "y")):
        if not isinstance(part, torch.Tensor):
            fail(f"{what}'s {name} is a {kind(part)}; the contract asks for a tensor (a row of {name.upper()})")
    return item


@points(NAME, 1)
def test_len_and_items_are_the_rows(student):
    for n, d, dtype in [(7, 3, torch.float32), (5, 1, torch.float64)]:
        X, y = indexed_data(n, d, seed=n, dtype=dtype)
        setting = f"X of shape {tuple(X.shape)}, y of shape {tuple(y.shape)}, {dtype}"
        reply = student.call(NAME, X, y, driver=driver(pair_items), return_args=True)
        got = reply["result"]
        expect(all(torch.equal(a, b) for a, b in zip((X, y), reply["args_after"])),
               f"PairDataset changed X or y in place ({setting}); store them and leave them as they are")
        expect(type(got["len"]) is int, f"len(PairDataset(X, y)) returned a {kind(got['len'])} ({setting})")
        if got["len"] != n:
            hint = ("\nlikely mistake: __len__ returns the number of features, X.shape[1]; it should count "
                    "the samples, X.shape[0]") if got["len"] == d else ""
            fail(f"len(PairDataset(X, y)) is {got['len']}, expected N = {n} ({setting}){hint}")
        for i, item in enumerate(got["items"]):
            x, t = _pair(item, f"ds[{i}]")
            if tuple(x.shape) == (1, d):
                fail(f"ds[{i}]'s x has shape (1, {d}), expected ({d},) ({setting})\nlikely mistake: "
                     f"X[i:i+1] slices a (1, d) block; index the row with X[i]")
            if tuple(t.shape) == (n, 1):
                fail(f"ds[{i}]'s y has shape ({n}, 1), expected (1,) ({setting})\nlikely mistake: "
                     f"the whole of y is returned instead of its row y[i]")
            assert_tensor(x, X[i], what=f"ds[{i}]'s x", setting=setting, rtol=0, atol=0)
            assert_tensor(t, y[i], what=f"ds[{i}]'s y", setting=setting, rtol=0, atol=0)
            expect(x.dtype == dtype and t.dtype == dtype,
                   f"ds[{i}] returned {x.dtype} and {t.dtype} tensors; keep X's and y's dtype ({dtype})")
        x, _ = _pair(got["last"], "ds[-1]")
        assert_tensor(x, X[-1], what="ds[-1]'s x (a negative index counts from the end, as for a list)",
                      setting=setting, rtol=0, atol=0)


@points(NAME, 0.5)
def test_past_the_end_raises_index_error_so_loops_stop(student):
    X, y = indexed_data(6, 2, seed=1)
    for i in (6, 50, -7):
        got = drive(student, NAME, pair_index_error, X, y, i)
        expect(got == "IndexError", f"PairDataset(X, y)[{i}] with N=6 "
                                    + ("returned a value" if got == "returned" else f"raised {got}")
                                    + "; the contract asks for IndexError outside -N..N-1")
    count = drive(student, NAME, pair_for_loop, X, y, 20)
    expect(count == 6, f"a plain `for x, t in PairDataset(X, y)` loop over N=6 samples made {count} steps"
                       f"{' (stopped by the check)' if count >= 20 else ''}; expected 6: Python stops such a "
                       f"loop at the first IndexError")


@points(NAME, 0.5)
def test_works_in_a_torch_dataloader(student):
    X, y = indexed_data(10, 3, seed=2)
    batches = drive(student, NAME, pair_default_loader, X, y, 4)
    expect(len(batches) == 3, f"DataLoader(PairDataset(X, y), batch_size=4) over N=10 samples gave "
                              f"{len(batches)} batches; expected 3 (sizes 4, 4, 2)")
    for k, (start, stop) in enumerate([(0, 4), (4, 8), (8, 10)]):
        expect(len(batches[k]) == 2, f"batch {k} of DataLoader(PairDataset(X, y)) has {len(batches[k])} "
                                     f"parts; expected (X_batch, y_batch): each sample must be a pair")
        assert_tensor(batches[k][0], X[start:stop], what=f"X_batch {k} of DataLoader(PairDataset(X, y), batch_size=4)",
                      setting="N=10, d=3, default collate", rtol=0, atol=0)
        assert_tensor(batches[k][1], y[start:stop], what=f"y_batch {k} of DataLoader(PairDataset(X, y), batch_size=4)",
                      setting="N=10, d=3, default collate", rtol=0, atol=0)


@points(NAME, 0.5)
def test_rejects_rows_that_do_not_match(student):
    X, y = indexed_data(5, 2, seed=3)
    for X_, y_, setting in [(X, y[:4], "X with 5 rows, y with 4"), (X[:3], y, "X with 3 rows, y with 5")]:
        expect_raises(student, NAME, (X_, y_), "ValueError", setting=setting,
                      hint="every sample needs exactly one target", driver=driver(pair_construct))
