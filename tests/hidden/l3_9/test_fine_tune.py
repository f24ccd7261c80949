"""Hidden checks for `fine_tune`: the reference's losses and layers in several settings, the
frozen backbone bit for bit, the contract, and transfer beating training from scratch."""

from __future__ import annotations

import functools

import torch
from torch import Tensor

from looplab.checks import (as_float_list, assert_tensor, assert_trajectory, describe, expect_raises,
                            fail, fresh_all, gen, kind, likely, points)

NAME = "fine_tune"
KEYS = ("backbone", "head", "losses")


def read(value: object, setting: str) -> tuple[list[Tensor], list[Tensor], list[float]]:
    """(backbone tensors, head tensors, losses), or a failure saying what is off."""
    if type(value) is not dict or any(k not in value for k in KEYS):
        fail(f"{NAME} returned a {kind(value)}"
             + (f" with the keys {sorted(map(str, value))[:6]}" if isinstance(value, dict) else "")
             + f" ({setting}); the contract asks for a dict with the keys 'backbone', 'head', 'losses'")
    flat = []
    for part in ("backbone", "head"):
        layers = value[part]
        if not isinstance(layers, (list, tuple)) or not all(isinstance(l, (list, tuple)) and len(l) == 2 and
                                                            all(isinstance(t, Tensor) for t in l) for l in layers):
            fail(f"{NAME}[{part!r}] is a {kind(layers)}, not a list of (W, b) tensor pairs ({setting})")
        flat.append([t for layer in layers for t in layer])
    return flat[0], flat[1], as_float_list(value["losses"], f"{NAME}['losses']")


def case(seed: int, n: int, sizes: list[int], head_out: int) -> tuple:
    g = gen(seed)
    X = torch.randn(n, sizes[0], generator=g)
    y = torch.randint(0, head_out, (n,), generator=g)
    bb = [(torch.randn(i, o, generator=g) / i ** 0.5, 0.1 * torch.randn(o, generator=g))
          for i, o in zip(sizes[:-1], sizes[1:])]
    hd = [(torch.randn(sizes[-1], head_out, generator=g) / sizes[-1] ** 0.5, torch.zeros(head_out))]
    return bb, hd, X, y


def names(n_backbone: int, n_head: int) -> list[str]:
    return [f"{part} {t}_{k}" for part, n in (("backbone", n_backbone), ("head", n_head))
            for k in range(1, n + 1) for t in ("W", "b")]


def compare(student, reference, bb, hd, X, y, epochs, batch_size, head_lr, backbone_lr, seed, momentum=0.9,
            **extra) -> dict:
    args = (bb, hd, X, y, epochs, batch_size, head_lr, backbone_lr, gen(seed), momentum)
    setting = describe(N=X.shape[0], backbone=[bb[0][0].shape[0]] + [W.shape[1] for W, _ in bb], epochs=epochs,
                       batch_size=batch_size, head_lr=head_lr, backbone_lr=backbone_lr, momentum=momentum, **extra)
    want = reference.fine_tune(*fresh_all(args))
    got = student.fine_tune(*fresh_all(args))
    g_bb, g_hd, g_losses = read(got, setting)
    w_bb = [t for layer in want["backbone"] for t in layer]
    w_hd = [t for layer in want["head"] for t in layer]
    if len(g_losses) != epochs:
        fail(f"{setting}: {len(g_losses)} losses for {epochs} epochs; the contract asks for one per epoch")
    assert_trajectory(g_losses, want["losses"], what="the epoch losses", setting=setting, rtol=1e-4, atol=1e-6,
                      diagnose=lambda: diagnose_losses(g_losses, bb, hd, X, y, epochs, batch_size, head_lr,
                                                       backbone_lr, seed, momentum, reference))
    labels = names(len(bb), len(hd))
    for label, g, w in zip(labels, g_bb + g_hd, w_bb + w_hd):
        assert_tensor(g, w, what=f"the trained {label}", setting=setting, rtol=1e-4, atol=1e-5)
    return got


def diagnose_losses(got, bb, hd, X, y, epochs, batch_size, head_lr, backbone_lr, seed, momentum,
                    reference) -> str:
    """Name the likely mistake when the losses differ (simulated with the reference's helpers)."""
    import torch.nn.functional as F
    if not got:
        return None

    def sim(after_update=False, sum_of_means=False, rates_swapped=False, no_momentum=False, train_all=False,
            never_cleared=False, optimiser_per_epoch=False):
        b = [(W.clone(), c.clone()) for W, c in bb]
        h = [(W.clone(), c.clone()) for W, c in hd]
        blr, hlr = (head_lr, backbone_lr) if rates_swapped else (backbone_lr, head_lr)
        if train_all:
            blr = hlr
        if hlr <= 0:
            return None
        opt = torch.optim.SGD(reference.param_groups(b, h, hlr, blr), lr=hlr, momentum=0.0 if no_momentum else momentum)
        g = gen(seed)
        losses = []
        n = X.shape[0]
        for _ in range(epochs):
            if optimiser_per_epoch:
                opt = torch.optim.SGD(reference.param_groups(b, h, hlr, blr), lr=hlr, momentum=momentum)
            order = torch.randperm(n, generator=g)
            total, count = 0.0, 0
            for s in range(0, n, batch_size):
                idx = order[s:s + batch_size]
                loss = F.cross_entropy(reference.mlp_forward(X[idx], b + h, "relu"), y[idx])
                if not never_cleared:
                    opt.zero_grad()
                loss.backward()
                opt.step()
                if after_update:
                    with torch.no_grad():
                        loss = F.cross_entropy(reference.mlp_forward(X[idx], b + h, "relu"), y[idx])
                total += loss.item() * (1 if sum_of_means else len(idx))
                count += 1
            losses.append(total / (count if sum_of_means else n))
        return losses

    causes = [
        (dict(after_update=True), "the loss is recorded after the update; record it before opt.step()"),
        (dict(sum_of_means=True), "the epoch loss is the plain mean of the batch losses; weight each by its "
                                  "batch size (the last batch is smaller)"),
        (dict(rates_swapped=True), "head_lr and backbone_lr are swapped"),
        (dict(no_momentum=True), "the momentum is not passed to torch.optim.SGD"),
        (dict(never_cleared=True), "the gradients are never cleared: call optimiser.zero_grad() before "
                                   "each backward(), or they add up across steps"),
        (dict(optimiser_per_epoch=True), "the optimiser is built again every epoch, which throws its momentum "
                                         "buffers away: build it once, before the first epoch"),
        (dict(train_all=True), "the backbone trains at the head's rate: its own rate (or the freeze) is lost"),
    ]
    from looplab.checks import same_trajectory
    for flags, cause in causes:
        simulated = sim(**flags)
        if simulated is not None and same_trajectory(got, simulated, rtol=1e-4, atol=1e-6):
            return cause
    return None


@points(NAME, 2)
def test_matches_reference(student, reference):
    bb, hd, X, y = case(0, 30, [5, 8, 6], 3)
    compare(student, reference, bb, hd, X, y, 4, 8, 0.1, 0.0, seed=1)  # frozen, partial last batch
    compare(student, reference, bb, hd, X, y, 3, 8, 0.1, 0.01, seed=2)  # two rates
    bb, hd, X, y = case(3, 20, [4, 6, 6, 5], 4)
    compare(student, reference, bb, hd, X, y, 3, 7, 0.05, 0.05, seed=4)  # one rate for everything
    compare(student, reference, bb, hd, X, y, 3, 50, 0.2, 0.02, seed=5, momentum=0.0)  # one batch, no momentum


@points(NAME, 1)
def test_frozen_backbone_bit_for_bit(student):
    bb, hd, X, y = case(6, 24, [5, 7, 6], 3)
    setting = describe(N=24, epochs=5, batch_size=6, head_lr=0.5, backbone_lr=0.0)
    g_bb, g_hd, _ = read(student.fine_tune(bb, hd, X, y, 5, 6, 0.5, 0.0, gen(7)), setting)
    for label, g, w in zip(names(len(bb), 1), g_bb, [t for layer in bb for t in layer]):
        if g.shape != w.shape or not torch.equal(g.to(w.dtype), w):
            worst = (g - w).abs().max().item() if g.shape == w.shape else float("nan")
            fail(f"{setting}: the frozen {label} changed (largest change {worst:.3g}); a frozen backbone must "
                 f"come back bit for bit as given"
                 + likely("the backbone is trained or decayed although backbone_lr=0: freeze it with "
                          "requires_grad_(False) and leave it out of the optimiser"))
    if all(torch.equal(g, w) for g, w in zip(g_hd, [t for layer in hd for t in layer])):
        fail(f"{setting}: the head came back unchanged; it should have been trained")


@points(NAME, 1)
def test_inputs_unchanged_and_zero_epochs(student, reference):
    bb, hd, X, y = case(8, 16, [4, 5], 2)
    args = (bb, hd, X, y, 3, 4, 0.1, 0.01, gen(9))
    after = student.call(NAME, *fresh_all(args), return_args=True)["args_after"]
    for label, before, now in (("backbone", bb, after[0]), ("head", hd, after[1]), ("X", [X], [after[2]]),
                               ("y", [y], [after[3]])):
        flat_before = [t for item in before for t in (item if isinstance(item, tuple) else (item,))]
        flat_now = [t for item in now for t in (item if isinstance(item, (tuple, list)) else (item,))]
        if len(flat_before) != len(flat_now) or not all(
                isinstance(a, Tensor) and a.shape == b.shape and torch.equal(a.detach().to(b.dtype), b)
                for a, b in zip(flat_now, flat_before)):
            fail(f"{NAME} changed its input `{label}` in place (backbone_lr=0.01, 3 epochs)"
                 + likely("the caller's layers are trained in place: train copies, "
                          "W.detach().clone(), as the contract says"))
    setting = describe(epochs=0)
    g_bb, g_hd, losses = read(student.fine_tune(bb, hd, X, y, 0, 4, 0.1, 0.01, gen(9)), setting)
    if losses:
        fail(f"{setting}: expected no losses, got {losses[:3]}")
    for g, w in zip(g_bb + g_hd, [t for layer in bb + hd for t in layer]):
        assert_tensor(g, w, what="a layer after zero epochs", setting=setting, rtol=0, atol=0)


@points(NAME, 1)
def test_randomness_only_from_the_generator(student):
    bb, hd, X, y = case(10, 20, [4, 5], 3)
    args = (bb, hd, X, y, 2, 6, 0.1, 0.01, gen(11))
    runs = [read(student.call(NAME, *fresh_all(args), global_seed=s)["result"], "global seeds 1 and 2")
            for s in (1, 2)]
    if runs[0][2] != runs[1][2]:
        fail(f"two calls with the same generator but different global seeds gave different losses "
             f"({runs[0][2][:2]} and {runs[1][2][:2]})"
             + likely("the shuffle uses the global random state: pass generator= to torch.randperm"))


@functools.lru_cache(maxsize=1)
def lesson_target(reference):
    """The lesson's transfer problem: the backbone pretrained on the source task, 40 target points."""
    source_X, source_y = reference.make_task(1000, "source", torch.Generator().manual_seed(0))
    pretrained = reference.pretrain(source_X, source_y, [10, 32, 32, 12], 100, 0.01, torch.Generator().manual_seed(1))
    X, y = reference.make_task(40, "target", torch.Generator().manual_seed(3))
    test = reference.make_task(1000, "target", torch.Generator().manual_seed(4))
    return pretrained[:-1], X, y, test


@points(NAME, 1)
def test_fine_tuning_beats_training_from_scratch(student, reference):
    import torch.nn.functional as F
    backbone, X, y, (test_X, test_y) = lesson_target(reference)
    head = reference.init_mlp([32, 4], torch.Generator().manual_seed(10))
    scratch = reference.init_mlp([10, 32, 32, 4], torch.Generator().manual_seed(20))
    setting = describe(task="the lesson's target task, 40 points", epochs=30, batch_size=10, head_lr=1e-3)
    scores = {}
    for label, bb, hd, blr in (("pretrained backbone, frozen", backbone, head, 0.0),
                               ("the same network from scratch", scratch[:-1], scratch[-1:], 1e-3)):
        g_bb, g_hd, _ = read(student.fine_tune(bb, hd, X, y, 30, 10, 1e-3, blr, gen(5)), setting)
        layers = list(zip(g_bb[0::2], g_bb[1::2])) + list(zip(g_hd[0::2], g_hd[1::2]))
        with torch.no_grad():
            logits = reference.mlp_forward(test_X, layers, "relu")
            scores[label] = (F.cross_entropy(logits, test_y).item(), (logits.argmax(1) == test_y).float().mean().item())
    (ft_loss, ft_acc), (sc_loss, sc_acc) = scores.values()
    if not (ft_loss < sc_loss and ft_acc > sc_acc + 0.2):
        fail(f"{setting}: held-out loss/accuracy {ft_loss:.3f}/{ft_acc:.3f} fine-tuned, {sc_loss:.3f}/{sc_acc:.3f} "
             f"from scratch; the pretrained backbone should win clearly (the reference: about 0.85/0.70 "
             f"against 1.41/0.22)")


@points(NAME, 1)
def test_bad_input_raises_value_error(student):
    bb, hd, X, y = case(12, 10, [3, 4], 2)
    for args, what in (((bb, hd, X, y, 2, 0, 0.1, 0.0, gen(0)), "batch_size=0"),
                       ((bb, hd, X, y, -1, 4, 0.1, 0.0, gen(0)), "epochs=-1"),
                       ((bb, hd, X, y, 2, 4, 0.1, -0.5, gen(0)), "backbone_lr=-0.5")):
        expect_raises(student, NAME, args, "ValueError", setting=what)
