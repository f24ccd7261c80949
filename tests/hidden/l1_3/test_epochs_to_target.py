"""Hidden checks for `epochs_to_target` (epochs to reach a target loss on 10,000 samples)."""

import torch

from looplab.checks import (as_int, expect, expect_raises, expect_unchanged, fail, gen, likely, linear_data,
                            points)

from .mistakes import GLOBAL_SEED

N = 10_000
SETTINGS = [  # batch_size, lr, target, max_epochs
    (100, 0.05, 0.05, 20),
    (2000, 0.05, 0.05, 60),
    (N, 0.1, 0.5, 100),
]


@points("epochs_to_target", 1)
def test_matches_reference_on_ten_thousand_samples(student, reference):
    X, y, w0, b0 = linear_data(N, 4, seed=31)
    for batch_size, lr, target, max_epochs in SETTINGS:
        args = (X, y, w0, b0, batch_size, lr, target, max_epochs)
        got = as_int(student.call("epochs_to_target", *args, gen(1), global_seed=GLOBAL_SEED)["result"],
                     "epochs_to_target", optional=True)
        want = reference.epochs_to_target(*args, gen(1))
        if got != want:
            hint = ""
            if isinstance(got, int) and isinstance(want, int):
                hint = likely("the count is off by one; return the number of completed "
                              "epochs, 0 when the initial parameters already reach the target"
                              if abs(got - want) == 1 else
                              "the training steps differ from train_minibatch, or the "
                              "loss is not measured over all the data after each epoch")
            fail(f"epochs_to_target returned {got}, expected {want} (N={N}, batch_size={batch_size}, "
                 f"lr={lr}, target={target}, max_epochs={max_epochs})" + hint)


@points("epochs_to_target", 1)
def test_zero_when_already_reached_and_none_when_unreachable(student, reference):
    X, y, w0, b0 = linear_data(200, 2, seed=32)
    start = float(((X @ w0 + b0 - y) ** 2).mean())
    got = as_int(student.epochs_to_target(X, y, w0, b0, 16, 0.05, start * 1.01, 5, gen(1)),
                 "epochs_to_target", optional=True)
    expect(got == 0, f"epochs_to_target returned {got} for a target above the initial loss "
                     f"({start * 1.01:.4g} > {start:.4g}); expected 0: no training is needed")
    floor = 0.1 ** 2  # the data's noise variance: no linear model gets far below it
    got = as_int(student.epochs_to_target(X, y, w0, b0, 16, 0.05, floor / 100, 3, gen(1)),
                 "epochs_to_target", optional=True)
    expect(got is None, f"epochs_to_target returned {got} for a target far below the noise floor "
                        f"({floor / 100:.2g}) with max_epochs=3; expected None")


@points("epochs_to_target", 1)
def test_inputs_unchanged_and_only_generator(student, reference):
    X, y, w0, b0 = linear_data(30, 2, seed=7)
    expect_unchanged(student, "epochs_to_target", (X, y, w0, b0, 8, 0.05, 0.02, 3, gen(1)),
                     ["X", "y", "w0", "b0"])
    X, y, w0, b0 = linear_data(300, 2, seed=33)
    args = (X, y, w0, b0, 4, 0.01, 0.0105, 30)
    replies = [student.call("epochs_to_target", *args, gen(3), global_seed=s, return_args=True)
               for s in (1, 2)]
    runs = {r["result"] for r in replies}
    expect(len(runs) == 1, f"epochs_to_target gave {sorted(runs, key=str)} for the same generator "
                           f"seed under different global seeds: use only `generator` for randomness")
    # a count rarely shows the shuffle order, but the generator's state does: it must
    # have advanced exactly as the reference's (one randperm per epoch trained)
    used = gen(3)
    reference.epochs_to_target(*args, used)
    after = replies[0]["args_after"][-1]
    expect(isinstance(after, torch.Generator) and torch.equal(after.get_state(), used.get_state()),
           "epochs_to_target did not draw from `generator` like the reference (one "
           "torch.randperm(n, generator=generator) per epoch, through minibatch_indices): "
           "use only `generator` for randomness, and draw nothing else from it")


@points("epochs_to_target", 1)
def test_batch_size_below_one_raises_even_when_no_epoch_is_needed(student):
    X, y, w0, b0 = linear_data(20, 2, seed=34)
    start = float(((X @ w0 + b0 - y) ** 2).mean())
    for batch_size, target in ((0, start * 2), (0, -1.0), (-4, start * 2)):
        expect_raises(student, "epochs_to_target", (X, y, w0, b0, batch_size, 0.05, target, 3, gen(1)),
                      "ValueError", setting=f"batch_size={batch_size}, target={target:.3g}, max_epochs=3",
                      hint="check `if batch_size < 1: raise ValueError(...)` before anything else, "
                           "even when the initial parameters already reach the target")
