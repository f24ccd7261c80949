"""Lesson 3.7's known mistakes, reproduced so that a failing check can name the one it sees.

`augment(..., mistake=)` and `smoothed(..., mistake=)` are the reference with one switch
thrown; `fit_messages` names the loop's mistakes, which `test_fit_early_stopping` reproduces
by running the reference's loop text with one change (see `FIT_EDITS`).
"""

from __future__ import annotations

import torch

from looplab.checks import Mistakes

AUGMENT = {
    "flip_rows": "the image is mirrored upside down (flip(-2), along H); mirror it left-right, along W (flip(-1))",
    "wraps": "the shift wraps pixels around (torch.roll); bring in zeros instead (pad with zeros, then crop)",
    "reversed": "the shift moves the image the wrong way: out[i, r, c] = img[r - dy, c - dx], so positive "
                "shift[i, 0] moves it down and positive shift[i, 1] moves it right",
    "draw_order": "the random draws are in another order; draw flip, then shift, then noise",
    "one_flip": "one flip decision for the whole batch; draw one per image: torch.rand(N, generator=generator)",
    "noise_first": "the noise is added before the shift (so the zeros brought in are noisy too); add it last",
}


def augment(x, y, seed, flip_prob, max_shift, noise_std, mistake=None):
    generator = torch.Generator().manual_seed(seed)
    N, H, W = x.shape
    if mistake == "draw_order":
        noise = torch.randn(x.shape, generator=generator, dtype=x.dtype)
        flip = torch.rand(N, generator=generator) < flip_prob
        shift = torch.randint(-max_shift, max_shift + 1, (N, 2), generator=generator)
    else:
        flip = torch.rand(1 if mistake == "one_flip" else N, generator=generator) < flip_prob
        flip = flip.expand(N)
        shift = torch.randint(-max_shift, max_shift + 1, (N, 2), generator=generator)
        noise = torch.randn(x.shape, generator=generator, dtype=x.dtype)
    img = torch.where(flip[:, None, None], x.flip(-2 if mistake == "flip_rows" else -1), x)
    if mistake == "noise_first":
        img = img + noise_std * noise
    if mistake == "reversed":
        shift = -shift
    out = torch.zeros_like(img)
    for i in range(N):
        dy, dx = int(shift[i, 0]), int(shift[i, 1])
        if mistake == "wraps":
            out[i] = torch.roll(img[i], (dy, dx), dims=(0, 1))
            continue
        out[i, max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = \
            img[i, max(-dy, 0):H + min(-dy, 0), max(-dx, 0):W + min(-dx, 0)]
    return out if mistake == "noise_first" else out + noise_std * noise


SMOOTH = {
    "k_minus_1": "epsilon is spread over the K - 1 wrong classes only; PyTorch puts epsilon/K on EVERY class, "
                 "the true one included",
    "no_one_minus": "the true class's term is not scaled by (1 - epsilon)",
    "sum": "the losses are summed over the batch; take the mean",
    "naive_log": "log(softmax(...)) overflows for large logits; use a stable log-softmax (logits - logsumexp)",
    "probabilities": "the smoothing term averages probabilities instead of log-probabilities",
}


def smoothed(logits, targets, eps, mistake=None):
    logits = logits.double()
    N, K = logits.shape
    if mistake == "naive_log":
        e = torch.exp(logits)
        log_p = torch.log(e / e.sum(dim=1, keepdim=True))
    else:
        log_p = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    nll = -log_p.gather(1, targets[:, None]).squeeze(1)
    if mistake == "k_minus_1":
        other = (-log_p.sum(dim=1) - nll) / (K - 1)
        per = (1 - eps) * nll + eps * other
    elif mistake == "probabilities":
        per = (1 - eps) * nll + eps * (-log_p.exp().mean(dim=1))
    else:
        per = (1 - eps if mistake != "no_one_minus" else 1.0) * nll + eps * (-log_p.mean(dim=1))
    return per.sum() if mistake == "sum" else per.mean()


AUGMENTS = Mistakes(AUGMENT, augment)
SMOOTHS = Mistakes(SMOOTH, smoothed)
