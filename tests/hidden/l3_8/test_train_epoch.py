"""Hidden checks for `train_epoch`: step losses and final parameters equal the reference's (plain,
accumulated with a partial last step and clipping, a batch larger than the data); accum_steps=k with
batch b trains like accum_steps=1 with batch k*b; bfloat16 autocast stays within 3% of float32 and
keeps float32 parameters; one plain-float loss per optimiser step; X and y unchanged; randomness only
from the generator; ValueError for bad sizes."""

from __future__ import annotations

import warnings

import torch

from looplab.checks import (StudentError, as_float_list, describe, drive, expect, fail, likely, points,
                            same_trajectory, unfinished)

from .runs import data, local, run_epochs
from .sims import MESSAGES, sim_epoch

NAME = "train_epoch"
SIZES = [4, 16, 1]


def read(result: dict, epochs: int, what: str = NAME) -> list[float]:
    losses = result["losses"]
    if not isinstance(losses, list) or len(losses) != epochs:
        fail(f"{what}: the run made {len(losses) if isinstance(losses, list) else '?'} calls, expected {epochs}")
    flat = []
    for e, row in enumerate(losses):
        flat += as_float_list(row, f"{what} (epoch {e})")
    return flat


def settings(**kw) -> dict:
    base = dict(n=40, seed=1, lr=0.02, epochs=3, batch_size=8, accum_steps=1, max_norm=None, amp=False)
    base.update(kw)
    return base


def run(student_or_fn, s: dict, global_seed: int = 0) -> dict:
    X, y = data(s["n"], SIZES[0], 100 + s["seed"])
    args = (X, y, SIZES, s["seed"], s["lr"], s["epochs"], s["batch_size"], s["accum_steps"], s["max_norm"], s["amp"])
    if callable(student_or_fn):
        return local(run_epochs, train_epoch=student_or_fn)(*args)
    return drive(student_or_fn, NAME, run_epochs, *args, global_seed=global_seed)


def setting_text(s: dict) -> str:
    return describe(N=s["n"], sizes=SIZES, batch_size=s["batch_size"], accum_steps=s["accum_steps"],
                    max_norm=s["max_norm"], amp=s["amp"], epochs=s["epochs"])


def name_mistake(got: list[float], s: dict) -> str:
    with warnings.catch_warnings():  # a simulated mistake may step the scheduler first; torch warns about it
        warnings.simplefilter("ignore")
        return _name_mistake(got, s)


def _name_mistake(got: list[float], s: dict) -> str:
    for bug, message in MESSAGES.items():
        try:
            sim = [v for row in run(sim_epoch(frozenset({bug})), s)["losses"] for v in row]
        except RuntimeError:
            continue
        want = [v for row in run(sim_epoch(frozenset()), s)["losses"] for v in row]
        if same_trajectory(got, sim, 2e-4, 1e-6) and not same_trajectory(sim, want, 2e-4, 1e-6):
            return likely(message)
    return ""


def expect_reference(student, reference, s: dict) -> None:
    got = run(student, s)
    losses = read(got, s["epochs"])
    want = run(reference.train_epoch, s)
    want_losses = [v for row in want["losses"] for v in row]
    setting = setting_text(s)
    if len(losses) != len(want_losses):
        fail(f"{NAME} recorded {len(losses)} losses over {s['epochs']} epochs, expected {len(want_losses)}: "
             f"one per optimiser step, where a step takes batch_size * accum_steps samples and the last step "
             f"may take fewer ({setting})" + name_mistake(losses, s))
    for i, (g, w) in enumerate(zip(losses, want_losses)):
        if abs(g - w) > 1e-6 + 1e-4 * abs(w):
            fail(f"{NAME}: step {i} loss {g:.6g}, reference {w:.6g} ({setting})" + name_mistake(losses, s))
    for k, (p, q) in enumerate(zip(got["params"], want["params"])):
        if not torch.allclose(p.double(), q.double(), rtol=1e-4, atol=1e-6):
            fail(f"{NAME}: after training, parameter {k} differs from the reference's by up to "
                 f"{(p.double() - q.double()).abs().max().item():.3g} though the losses agree ({setting}); "
                 f"likely mistake: the last step's update or clipping differs")


@points(NAME, 3)
def test_matches_reference_plain_accumulated_and_clipped(student, reference):
    expect_reference(student, reference, settings())
    expect_reference(student, reference, settings(n=46, batch_size=4, accum_steps=3, max_norm=0.3, epochs=2))
    expect_reference(student, reference, settings(n=10, batch_size=16, accum_steps=2, epochs=4))


@points(NAME, 1)
def test_accumulation_trains_like_one_big_batch(student):
    small = settings(n=36, batch_size=3, accum_steps=4, max_norm=0.5)
    big = settings(n=36, batch_size=12, accum_steps=1, max_norm=0.5)
    a, b = read(run(student, small), 3), read(run(student, big), 3)
    if not (len(a) == len(b) and same_trajectory(a, b, 1e-4, 1e-6)):
        fail(f"{NAME} with batch_size=3, accum_steps=4 gave losses {[round(v, 5) for v in a[:4]]}..., but with "
             f"batch_size=12, accum_steps=1 {[round(v, 5) for v in b[:4]]}...: four accumulated micro-batches of "
             f"3 must give the gradient of one batch of 12 (N=36, max_norm=0.5)" + name_mistake(a, small))


@points(NAME, 2)
def test_bfloat16_autocast_is_close_to_float32_and_keeps_float32_parameters(student, reference):
    s = settings(amp=True, epochs=4)
    got = run(student, s)
    losses = read(got, s["epochs"])
    setting = setting_text(s)
    bad = [d for d in got["dtypes"] if d != "float32"]
    expect(not bad, f"{NAME} with amp=True left parameters of dtype {bad[0] if bad else ''} ({setting}); "
                    f"likely mistake: the model was cast to bfloat16 (model.to(torch.bfloat16) or .half()); "
                    f"autocast runs the matmuls in bfloat16 while the parameters, their gradients and the "
                    f"optimiser state stay float32")
    full = [v for row in run(reference.train_epoch, settings(epochs=4))["losses"] for v in row]
    expect(len(losses) == len(full), f"{NAME} with amp=True recorded {len(losses)} losses, expected "
                                      f"{len(full)} ({setting})")
    expect(not same_trajectory(losses, full, 1e-7, 0.0),
           f"{NAME} with amp=True gave exactly the float32 losses ({setting}); likely mistake: {MESSAGES['no_amp']}")
    worst = max(abs(g - w) / abs(w) for g, w in zip(losses, full))
    if worst > 0.03:
        fail(f"{NAME} with amp=True strays {worst:.1%} from the float32 run; within 3% is "
             f"expected over these {len(full)} steps ({setting})" + name_mistake(losses, s))
    want = [v for row in run(reference.train_epoch, s)["losses"] for v in row]
    for i, (g, w) in enumerate(zip(losses, want)):
        if abs(g - w) > 1e-5 + 2e-3 * abs(w):
            fail(f"{NAME} with amp=True: step {i} loss {g:.6g}, the reference's autocast run {w:.6g} "
                 f"({setting}); autocast should cover the forward pass and the loss" + name_mistake(losses, s))


@points(NAME, 1)
def test_contract_floats_inputs_unchanged_and_generator_only(student):
    s = settings(n=20, epochs=2)
    one, two = run(student, s, global_seed=1), run(student, s, global_seed=2)
    for e, row in enumerate(one["losses"]):
        as_float_list(row, f"{NAME}'s losses (epoch {e})", strict=True)
    expect(one["unchanged"], f"{NAME} changed X or y in place; never modify the data you are given "
                             f"({setting_text(s)})")
    expect(one["losses"] == two["losses"],
           f"{NAME} gave other losses when torch's global seed changed ({setting_text(s)}): its only randomness "
           f"must be the shuffle drawn from `generator` (torch.randperm(N, generator=generator))")


@points(NAME, 1)
def test_bad_sizes_raise_value_error(student):
    def bad(X, y, batch_size, accum_steps, max_norm):
        from torch import nn
        model = nn.Linear(2, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
        return train_epoch(model, opt, sched, X, y, batch_size, torch.Generator(), accum_steps, max_norm)  # noqa: F821
    X, y = torch.zeros(4, 2), torch.zeros(4, 1)
    for bs, k, c in ((0, 1, None), (2, 0, None), (2, 1, 0.0)):
        try:
            drive(student, NAME, bad, X, y, bs, k, c)
        except StudentError as err:
            if unfinished(err):
                raise
            if err.type == "ValueError":
                continue
            fail(f"{NAME}(batch_size={bs}, accum_steps={k}, max_norm={c}) raised {err.type}; the contract "
                 f"asks for ValueError")
        fail(f"{NAME}(batch_size={bs}, accum_steps={k}, max_norm={c}) returned instead of raising ValueError: "
             f"batch_size and accum_steps must be at least 1 and max_norm positive or None")
