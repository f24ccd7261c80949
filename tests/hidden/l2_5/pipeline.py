"""Lesson 2.5's data pipeline as the checks see it: inputs whose samples carry their own index,
the drivers that exercise the student's classes and loaders inside the student process, and
the simulations that name a mistake by reproducing it.

A driver uses only builtins, `torch` and the submission's names (`looplab.checks.drive`); it
returns batches as lists of tensors, so that they cross the process boundary as plain data.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.utils.data import DataLoader, TensorDataset

from looplab.checks import gen

GLOBAL_SEED = 4242  # set in the student process before calls, to expose use of the global RNG


# --- inputs ----------------------------------------------------------------------

def indexed_data(n: int, d: int, seed: int, dtype: torch.dtype = torch.float32) -> tuple[Tensor, Tensor]:
    """X (n, d) whose first column is the sample's index, y (n, 1) = 100 + index + noise,
    so every batch says which samples it holds."""
    g = gen(seed)
    index = torch.arange(n, dtype=dtype).unsqueeze(1)  # (n, 1)
    X = torch.cat([index, torch.randn(n, d - 1, generator=g, dtype=dtype)], dim=1)  # (n, d)
    y = 100 + index + 0.1 * torch.randn(n, 1, generator=g, dtype=dtype)  # (n, 1)
    return X, y


def indices_of(epochs: list) -> list[list[list[int]]]:
    """Sample indices per batch per epoch, read from the first feature of each X_batch."""
    return [[[int(v) for v in batch[0][:, 0].tolist()] for batch in epoch] for epoch in epochs]


def in_order_batches(X: Tensor, y: Tensor, batch_size: int, drop_last: bool = False) -> list:
    """The batches of a pass without shuffling, as (X_batch, y_batch) tuples."""
    n = X.shape[0]
    stop = n - n % batch_size if drop_last else n
    return [(X[s:s + batch_size], y[s:s + batch_size]) for s in range(0, stop, batch_size)]


def torch_loader(X: Tensor, y: Tensor, batch_size: int, shuffle: bool, drop_last: bool, seed: int) -> DataLoader:
    """PyTorch's own pipeline over (X, y), the oracle the training loop is judged on."""
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                      generator=gen(seed), num_workers=0)


def reference_passes(reference, X, y, batch_size, shuffle, drop_last, seed, passes) -> list:
    loader = reference.make_loader(X.clone(), y.clone(), batch_size, shuffle, drop_last, gen(seed))
    return [[list(batch) for batch in loader] for _ in range(passes)]


# --- drivers (run in the student process) ----------------------------------------

def pair_items(X, y):
    ds = PairDataset(X, y)
    return {"len": len(ds), "items": [ds[i] for i in range(X.shape[0])], "last": ds[-1]}


def pair_index_error(X, y, i):
    ds = PairDataset(X, y)
    try:
        ds[i]
    except Exception as exc:  # the type is what the check looks at
        return type(exc).__name__
    return "returned"


def pair_for_loop(X, y, cap):
    count = 0
    for _ in PairDataset(X, y):
        count += 1
        if count >= cap:
            break
    return count


def pair_default_loader(X, y, batch_size):
    data = torch.utils.data
    loader = data.DataLoader(PairDataset(X, y), batch_size=batch_size, num_workers=0)
    return [list(batch) for batch in loader]


def pair_construct(X, y):
    PairDataset(X, y)
    return None


def loader_passes(X, y, batch_size, shuffle, drop_last, generator, passes):
    loader = make_loader(X, y, batch_size, shuffle, drop_last, generator)
    out = []
    for _ in range(passes):
        epoch = []
        for batch in loader:
            epoch.append({"tuple": isinstance(batch, tuple), "tensors": list(batch)})
            if len(epoch) > 2 * X.shape[0] + 2:
                break
        out.append(epoch)
    return out


def loader_facts(X, y, batch_size, shuffle, drop_last, generator):
    loader = make_loader(X, y, batch_size, shuffle, drop_last, generator)
    probe = [(X[0], y[0]), (X[1], y[1])]
    try:
        want = collate_pairs(probe)
    except Exception:  # a broken collate_pairs is its own task's fault, not make_loader's
        want = None
    fn = getattr(loader, "collate_fn", None)
    got = fn(probe) if (want is not None and fn is not None) else None
    same = (None if want is None else got is not None and type(got) is type(want)
            and len(got) == len(want) and all(torch.equal(a, b) for a, b in zip(got, want)))
    return {"class": type(loader).__name__,
            "is_dataloader": isinstance(loader, torch.utils.data.DataLoader),
            "num_workers": getattr(loader, "num_workers", None),
            "dataset": type(getattr(loader, "dataset", None)).__name__,
            "your_dataset": isinstance(getattr(loader, "dataset", None), PairDataset),
            "collate": same}


def loader_construct(X, y, batch_size, shuffle, drop_last, generator):
    make_loader(X, y, batch_size, shuffle, drop_last, generator)
    return None


def train_on_torch_loader(X, y, w0, b0, batch_size, shuffle, drop_last, seed, epochs, lr):
    data = torch.utils.data
    loader = data.DataLoader(data.TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle,
                             drop_last=drop_last, generator=torch.Generator().manual_seed(seed),
                             num_workers=0)
    return train_epochs(loader, w0, b0, epochs, lr)


def stream_passes(w, b, n, noise, seed, passes, cap):
    stream = LinearStream(w, b, n, noise, seed)
    out = []
    for _ in range(passes):
        samples = []
        for sample in stream:
            samples.append(sample)
            if len(samples) >= cap:
                break
        out.append(samples)
    return out


def stream_head(w, b, n, noise, seed, k):
    it = iter(LinearStream(w, b, n, noise, seed))
    return [next(it) for _ in range(k)]


def stream_loader(w, b, n, noise, seed, batch_size):
    data = torch.utils.data
    loader = data.DataLoader(LinearStream(w, b, n, noise, seed), batch_size=batch_size, num_workers=0)
    return [list(batch) for batch in loader]


def stream_construct(w, b, n, noise, seed):
    LinearStream(w, b, n, noise, seed)
    return None


# --- LinearStream's known mistakes, simulated ------------------------------------

STREAM_MISTAKES = {
    "noise_first": "the noise e is drawn before x; the contract draws x first, then e, for each sample",
    "all_at_once": "all n samples are drawn at once (torch.randn(n, d)); draw x = torch.randn(d) and "
                   "e = torch.randn(1) one sample at a time, inside the loop that yields",
    "noise_unscaled": "the noise is added without multiplying it by `noise`",
    "continues": "the generator is made once (in __init__), so a second pass continues the stream "
                 "instead of repeating it; make a new generator from the seed at the start of __iter__",
}


def stream_samples(w: Tensor, b: Tensor, n: int, noise: float, seed: int, passes: int = 1,
                   mistake: str = "") -> list[list[tuple[Tensor, Tensor]]]:
    """What a LinearStream with `mistake` yields on `passes` passes."""
    d = w.shape[0]
    g = gen(seed)
    out = []
    for _ in range(passes):
        if mistake != "continues":
            g = gen(seed)
        if mistake == "all_at_once":
            X, E = torch.randn(n, d, generator=g), torch.randn(n, 1, generator=g)
            pairs = [(X[i], E[i]) for i in range(n)]
        else:
            pairs = []
            for _ in range(n):
                if mistake == "noise_first":
                    e = torch.randn(1, generator=g)
                    x = torch.randn(d, generator=g)
                else:
                    x = torch.randn(d, generator=g)
                    e = torch.randn(1, generator=g)
                pairs.append((x, e))
        scale = 1.0 if mistake == "noise_unscaled" else noise
        out.append([(x, x @ w + b + scale * e) for x, e in pairs])
    return out
