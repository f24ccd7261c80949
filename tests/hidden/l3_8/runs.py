"""The small training runs lesson 3.8's checks drive: each function here is self-contained (it is
sent as source into the student process, where it sees only torch, math and the submission's
names) and is also called in the checker's process with the reference's or a simulated function."""

from __future__ import annotations

from typing import Any

import torch


def run_epochs(X, y, sizes, seed, lr, epochs, batch_size, accum_steps, max_norm, amp, epoch_fn=None):
    """Build a run (an MLP as nn.Sequential, AdamW, a warm-up + cosine LambdaLR, a generator) from
    `seed`, train `epochs` epochs with `train_epoch` (or `epoch_fn`), and report what happened."""
    import math
    from torch import nn
    step_fn = epoch_fn if epoch_fn is not None else train_epoch  # noqa: F821 (the student's)
    g = torch.Generator().manual_seed(seed)
    mods = []
    for i in range(len(sizes) - 1):
        mods += [nn.Linear(sizes[i], sizes[i + 1]), nn.Tanh()]
    model = nn.Sequential(*mods[:-1])
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 3) * 0.5 * (1 + math.cos(math.pi * min(s, 40) / 40)))
    X0, y0 = X.clone(), y.clone()
    losses = [step_fn(model, opt, sched, X, y, batch_size, g, accum_steps, max_norm, amp) for _ in range(epochs)]
    return {"losses": losses, "params": [p.detach().float().clone() for p in model.parameters()],
            "dtypes": [str(p.dtype).replace("torch.", "") for p in model.parameters()],
            "unchanged": bool(torch.equal(X, X0) and torch.equal(y, y0)),
            "steps": int(sched.last_epoch)}


def resume_part(X, y, seed, epochs, path, how, forget, extra=None):
    """One part of a checkpointed run. how="save": build a run from `seed`, train `epochs` epochs,
    save to `path` (the student's save_checkpoint when extra == "student", else the correct format).
    how="load": move `path` to `extra`, build a fresh run from `seed`, load (the student's
    load_checkpoint when forget is None, else the correct loader skipping the states in `forget`),
    train `epochs` more. how="straight": train `epochs` epochs without stopping."""
    import math
    import os
    from torch import nn
    g = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(X.shape[1], 12), nn.Tanh(), nn.Linear(12, 1))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    opt = torch.optim.AdamW(model.parameters(), lr=0.02, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 4) * 0.5 * (1 + math.cos(math.pi * min(s, 50) / 50)))

    def epoch() -> list:
        out = []
        order = torch.randperm(X.shape[0], generator=g)
        for start in range(0, X.shape[0], 8):
            idx = order[start:start + 8]
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(X[idx]), y[idx])
            loss.backward()
            opt.step()
            sched.step()
            out.append(loss.item())
        return out

    def snapshot() -> dict:
        moments = []
        for p in model.parameters():
            st = opt.state.get(p, {})
            moments.append(st["exp_avg"].clone() if "exp_avg" in st else None)
        return {"params": [p.detach().clone() for p in model.parameters()], "generator": g.get_state(),
                "scheduler": int(sched.last_epoch), "lr": float(opt.param_groups[0]["lr"]), "optimizer": moments}

    report = {"epoch": None, "keys": None}
    if how == "load":
        os.replace(path, extra)
        if forget is None:
            report["epoch"] = load_checkpoint(extra, model, opt, sched, g)  # noqa: F821 (the student's)
        else:
            state = torch.load(extra, weights_only=False)
            report["keys"] = sorted(str(k) for k in state) if isinstance(state, dict) else None
            if isinstance(state, dict):
                for key, target in (("model", model), ("optimizer", opt), ("scheduler", sched)):
                    if key in state and key not in forget:
                        target.load_state_dict(state[key])
                if "generator" in state and "generator" not in forget:
                    g.set_state(state["generator"])
                report["epoch"] = state.get("epoch")
        report["state"] = snapshot()
    losses = [epoch() for _ in range(epochs)]
    if how == "save":
        report["state"] = snapshot()
        if extra == "student":
            save_checkpoint(path, model, opt, sched, g, epochs)  # noqa: F821 (the student's)
        else:
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                        "scheduler": sched.state_dict(), "generator": g.get_state(), "epoch": epochs}, path)
    report["losses"] = losses
    report["params"] = [p.detach().clone() for p in model.parameters()]
    return report


def data(n: int, d: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    y = torch.sin(X @ torch.linspace(-1.0, 1.0, d).unsqueeze(1)) + 0.1 * torch.randn(n, 1, generator=g)
    return X, y


def local(fn, **names: Any):
    """`fn` rebuilt from its source with `names` (e.g. the reference's train_epoch) in scope, to run here."""
    from looplab.checks import driver
    return driver(fn).build(names)
