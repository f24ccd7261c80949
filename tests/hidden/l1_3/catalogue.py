"""Lesson 1.3's proof that its checks work: realistic mistakes and correct alternative styles.

Each mistake is the reference solution with one thing done wrong, in the function it belongs
to; grading it must cost points on that function's task, name the mistake there, and leave
every other task at full marks. The exception (`spreads`): a student's train_minibatch and
epochs_to_target call their own minibatch_indices, so a wrong minibatch_indices reaches them.
A train_batch or train_stochastic mistake never costs train_minibatch points: its
equivalence checks fall back on the reference's trainers (`own_or_reference`).

The alternatives are correct solutions in other styles: the torch.nn/torch.optim style,
gradients by hand, torch.autograd.grad, float64 arithmetic, and a student who prints.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_function

REFERENCE = reference_source("1.3")
SPREADS = ("train_minibatch", "epochs_to_target")  # their own code calls minibatch_indices


# --- pieces of the reference that the mistakes change -------------------------

MI_CHECK = '    if batch_size < 1:\n        raise ValueError(f"batch_size must be at least 1, got {batch_size}")'
TB_COPIES = ("w = w0.detach().clone().requires_grad_(True)  # (d, 1), a copy: w0 stays as it was\n"
             "    b = b0.detach().clone().requires_grad_(True)  # (1,)")
TB_LOSS = "loss = mse(X, y, w, b)  # all N samples"
TB_RECORD = "losses.append(loss.item())  # recorded before the update"
TB_STEP = "        sgd_step(loss, w, b, lr)\n    return losses"
SGD_ORDER = "for i in torch.randperm(n, generator=generator).tolist():"
SGD_APPEND = "losses.append(total / n)\n    return losses\n\n\ndef train_minibatch"
MB_BATCHES = "for idx in minibatch_indices(n, batch_size, generator):\n            loss = mse(X[idx]"
MB_TOTAL = "total += loss.item() * len(idx)  # weight by batch size"


def tb_step(update: str) -> str:
    """train_batch with its own update step in place of the shared sgd_step."""
    lines = ["        loss.backward()", "        with torch.no_grad():"]
    lines += [f"            {line}" for line in update.strip().splitlines()]
    return mutate(REFERENCE, TB_STEP, "\n".join(lines) + "\n    return losses")


# --- minibatch_indices ---------------------------------------------------------

MINIBATCH_INDICES = [
    Mistake("batch_size_check_missing", "minibatch_indices",
            mutate(REFERENCE, f"{MI_CHECK}\n    order", "    order"),
            "the contract asks for ValueError"),
    Mistake("batch_size_checked_with_assert", "minibatch_indices",
            mutate(REFERENCE, f"{MI_CHECK}\n    order",
                   MI_CHECK.replace("if batch_size < 1:\n        raise ValueError(", "assert batch_size >= 1, (")
                   + "\n    order"),
            "raised AssertionError; the contract asks for ValueError"),
    Mistake("last_batch_dropped", "minibatch_indices",
            mutate(REFERENCE, "return list(order.split(batch_size))  # the last chunk may be smaller",
                   "return [order[s:s + batch_size] for s in range(0, n - batch_size + 1, batch_size)]"),
            "the last, smaller batch is dropped",
            spreads=SPREADS,
            elsewhere=(("train_minibatch", "are your minibatch_indices dropping it?"),)),
    Mistake("indices_not_shuffled", "minibatch_indices",
            mutate(REFERENCE, "order = torch.randperm(n, generator=generator)  # one shuffle per epoch",
                   "order = torch.arange(n)"),
            "the indices are not shuffled",
            spreads=SPREADS,
            elsewhere=(("train_minibatch", "visited in their original order"),)),
    Mistake("global_rng_instead_of_generator", "minibatch_indices",
            mutate(REFERENCE, "order = torch.randperm(n, generator=generator)  # one shuffle per epoch",
                   "order = torch.randperm(n)"),
            "the shuffle uses the global random generator",
            spreads=SPREADS,
            elsewhere=(("train_minibatch", "the shuffle uses the global random generator"),)),
]


# --- train_batch ---------------------------------------------------------------

PER_SAMPLE_TRAIN_BATCH = '''
def train_batch(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, epochs: int,
                lr: float) -> list[float]:
    n = X.shape[0]
    w = w0.detach().clone().requires_grad_(True)
    b = b0.detach().clone().requires_grad_(True)
    losses = []
    for _ in range(epochs):
        loss = 0.0
        for i in range(n):  # one sample at a time
            loss = loss + ((X[i] @ w + b - y[i]) ** 2).sum()
        loss = loss / n
        losses.append(loss.item())
        sgd_step(loss, w, b, lr)
    return losses
'''

TRAIN_BATCH = [
    Mistake("gradients_never_reset", "train_batch",
            tb_step("w -= lr * w.grad\nb -= lr * b.grad"),
            "gradients are never reset"),
    Mistake("sum_instead_of_mean", "train_batch",
            mutate(REFERENCE, TB_LOSS, "loss = ((X @ w + b - y) ** 2).sum()"),
            "summed over the samples instead of averaged"),
    Mistake("loss_recorded_after_update", "train_batch",
            mutate(REFERENCE, f"{TB_RECORD}\n        sgd_step(loss, w, b, lr)\n",
                   "sgd_step(loss, w, b, lr)\n        losses.append(mse(X, y, w, b).item())\n"),
            "recorded after the update", example="buggy"),
    Mistake("bias_never_updated", "train_batch",
            tb_step("w -= lr * w.grad\nw.grad = None"),
            "the bias b is never updated"),
    Mistake("gradient_ascent", "train_batch",
            tb_step("w += lr * w.grad\nb += lr * b.grad\nw.grad = None\nb.grad = None"),
            "adds the gradient instead of subtracting it"),
    Mistake("inputs_updated_in_place", "train_batch",
            mutate(REFERENCE, TB_COPIES,
                   "w = w0.requires_grad_(True)  # no copy: the updates land in w0\n"
                   "    b = b0.requires_grad_(True)"),
            "changed its input `w0` in place"),
    Mistake("tensors_instead_of_floats", "train_batch",
            mutate(REFERENCE, TB_RECORD, "losses.append(loss)  # forgot .item()"),
            "call .item() on the loss"),
    Mistake("one_loss_too_many", "train_batch",
            mutate(REFERENCE, f"for _ in range(epochs):\n        {TB_LOSS}",
                   f"for _ in range(epochs + 1):\n        {TB_LOSS}"),
            "returned 13 losses, expected 12",
            elsewhere=(("train_batch", "with epochs=0 returned ["),
                       ("train_batch", "with lr=0 and epochs=4 returned 5 losses"))),
    # The two classic errors of `w = w - lr * w.grad`: the next backward() raises, and the
    # report explains the cause (looplab.checks.faults.known_cause) instead of a bare error.
    Mistake("update_rebinds_w_inside_no_grad", "train_batch",
            tb_step("w = w - lr * w.grad\nb = b - lr * b.grad"),
            ("does not require grad", "update them in place")),
    Mistake("update_rebinds_w_outside_no_grad", "train_batch",
            mutate(REFERENCE, TB_STEP,
                   "        loss.backward()\n        w = w - lr * w.grad  # a new tensor, not a leaf\n"
                   "        b = b - lr * b.grad\n    return losses"),
            ("NoneType", "no longer a leaf")),
    Mistake("per_sample_python_loop", "train_batch",
            replace_function(REFERENCE, "train_batch", PER_SAMPLE_TRAIN_BATCH),
            "a Python loop over samples inside full-batch gradient descent", example="slow"),
]


# --- train_stochastic ------------------------------------------------------------

TRAIN_STOCHASTIC = [
    Mistake("no_shuffle", "train_stochastic",
            mutate(REFERENCE, SGD_ORDER, "for i in range(n):"),
            "visited in their original order"),
    Mistake("one_shuffle_reused_every_epoch", "train_stochastic",
            mutate(mutate(REFERENCE, SGD_ORDER, "for i in order:"),
                   "    losses = []\n    for _ in range(epochs):\n        total = 0.0\n        for i in order:",
                   "    losses = []\n    order = torch.randperm(n, generator=generator).tolist()\n"
                   "    for _ in range(epochs):\n        total = 0.0\n        for i in order:"),
            "one shuffle is reused every epoch"),
    Mistake("global_rng_instead_of_generator", "train_stochastic",
            mutate(REFERENCE, SGD_ORDER, "for i in torch.randperm(n).tolist():"),
            "the shuffle uses the global random generator"),
    Mistake("epoch_loss_is_last_sample_loss", "train_stochastic",
            mutate(REFERENCE, SGD_APPEND,
                   "losses.append(loss.item())\n    return losses\n\n\ndef train_minibatch"),
            "the epoch loss is the last step's loss"),
    Mistake("loss_recorded_after_update", "train_stochastic",
            mutate(REFERENCE, "            total += loss.item()\n            sgd_step(loss, w, b, lr)",
                   "            sgd_step(loss, w, b, lr)\n"
                   "            total += mse(X[i:i + 1], y[i:i + 1], w, b).item()  # after the step"),
            "recorded after the update"),
    Mistake("full_data_loss_at_epoch_end", "train_stochastic",
            mutate(REFERENCE, SGD_APPEND,
                   "losses.append(mse(X, y, w, b).item())  # all data, after the epoch\n"
                   "    return losses\n\n\ndef train_minibatch"),
            "the loss over all the data after the epoch"),
    Mistake("zero_epochs_rejected", "train_stochastic",
            mutate(REFERENCE, "    n = X.shape[0]\n    w = w0.detach().clone().requires_grad_(True)\n"
                   "    b = b0.detach().clone().requires_grad_(True)\n    losses = []\n"
                   "    for _ in range(epochs):\n        total = 0.0\n        for i in",
                   "    if epochs < 1:\n        raise ValueError(\"epochs must be positive\")\n"
                   "    n = X.shape[0]\n    w = w0.detach().clone().requires_grad_(True)\n"
                   "    b = b0.detach().clone().requires_grad_(True)\n    losses = []\n"
                   "    for _ in range(epochs):\n        total = 0.0\n        for i in"),
            "with epochs=0 raised ValueError"),
]


# --- train_minibatch -------------------------------------------------------------

MB_EPOCH = ("    for _ in range(epochs):\n        total = 0.0\n"
            "        for idx in minibatch_indices(n, batch_size, generator):")
MB_RETURN = "losses.append(total / n)\n    return losses\n\n\ndef epochs_to_target"

TRAIN_MINIBATCH = [
    Mistake("last_batch_skipped", "train_minibatch",
            edit(REFERENCE,
                 (MB_EPOCH, MB_EPOCH.replace("total = 0.0", "total, seen = 0.0, 0")),
                 (MB_BATCHES, MB_BATCHES.replace(
                     "\n            loss", "\n            if len(idx) < batch_size:\n"
                     "                continue  # skip the short batch\n            loss")),
                 (MB_TOTAL, "total += loss.item() * len(idx)\n            seen += len(idx)"),
                 (MB_RETURN, MB_RETURN.replace("total / n", "total / seen"))),
            "the last, smaller batch of each epoch is dropped"),
    Mistake("unweighted_mean_of_batch_losses", "train_minibatch",
            edit(REFERENCE,
                 (MB_EPOCH, MB_EPOCH.replace("total = 0.0", "total, count = 0.0, 0")),
                 (MB_TOTAL, "total += loss.item()\n            count += 1"),
                 (MB_RETURN, MB_RETURN.replace("total / n", "total / count"))),
            "the plain mean of the batch losses"),
    Mistake("one_shuffle_reused_every_epoch", "train_minibatch",
            edit(REFERENCE,
                 (MB_EPOCH, "    batches = minibatch_indices(n, batch_size, generator)  # once\n"
                            "    for _ in range(epochs):\n        total = 0.0\n        for idx in batches:")),
            "one shuffle is reused every epoch"),
    # Caught by the speed check only. A plain `for i in idx` loop that adds up per-sample
    # losses measures about 9.5-10x the reference on the check's workload (batch_size=32),
    # against 8x + 30 ms accepted (about 9.1x): too close to call on a busy machine, so it
    # is not in the catalogue. Stacking per-sample mse calls measures about 10-12x.
    Mistake("per_sample_losses_inside_batches", "train_minibatch",
            mutate(REFERENCE, "loss = mse(X[idx], y[idx], w, b)  # (batch,) samples",
                   "loss = torch.stack([mse(X[i:i + 1], y[i:i + 1], w, b) for i in idx]).mean()"),
            "a Python loop over the samples of each batch"),
]


# --- epochs_to_target ------------------------------------------------------------

COUNT_AFTER_TRAINING = '''
def epochs_to_target(X: Tensor, y: Tensor, w0: Tensor, b0: Tensor, batch_size: int,
                     lr: float, target: float, max_epochs: int,
                     generator: torch.Generator) -> int | None:
    n = X.shape[0]
    w = w0.detach().clone().requires_grad_(True)
    b = b0.detach().clone().requires_grad_(True)
    for epoch in range(max_epochs):
        for idx in minibatch_indices(n, batch_size, generator):
            sgd_step(mse(X[idx], y[idx], w, b), w, b, lr)
        with torch.no_grad():
            if mse(X, y, w, b).item() <= target:
                return epoch  # 0-based index of the epoch just finished
    return None
'''

EPOCHS_TO_TARGET = [
    Mistake("count_off_by_one", "epochs_to_target",
            replace_function(REFERENCE, "epochs_to_target", COUNT_AFTER_TRAINING),
            "the count is off by one"),
    Mistake("batch_size_checked_only_when_training", "epochs_to_target",
            mutate(REFERENCE, "    if batch_size < 1:\n        raise ValueError(f\"batch_size must be at least 1, "
                   "got {batch_size}\")\n    n = X.shape[0]\n    w = w0.detach().clone().requires_grad_(True)\n"
                   "    b = b0.detach().clone().requires_grad_(True)\n    for epoch",
                   "    n = X.shape[0]\n    w = w0.detach().clone().requires_grad_(True)\n"
                   "    b = b0.detach().clone().requires_grad_(True)\n    for epoch"),
            "returned instead of raising ValueError"),
    Mistake("global_rng_instead_of_generator", "epochs_to_target",
            mutate(REFERENCE, "        for idx in minibatch_indices(n, batch_size, generator):\n"
                   "            sgd_step(mse(X[idx], y[idx], w, b), w, b, lr)",
                   "        for idx in torch.randperm(n).split(batch_size):\n"
                   "            sgd_step(mse(X[idx], y[idx], w, b), w, b, lr)"),
            "use only `generator` for randomness"),
]


NN_AND_OPTIM = '''
import torch
from torch import Tensor, nn


def minibatch_indices(n: int, batch_size: int, generator: torch.Generator) -> list[Tensor]:
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    perm = torch.randperm(n, generator=generator)
    return [perm[start:start + batch_size] for start in range(0, n, batch_size)]


def make_model(w0: Tensor, b0: Tensor) -> nn.Linear:
    model = nn.Linear(w0.shape[0], 1)
    with torch.no_grad():
        model.weight.copy_(w0.T)  # nn.Linear keeps the weight as (out, in) = (1, d)
        model.bias.copy_(b0)
    return model


def step(model: nn.Linear, optimizer: torch.optim.Optimizer, X: Tensor, y: Tensor) -> float:
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def train_batch(X, y, w0, b0, epochs, lr):
    model = make_model(w0, b0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return [step(model, optimizer, X, y) for _ in range(epochs)]


def train_stochastic(X, y, w0, b0, epochs, lr, generator):
    model = make_model(w0, b0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    n = len(X)
    history = []
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        history.append(sum(step(model, optimizer, X[i:i + 1], y[i:i + 1]) for i in order) / n)
    return history


def train_minibatch(X, y, w0, b0, batch_size, epochs, lr, generator):
    model = make_model(w0, b0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    n = len(X)
    history = []
    for _ in range(epochs):
        total = 0.0
        for idx in minibatch_indices(n, batch_size, generator):
            total += step(model, optimizer, X[idx], y[idx]) * len(idx)
        history.append(total / n)
    return history


def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    model = make_model(w0, b0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    n = len(X)
    epoch = 0
    while True:
        with torch.no_grad():
            if nn.functional.mse_loss(model(X), y).item() <= target:
                return epoch
        if epoch == max_epochs:
            return None
        for idx in minibatch_indices(n, batch_size, generator):
            step(model, optimizer, X[idx], y[idx])
        epoch += 1

'''

HAND_WRITTEN_GRADIENTS = '''
import torch


def minibatch_indices(n, batch_size, generator):
    if not batch_size >= 1:
        raise ValueError(f"batch_size={batch_size} is not a positive batch size")
    return list(torch.split(torch.randperm(n, generator=generator), batch_size))


def loss_and_grads(X, y, w, b):
    """Mean squared error and its gradients, by hand: d/dw = 2/m X^T r, d/db = 2/m sum r."""
    r = X @ w + b - y  # (m, 1) residuals
    m = X.shape[0]
    return (r ** 2).mean().item(), (2.0 / m) * (X.T @ r), (2.0 / m) * r.sum(dim=0)


def train_batch(X, y, w0, b0, epochs, lr):
    w, b = w0.clone(), b0.clone()
    losses = []
    for _ in range(epochs):
        loss, gw, gb = loss_and_grads(X, y, w, b)
        losses.append(loss)
        w, b = w - lr * gw, b - lr * gb
    return losses


def run_epoch(X, y, w, b, lr, batches):
    total = 0.0
    for idx in batches:
        loss, gw, gb = loss_and_grads(X[idx], y[idx], w, b)
        total += loss * len(idx)
        w, b = w - lr * gw, b - lr * gb
    return total / X.shape[0], w, b


def train_stochastic(X, y, w0, b0, epochs, lr, generator):
    w, b = w0.clone(), b0.clone()
    losses = []
    for _ in range(epochs):
        batches = torch.randperm(X.shape[0], generator=generator).split(1)  # one sample each
        loss, w, b = run_epoch(X, y, w, b, lr, batches)
        losses.append(loss)
    return losses


def train_minibatch(X, y, w0, b0, batch_size, epochs, lr, generator):
    w, b = w0.clone(), b0.clone()
    losses = []
    for _ in range(epochs):
        loss, w, b = run_epoch(X, y, w, b, lr, minibatch_indices(X.shape[0], batch_size, generator))
        losses.append(loss)
    return losses


def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    w, b = w0.clone(), b0.clone()
    for epoch in range(max_epochs + 1):
        if ((X @ w + b - y) ** 2).mean().item() <= target:
            return epoch
        if epoch < max_epochs:
            _, w, b = run_epoch(X, y, w, b, lr, minibatch_indices(X.shape[0], batch_size, generator))
    return None

'''

AUTOGRAD_GRAD = '''
import torch


def minibatch_indices(n, batch_size, generator):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return list(torch.randperm(n, generator=generator).split(batch_size))


def mse(X, y, w, b):
    return ((X @ w + b - y) ** 2).mean()


def update(loss, w, b, lr):
    """One gradient step with torch.autograd.grad; returns new leaf tensors."""
    gw, gb = torch.autograd.grad(loss, (w, b))
    return ((w - lr * gw).detach().requires_grad_(), (b - lr * gb).detach().requires_grad_())


def start(w0, b0):
    return w0.detach().clone().requires_grad_(), b0.detach().clone().requires_grad_()


def train_batch(X, y, w0, b0, epochs, lr):
    w, b = start(w0, b0)
    losses = []
    for _ in range(epochs):
        loss = mse(X, y, w, b)
        losses.append(loss.item())
        w, b = update(loss, w, b, lr)
    return losses


def train_minibatch(X, y, w0, b0, batch_size, epochs, lr, generator):
    w, b = start(w0, b0)
    n = X.shape[0]
    losses = []
    for _ in range(epochs):
        weighted = []
        for idx in minibatch_indices(n, batch_size, generator):
            loss = mse(X[idx], y[idx], w, b)
            weighted.append(loss.item() * idx.numel())
            w, b = update(loss, w, b, lr)
        losses.append(sum(weighted) / n)
    return losses


def train_stochastic(X, y, w0, b0, epochs, lr, generator):
    return train_minibatch(X, y, w0, b0, 1, epochs, lr, generator)


def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    w, b = start(w0, b0)
    n = X.shape[0]
    for epoch in range(max_epochs + 1):
        if mse(X, y, w, b).item() <= target:
            return epoch
        if epoch == max_epochs:
            break
        for idx in minibatch_indices(n, batch_size, generator):
            w, b = update(mse(X[idx], y[idx], w, b), w, b, lr)
    return None

'''

FLOAT64 = '''
import torch


def minibatch_indices(n, batch_size, generator):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return list(torch.randperm(n, generator=generator).split(batch_size))


def as64(*tensors):
    return [t.detach().to(torch.float64) for t in tensors]


def mse(X, y, w, b):
    return ((X @ w + b - y) ** 2).mean()


def sgd(loss, params, lr):
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None


def train_batch(X, y, w0, b0, epochs, lr):
    X, y, w, b = as64(X, y, w0, b0)
    w.requires_grad_()
    b.requires_grad_()
    losses = []
    for _ in range(epochs):
        loss = mse(X, y, w, b)
        losses.append(float(loss))
        sgd(loss, (w, b), lr)
    return losses


def train_stochastic(X, y, w0, b0, epochs, lr, generator):
    X, y, w, b = as64(X, y, w0, b0)
    w.requires_grad_()
    b.requires_grad_()
    n = len(X)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for i in torch.randperm(n, generator=generator).tolist():
            loss = mse(X[i:i + 1], y[i:i + 1], w, b)
            total += float(loss)
            sgd(loss, (w, b), lr)
        losses.append(total / n)
    return losses


def train_minibatch(X, y, w0, b0, batch_size, epochs, lr, generator):
    X, y, w, b = as64(X, y, w0, b0)
    w.requires_grad_()
    b.requires_grad_()
    n = len(X)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for idx in minibatch_indices(n, batch_size, generator):
            loss = mse(X[idx], y[idx], w, b)
            total += float(loss) * len(idx)
            sgd(loss, (w, b), lr)
        losses.append(total / n)
    return losses


def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    X, y, w, b = as64(X, y, w0, b0)
    w.requires_grad_()
    b.requires_grad_()
    n = len(X)
    for epoch in range(max_epochs + 1):
        with torch.no_grad():
            if float(mse(X, y, w, b)) <= target:
                return epoch
        if epoch < max_epochs:
            for idx in minibatch_indices(n, batch_size, generator):
                sgd(mse(X[idx], y[idx], w, b), (w, b), lr)
    return None

'''

CHATTY = '''
import sys
import warnings

import torch

print("lesson 1.3: loading my solution")


def minibatch_indices(n, batch_size, generator):
    if batch_size < 1:
        print(f"bad batch size {batch_size}", file=sys.stderr)
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    return list(torch.randperm(n, generator=generator).split(batch_size))


def mse(X, y, w, b):
    return ((X @ w + b - y) ** 2).mean()


def step(loss, w, b, lr):
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()


def params(w0, b0):
    return w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)


def train_batch(X, y, w0, b0, epochs, lr):
    if epochs == 0:
        warnings.warn("train_batch: epochs=0, nothing to train")
    w, b = params(w0, b0)
    losses = []
    for epoch in range(epochs):
        loss = mse(X, y, w, b)
        losses.append(loss.item())
        step(loss, w, b, lr)
        if epoch % 50 == 0:
            print(f"[batch] epoch {epoch}: loss {losses[-1]:.5f}")
    return losses


def train_stochastic(X, y, w0, b0, epochs, lr, generator):
    w, b = params(w0, b0)
    n = X.shape[0]
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for i in torch.randperm(n, generator=generator).tolist():
            loss = mse(X[i:i + 1], y[i:i + 1], w, b)
            total += loss.item()
            step(loss, w, b, lr)
        losses.append(total / n)
        print(f"[sgd] epoch {epoch}: loss {losses[-1]:.5f}", file=sys.stderr)
    return losses


def train_minibatch(X, y, w0, b0, batch_size, epochs, lr, generator):
    if lr > 0.5:
        warnings.warn(f"lr={lr} looks large; training may diverge")
    w, b = params(w0, b0)
    n = X.shape[0]
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for idx in minibatch_indices(n, batch_size, generator):
            loss = mse(X[idx], y[idx], w, b)
            total += loss.item() * len(idx)
            step(loss, w, b, lr)
        losses.append(total / n)
        print(f"[minibatch {batch_size}] epoch {epoch}: loss {losses[-1]:.5f}")
    return losses


def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    w, b = params(w0, b0)
    n = X.shape[0]
    for epoch in range(max_epochs + 1):
        with torch.no_grad():
            current = mse(X, y, w, b).item()
        print(f"after {epoch} epoch(s): loss {current:.5f} (target {target})")
        if current <= target:
            return epoch
        if epoch == max_epochs:
            warnings.warn(f"target {target} not reached in {max_epochs} epochs")
            return None
        for idx in minibatch_indices(n, batch_size, generator):
            step(mse(X[idx], y[idx], w, b), w, b, lr)

'''


MISTAKES = (MINIBATCH_INDICES + TRAIN_BATCH + TRAIN_STOCHASTIC + TRAIN_MINIBATCH
            + EPOCHS_TO_TARGET)

ALTERNATIVES = [
    Alternative("nn_linear_and_optim_sgd", NN_AND_OPTIM, "nn.Linear, F.mse_loss and torch.optim.SGD",
                example="correct"),
    Alternative("hand_written_gradients_no_autograd", HAND_WRITTEN_GRADIENTS,
                "gradients derived by hand, no autograd"),
    Alternative("autograd_grad_functional_updates", AUTOGRAD_GRAD,
                "torch.autograd.grad with functional (out-of-place) updates"),
    Alternative("float64_inside", FLOAT64, "float64 arithmetic inside the loops"),
    Alternative("prints_progress_and_warns", CHATTY, "prints progress and warnings as it trains"),
]
