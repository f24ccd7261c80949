"""train_epoch with each catalogued mistake switched on, to name the one a student made."""

from __future__ import annotations

import torch
import torch.nn.functional as F

MESSAGES = {
    "unscaled": "each micro-batch's loss is not weighted by its share of the step's samples "
                "(loss * len(micro) / len(step)), so accumulated gradients are a sum, not a mean",
    "zero_inside": "optimizer.zero_grad() runs inside the micro-batch loop: only the last micro-batch's "
                   "gradient reaches the step",
    "no_zero": "the gradients are never cleared (optimizer.zero_grad() before each step's micro-batches)",
    "step_each": "the optimiser steps after every micro-batch: accum_steps micro-batches make ONE step",
    "sched_micro": "the scheduler steps once per micro-batch; it steps once per optimiser step",
    "sched_epoch": "the scheduler steps once per epoch; it steps once per optimiser step",
    "clip_micro": "gradients are clipped per micro-batch (before accumulation ends); clip once, just "
                  "before optimizer.step(), as lesson 3.4 did",
    "no_clip": "max_norm is ignored: clip the global gradient norm (lesson 3.4's clip_grad_norm_) "
               "before optimizer.step()",
    "no_amp": "amp=True changes nothing: wrap the forward pass and the loss in "
              "torch.autocast('cpu', dtype=torch.bfloat16)",
    "last_loss": "the recorded loss is the last micro-batch's, not the step's sample-weighted mean",
    "sum_loss": "the recorded loss is the sum of the micro-batch losses, not their sample-weighted mean",
}


def sim_epoch(bugs: frozenset):
    def epoch(model, optimizer, scheduler, X, y, batch_size, generator, accum_steps=1, max_norm=None, amp=False):
        order = torch.randperm(X.shape[0], generator=generator)
        group = batch_size * accum_steps
        losses = []
        for start in range(0, X.shape[0], group):
            idx = order[start:start + group]
            if "no_zero" not in bugs:
                optimizer.zero_grad()
            total = 0.0
            last = 0.0
            for m in range(0, len(idx), batch_size):
                mb = idx[m:m + batch_size]
                if "zero_inside" in bugs:
                    optimizer.zero_grad()
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp and "no_amp" not in bugs):
                    loss = F.mse_loss(model(X[mb]), y[mb])
                share = len(mb) / len(idx)
                (loss * (1.0 if "unscaled" in bugs else share)).backward()
                total += loss.item() * (1.0 if "sum_loss" in bugs else share)
                last = loss.item()
                if "clip_micro" in bugs and max_norm is not None:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
                if "step_each" in bugs:
                    optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad()
                if "sched_micro" in bugs:
                    scheduler.step()
            if max_norm is not None and not bugs & {"no_clip", "clip_micro"}:
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            if "step_each" not in bugs:
                optimizer.step()
                if not bugs & {"sched_micro", "sched_epoch"}:
                    scheduler.step()
            losses.append(last if "last_loss" in bugs else total)
        if "sched_epoch" in bugs:
            scheduler.step()
        return losses
    return epoch
