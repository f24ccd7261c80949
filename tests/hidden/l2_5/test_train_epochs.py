"""Hidden checks for `train_epochs`, the training loop over a data pipeline, with lesson 1.3's
equivalences through PyTorch's own DataLoader (never the student's make_loader, so a fault
there costs nothing here). The course's loop simulator (`linear_loop`, batches in order) names
the likely mistake."""

from looplab.checks import (as_float_list, assert_not_much_slower, assert_trajectory, describe, drive, expect,
                            expect_one_loss_per_epoch, expect_raises, expect_unchanged, gen, linear_data,
                            linear_loop, Mistakes, points)

from .pipeline import GLOBAL_SEED, in_order_batches, torch_loader, train_on_torch_loader

NAME = "train_epochs"
KNOWN = Mistakes({
    "record_after": "the loss is recorded after the update instead of just before it",
    "sum": "the batch loss is summed over its samples instead of averaged, so every step is too large",
    "no_zero_grad": "gradients are never cleared, so they pile up from step to step "
                    "(set w.grad = None, or call w.grad.zero_(), after each update)",
    "no_bias": "the bias b is never updated",
    "ascent": "the update adds the gradient instead of subtracting it",
    "unweighted": "the epoch loss is the plain mean of the batch losses; weight each batch loss by its size",
    "last_loss": "the epoch loss is the last batch's loss, not the mean over the epoch",
    "epoch_end_full": "the recorded loss is taken after the epoch, not as the mean of the losses before each update",
    "drop_last_n": "the epoch loss divides by N, the size of the data set, instead of the number of samples "
                   "the loader served in that epoch (with drop_last they differ)",
}, linear_loop)
CANDIDATES = tuple(KNOWN.messages)
SLOW_HINT = ("a Python loop over the samples of each batch is the usual cause: compute the batch loss "
             "on the whole X_batch at once, one tensor operation for all B samples")


def _diagnose(got, X, y, w0, b0, batch_size, epochs, lr, drop_last=False, full=False):
    bugs = {"no_shuffle"} | ({"drop_last"} if drop_last else set())
    return lambda: KNOWN.diagnose(got, CANDIDATES, X=X, y=y, w0=w0, b0=b0,
                                  batch_size=None if full else batch_size, epochs=epochs, lr=lr,
                                  bugs=frozenset(bugs))


def _in_order(X, y, w0, b0, batch_size, epochs, lr, drop_last=False) -> list[float]:
    """What lesson 1.3's loop gives on the batches in order (float64 simulation)."""
    bugs = {"no_shuffle"} | ({"drop_last"} if drop_last else set())
    return linear_loop(X, y, w0, b0, batch_size=batch_size, epochs=epochs, lr=lr, bugs=frozenset(bugs))


@points(NAME, 1)
def test_matches_reference_on_a_list_of_batches(student, reference, record_curve):
    for n, d, batch_size, epochs, lr, seed in [(50, 2, 16, 5, 0.05, 1), (36, 4, 6, 4, 0.03, 2)]:
        X, y, w0, b0 = linear_data(n, d, seed=seed)
        batches = in_order_batches(X, y, batch_size)
        got = as_float_list(student.call(NAME, batches, w0, b0, epochs, lr)["result"], NAME)
        want = reference.train_epochs(in_order_batches(X.clone(), y.clone(), batch_size), w0.clone(), b0.clone(),
                                      epochs, lr)
        if seed == 1:
            record_curve(NAME, f"{NAME} (N={n}, batch_size={batch_size})", got, want)
        assert_trajectory(got, want, what=NAME, rtol=2e-4,
                          setting=describe(N=n, d=d, batch_size=batch_size, epochs=epochs, lr=lr)
                          + ", a list of batches in order, the last one smaller",
                          diagnose=_diagnose(got, X, y, w0, b0, batch_size, epochs, lr))


@points(NAME, 1)
def test_full_batch_loader_is_full_batch_gradient_descent(student):
    X, y, w0, b0 = linear_data(32, 3, seed=9)
    got = as_float_list(drive(student, NAME, train_on_torch_loader, X, y, w0, b0, 32, False, False, 0, 8, 0.1), NAME)
    want = linear_loop(X, y, w0, b0, batch_size=None, epochs=8, lr=0.1)
    assert_trajectory(got, want, what=f"{NAME} on DataLoader(TensorDataset(X, y), batch_size=N)", rtol=2e-4,
                      against="full-batch gradient descent (lesson 1.3's train_batch)",
                      setting="N=32, d=3, epochs=8, lr=0.1, no shuffling: one batch of all samples is "
                              "full-batch gradient descent, so the two must agree",
                      diagnose=_diagnose(got, X, y, w0, b0, 32, 8, 0.1, full=True))


@points(NAME, 1)
def test_batch_size_one_loader_is_sgd_in_order(student):
    X, y, w0, b0 = linear_data(24, 2, seed=10)
    got = as_float_list(drive(student, NAME, train_on_torch_loader, X, y, w0, b0, 1, False, False, 0, 3, 0.05), NAME)
    want = _in_order(X, y, w0, b0, 1, 3, 0.05)
    assert_trajectory(got, want, what=f"{NAME} on DataLoader(TensorDataset(X, y), batch_size=1)", rtol=2e-4,
                      against="stochastic gradient descent in the order 0..N-1",
                      setting="N=24, d=2, epochs=3, lr=0.05, no shuffling: batches of one sample are "
                              "stochastic gradient descent, so the two must agree",
                      diagnose=_diagnose(got, X, y, w0, b0, 1, 3, 0.05))


@points(NAME, 0.5)
def test_drop_last_averages_over_the_samples_seen(student):
    X, y, w0, b0 = linear_data(30, 2, seed=11)
    got = as_float_list(drive(student, NAME, train_on_torch_loader, X, y, w0, b0, 8, False, True, 0, 4, 0.05), NAME)
    want = _in_order(X, y, w0, b0, 8, 4, 0.05, drop_last=True)
    assert_trajectory(got, want, what=f"{NAME} on DataLoader(..., batch_size=8, drop_last=True)", rtol=2e-4,
                      setting="N=30, d=2, epochs=4, lr=0.05, no shuffling: 3 batches of 8, the last 6 samples "
                              "sit out, and the epoch loss is the mean over the 24 samples seen",
                      diagnose=_diagnose(got, X, y, w0, b0, 8, 4, 0.05, drop_last=True))


@points(NAME, 0.5)
def test_shuffled_loader_matches_reference_on_the_same_loader(student, reference):
    X, y, w0, b0 = linear_data(45, 3, seed=12)
    got = as_float_list(drive(student, NAME, train_on_torch_loader, X, y, w0, b0, 8, True, False, 3, 5, 0.05,
                              global_seed=GLOBAL_SEED), NAME)
    want = reference.train_epochs(torch_loader(X.clone(), y.clone(), 8, True, False, 3), w0.clone(), b0.clone(), 5, 0.05)
    assert_trajectory(got, want, what=f"{NAME} on DataLoader(..., batch_size=8, shuffle=True, generator seeded 3)",
                      rtol=2e-4, setting="N=45, d=3, epochs=5, lr=0.05; a new order every epoch, the last batch of 5")


@points(NAME, 0.5)
def test_zero_epochs_plain_floats_and_inputs_unchanged(student):
    X, y, w0, b0 = linear_data(12, 2, seed=3)
    batches = in_order_batches(X, y, 5)
    expect_one_loss_per_epoch(student, NAME, lambda e: (batches, w0, b0, e, 0.05))
    reply = expect_unchanged(student, NAME, (batches, w0, b0, 2, 0.05), ["loader", "w0", "b0"])
    again = student.call(NAME, batches, w0, b0, 2, 0.05, global_seed=GLOBAL_SEED + 1)["result"]
    expect(again == reply["result"], f"{NAME} gave other losses on the same batches when only the global seed "
                                     f"changed; it uses no randomness of its own")
    for k, (after, before) in enumerate(zip(reply["args_after"][0], batches)):
        expect(all(a.shape == b.shape and (a == b).all() for a, b in zip(after, before)),
               f"{NAME} changed batch {k} of the loader in place; leave the data as it is")


@points(NAME, 0.5)
def test_an_epoch_without_batches_raises_value_error(student):
    X, y, w0, b0 = linear_data(6, 2, seed=4)
    expect_raises(student, NAME, ([], w0, b0, 2, 0.1), "ValueError", setting="loader=[] (no batches), epochs=2",
                  hint="an epoch with nothing to train on has no loss to record")


@points(NAME, 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        X, y, w0, b0 = linear_data(8192, 8, seed=500 + r)
        return (in_order_batches(X, y, 256), w0, b0, 3, 0.01)
    assert_not_much_slower(student, reference_process, NAME, make_args,
                           workload="N=8192, d=8, batches of 256, 3 epochs", hint=SLOW_HINT)
