"""Lesson 2.5's proof that its checks work: realistic mistakes and correct alternative styles.

Each mistake is the reference solution with one thing done wrong, in the class or function it
belongs to; grading it must cost points on that task, name the mistake there, and leave every
other task at full marks. The exception (`spreads`): a student's make_loader builds its
DataLoader from their own PairDataset and collate_pairs, so a mistake there reaches it.
train_epochs is judged on PyTorch's own DataLoader and on plain lists of batches, never on the
student's make_loader, and LinearStream stands alone.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("2.5")
LOADER = ("make_loader",)  # its own code uses PairDataset and collate_pairs

LEN = "return self.X.shape[0]  # samples, not features"
ITEM = "return self.X[i], self.y[i]  # (d,), (1,); torch raises IndexError outside -N..N-1"
ROW_CHECK = ('        if X.shape[0] != y.shape[0]:\n            raise ValueError(f"X has {X.shape[0]} rows '
             'but y has {y.shape[0]}: one target per sample")\n')
STACK_X = "xs = torch.stack([x for x, _ in samples])  # (B, d): one row per sample"
STACK_Y = "ys = torch.stack([t for _, t in samples])  # (B, 1)"
EMPTY = ('    if len(samples) == 0:\n        raise ValueError("collate_pairs got no samples: a batch has at '
         'least one sample")\n')
LOADER_CALL = ("return DataLoader(PairDataset(X, y), batch_size=batch_size, shuffle=shuffle,\n"
               "                      drop_last=drop_last, generator=generator, collate_fn=collate_pairs,\n"
               "                      num_workers=0)  # no worker processes: batches are made here")
RECORD = "total += loss.item() * len(X_batch)  # recorded before the update, weighted by B"
LOSS = "loss = mse(X_batch, y_batch, w, b)  # the whole batch at once"
CLEAR = "            w.grad = None\n            b.grad = None\n"
NO_BATCH = ('        if seen == 0:\n            raise ValueError("the loader yielded no batch in an epoch: '
            'nothing to train on "\n                             "(drop_last=True with batch_size > N?)")\n')
APPEND = "losses.append(total / seen)"
COPY_W = "w = w0.detach().clone().requires_grad_(True)  # (d, 1), a copy: w0 stays as it was"
STREAM_G = "g = torch.Generator().manual_seed(self.seed)  # a fresh stream for every pass"
DRAW_X = "x = torch.randn(d, generator=g)  # (d,)"
DRAW_E = "e = torch.randn(1, generator=g)  # (1,)"
STREAM_CHECKS = ('        if n < 0:\n            raise ValueError(f"n must be at least 0, got {n}")\n'
                 '        if noise < 0:\n            raise ValueError(f"noise is a standard deviation, at least 0; '
                 'got {noise}")\n')


def loader(call: str) -> str:
    return mutate(REFERENCE, LOADER_CALL, call)


# --- PairDataset -------------------------------------------------------------------

PAIR_DATASET = [
    Mistake("len_counts_features", "PairDataset", mutate(REFERENCE, LEN, "return self.X.shape[1]"),
            "__len__ returns the number of features", spreads=LOADER),
    Mistake("item_is_a_slice", "PairDataset", mutate(REFERENCE, ITEM, "return self.X[i:i + 1], self.y[i:i + 1]"),
            "X[i:i+1] slices a (1, d) block", spreads=LOADER, example="buggy"),
    Mistake("whole_y_returned", "PairDataset", mutate(REFERENCE, ITEM, "return self.X[i], self.y"),
            "the whole of y is returned", spreads=LOADER),
    Mistake("target_as_float", "PairDataset", mutate(REFERENCE, ITEM, "return self.X[i], self.y[i].item()"),
            "the contract asks for a tensor", spreads=LOADER),
    Mistake("rows_not_checked", "PairDataset", mutate(REFERENCE, ROW_CHECK, ""),
            "returned instead of raising ValueError"),
]


# --- collate_pairs -----------------------------------------------------------------

COLLATE_PAIRS = [
    Mistake("cat_instead_of_stack", "collate_pairs",
            mutate(REFERENCE, STACK_X, "xs = torch.cat([x for x, _ in samples])"),
            "torch.stack adds the new batch dimension", spreads=LOADER),
    Mistake("halves_swapped", "collate_pairs", mutate(REFERENCE, "    return xs, ys\n", "    return ys, xs\n"),
            "X_batch and y_batch are swapped", spreads=LOADER),
    Mistake("empty_not_checked", "collate_pairs", mutate(REFERENCE, EMPTY, ""),
            "raised RuntimeError; the contract asks for ValueError"),
    Mistake("list_not_tuple", "collate_pairs", mutate(REFERENCE, "    return xs, ys\n", "    return [xs, ys]\n"),
            "the contract asks for a tuple (X_batch, y_batch)"),
]


# --- make_loader -------------------------------------------------------------------

MAKE_LOADER = [
    Mistake("shuffle_ignored", "make_loader",
            loader("return DataLoader(PairDataset(X, y), batch_size=batch_size, shuffle=False, drop_last=drop_last,\n"
                   "                      generator=generator, collate_fn=collate_pairs, num_workers=0)"),
            "original order although shuffle=True"),
    Mistake("global_generator", "make_loader",
            loader("return DataLoader(PairDataset(X, y), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,\n"
                   "                      collate_fn=collate_pairs, num_workers=0)"),
            "the shuffling draws from the global random generator"),
    Mistake("fixed_seed_generator", "make_loader",
            loader("return DataLoader(PairDataset(X, y), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,\n"
                   "                      generator=torch.Generator().manual_seed(0), collate_fn=collate_pairs,\n"
                   "                      num_workers=0)"),
            "the generator argument is ignored"),
    Mistake("drop_last_ignored", "make_loader",
            loader("return DataLoader(PairDataset(X, y), batch_size=batch_size, shuffle=shuffle,\n"
                   "                      generator=generator, collate_fn=collate_pairs, num_workers=0)"),
            "is kept although drop_last=True"),
    Mistake("shuffled_once", "make_loader",
            loader("if shuffle:  # shuffle the data, then serve it in order\n"
                   "        order = torch.randperm(X.shape[0], generator=generator)\n"
                   "        X, y = X[order], y[order]\n"
                   "    return DataLoader(PairDataset(X, y), batch_size=batch_size, shuffle=False,\n"
                   "                      drop_last=drop_last, collate_fn=collate_pairs, num_workers=0)"),
            "every epoch has the same order"),
    Mistake("default_collate", "make_loader",
            loader("return DataLoader(PairDataset(X, y), batch_size=batch_size, shuffle=shuffle,\n"
                   "                      drop_last=drop_last, generator=generator, num_workers=0)"),
            "pass collate_fn=collate_pairs"),
    Mistake("tensor_dataset", "make_loader",
            loader("return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle,\n"
                   "                      drop_last=drop_last, generator=generator, collate_fn=collate_pairs,\n"
                   "                      num_workers=0)"),
            "the contract asks for your PairDataset(X, y)"),
]


# --- train_epochs ------------------------------------------------------------------

PER_SAMPLE_LOSS = ("loss = sum((X_batch[j] @ w + b - y_batch[j]).pow(2).sum() for j in range(len(X_batch)))"
                   " / len(X_batch)  # one sample at a time")

TRAIN_EPOCHS = [
    Mistake("unweighted_mean", "train_epochs",
            edit(REFERENCE, (RECORD, "total += loss.item()"), ("seen += len(X_batch)", "seen += 1")),
            "plain mean of the batch losses"),
    Mistake("recorded_after_update", "train_epochs",
            edit(REFERENCE, ("            " + RECORD + "\n", ""),
                 (CLEAR, CLEAR + "            total += mse(X_batch, y_batch, w, b).item() * len(X_batch)\n")),
            "recorded after the update"),
    Mistake("gradients_not_cleared", "train_epochs", mutate(REFERENCE, CLEAR, ""), "never cleared"),
    Mistake("summed_batch_loss", "train_epochs",
            mutate(REFERENCE, LOSS, "loss = ((X_batch @ w + b - y_batch) ** 2).sum()  # summed"),
            "summed over its samples instead of averaged"),
    Mistake("last_batch_loss", "train_epochs", mutate(REFERENCE, APPEND, "losses.append(loss.item())"),
            "the last batch's loss"),
    Mistake("empty_epoch_not_checked", "train_epochs", mutate(REFERENCE, NO_BATCH, ""),
            "raised ZeroDivisionError; the contract asks for ValueError"),
    Mistake("w0_trained_in_place", "train_epochs",
            mutate(REFERENCE, COPY_W, "w = w0.requires_grad_(True)  # no copy"),
            "changed its input `w0` in place"),
    Mistake("per_sample_loop", "train_epochs", mutate(REFERENCE, LOSS, PER_SAMPLE_LOSS),
            "a Python loop over the samples of each batch", example="slow"),
]


# --- LinearStream ------------------------------------------------------------------

LINEAR_STREAM = [
    Mistake("generator_made_once", "LinearStream",
            edit(REFERENCE, ("        " + STREAM_G + "\n", ""),
                 ("self.w, self.b, self.n, self.noise, self.seed = w, b, n, noise, seed",
                  "self.w, self.b, self.n, self.noise, self.seed = w, b, n, noise, seed\n"
                  "        self.g = torch.Generator().manual_seed(seed)"),
                 (DRAW_X, "x = torch.randn(d, generator=self.g)"), (DRAW_E, "e = torch.randn(1, generator=self.g)")),
            "the generator is made once"),
    Mistake("global_generator", "LinearStream",
            edit(REFERENCE, (DRAW_X, "x = torch.randn(d)"), (DRAW_E, "e = torch.randn(1)")),
            "drawn from the global random generator"),
    Mistake("noise_drawn_first", "LinearStream",
            mutate(REFERENCE, f"{DRAW_X}\n            {DRAW_E}", f"{DRAW_E}\n            {DRAW_X}"),
            "the noise e is drawn before x"),
    Mistake("noise_not_scaled", "LinearStream",
            mutate(REFERENCE, "yield x, x @ self.w + self.b + self.noise * e", "yield x, x @ self.w + self.b + e"),
            "without multiplying it by `noise`"),
    Mistake("made_in_advance", "LinearStream",
            mutate(REFERENCE, f"        for _ in range(self.n):\n            {DRAW_X}\n            {DRAW_E}\n",
                   "        samples = []\n        for _ in range(self.n):  # all made before the first is yielded\n"
                   "            samples.append((torch.randn(d, generator=g), torch.randn(1, generator=g)))\n"
                   "        for x, e in samples:\n"),
            "all n samples are made before the first is yielded"),
    Mistake("arguments_not_checked", "LinearStream", mutate(REFERENCE, STREAM_CHECKS, ""),
            "returned instead of raising ValueError"),
]

MISTAKES = PAIR_DATASET + COLLATE_PAIRS + MAKE_LOADER + TRAIN_EPOCHS + LINEAR_STREAM


# --- alternatives ------------------------------------------------------------------

EXPLICIT_PIECES = edit(
    REFERENCE,
    (ITEM, "if not -len(self) <= i < len(self):\n"
           "            raise IndexError(f\"sample {i} of {len(self)}\")\n"
           "        return self.X[i], self.y[i]"),
    ("    xs = torch.stack([x for x, _ in samples])  # (B, d): one row per sample\n"
     "    ys = torch.stack([t for _, t in samples])  # (B, 1)\n",
     "    xs, ys = zip(*samples)\n    xs, ys = torch.stack(xs), torch.stack(ys)\n"),
    (LOADER_CALL, "from torch.utils.data import BatchSampler, RandomSampler, SequentialSampler\n"
                  "    ds = PairDataset(X, y)\n"
                  "    order = RandomSampler(ds, generator=generator) if shuffle else SequentialSampler(ds)\n"
                  "    return DataLoader(ds, batch_sampler=BatchSampler(order, batch_size, drop_last),\n"
                  "                      generator=generator, collate_fn=collate_pairs, num_workers=0)"),
)

NN_AND_OPTIM = replace_body(REFERENCE, "train_epochs", '''
    model = torch.nn.Linear(w0.shape[0], 1)
    with torch.no_grad():
        model.weight.copy_(w0.T)  # nn.Linear keeps the weights as (1, d)
        model.bias.copy_(b0)
    optimiser = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        batch_losses, sizes = [], []
        for X_batch, y_batch in loader:
            optimiser.zero_grad()
            loss = torch.nn.functional.mse_loss(model(X_batch), y_batch)
            batch_losses.append(loss.item())
            sizes.append(X_batch.shape[0])
            loss.backward()
            optimiser.step()
        if not sizes:
            raise ValueError("no batches in this epoch")
        losses.append(sum(v * m for v, m in zip(batch_losses, sizes)) / sum(sizes))
    return losses
''')

BY_HAND = replace_body(REFERENCE, "train_epochs", '''
    w, b = w0.double().clone(), b0.double().clone()  # float64, gradients by hand (lesson 1.2)
    losses = []
    for _ in range(epochs):
        total, seen = 0.0, 0
        for X_batch, y_batch in loader:
            Xb, yb = X_batch.double(), y_batch.double()
            r = Xb @ w + b - yb  # (B, 1) residuals
            total += (r ** 2).sum().item()
            seen += Xb.shape[0]
            w = w - lr * 2 * Xb.T @ r / Xb.shape[0]
            b = b - lr * 2 * r.sum(0) / Xb.shape[0]
        if seen == 0:
            raise ValueError("empty epoch")
        losses.append(total / seen)
    return losses
''')

SEPARATE_GENERATOR_FUNCTION = mutate(
    BY_HAND,
    "    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:\n",
    "    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:\n"
    "        print('a new pass over the stream')\n"
    "        return linear_samples(self.w, self.b, self.n, self.noise, self.seed)\n\n"
    "    def _old_iter(self) -> Iterator[tuple[Tensor, Tensor]]:\n",
) + '''

def linear_samples(w: Tensor, b: Tensor, n: int, noise: float, seed: int) -> Iterator[tuple[Tensor, Tensor]]:
    g = torch.Generator().manual_seed(seed)
    for _ in range(n):
        x = torch.randn(w.shape[0], generator=g)
        noise_draw = torch.randn(1, generator=g)
        yield x, (x @ w + b + noise * noise_draw)
'''

ALTERNATIVES = [
    Alternative("explicit_samplers", EXPLICIT_PIECES,
                "explicit bounds check, zip-and-stack collate, and the DataLoader built from "
                "RandomSampler/SequentialSampler and a BatchSampler", example="correct"),
    Alternative("nn_linear_and_optim_sgd", NN_AND_OPTIM, "nn.Linear, F.mse_loss and torch.optim.SGD"),
    Alternative("float64_by_hand_and_generator_function", SEPARATE_GENERATOR_FUNCTION,
                "float64 gradients by hand, and the stream's samples from a separate generator "
                "function (with a print)"),
]
