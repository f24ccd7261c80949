"""Lesson 3.7's proof that its checks work: realistic mistakes and correct alternative styles.

Each mistake is the reference solution with one thing done wrong, in the function it belongs to; grading
it must cost points on that function's task only and name the mistake there (the three tasks never call
each other). The alternatives are correct solutions in other styles: a loop over images with slicing, an
explicit smoothed target distribution in float64 with F.log_softmax, and a loop that keeps the best state
as cloned tensors and copies them back by hand.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("3.7")

FLIP = "img = torch.where(flip[:, None, None], x.flip(-1), x)  # mirror along W"
FLIP_DRAW = "flip = torch.rand(N, generator=generator) < flip_prob  # (N,) bool"
NOISE_DRAW = "    noise = torch.randn(x.shape, generator=generator, dtype=x.dtype)  # (N, H, W)\n"
ROWS = "rows = (s - shift[:, 0])[:, None] + torch.arange(H)  # (N, H): the crop's rows"
COLS = "cols = (s - shift[:, 1])[:, None] + torch.arange(W)  # (N, W): the crop's columns"
CROP = "out = padded[torch.arange(N)[:, None, None], rows[:, :, None], cols[:, None, :]]  # (N, H, W)"
RETURN_AUG = "return out + noise_std * noise, y.clone()"
LOG_P = "log_p = logits - torch.logsumexp(logits, dim=1, keepdim=True)  # (N, K): stable log-softmax"
UNIFORM = "uniform = -log_p.mean(dim=1)  # (N,): cross-entropy against the uniform distribution"
RETURN_CE = "return ((1 - smoothing) * nll + smoothing * uniform).mean()"
CHECK_EPS = '''    if not 0.0 <= smoothing <= 1.0:
        raise ValueError(f"smoothing must be in [0, 1], got {smoothing}")
'''
COPY = "best_state = copy.deepcopy(model.state_dict())  # a copy: the live tensors keep changing"
LOAD = "        model.load_state_dict(best_state)\n"
EVAL = "        model.eval()  # dropout off; BatchNorm uses its running estimates\n"
TRAIN = "        model.train()  # dropout on; BatchNorm normalises by the batch and updates its running estimates\n"
NO_GRAD = '''        with torch.no_grad():
            val_loss = F.cross_entropy(model(X_val), y_val).item()
'''

AUGMENT_MISTAKES = [
    Mistake("flip_upside_down", "augment_batch", mutate(REFERENCE, FLIP, FLIP.replace("flip(-1)", "flip(-2)")),
            "mirrored upside down"),
    Mistake("shift_wraps_around", "augment_batch",
            edit(REFERENCE, ("    s = max_shift\n", ""),
                 ("    padded = F.pad(img, (s, s, s, s))  # (N, H + 2s, W + 2s): a frame of zeros\n", ""),
                 (ROWS, "rows = (torch.arange(H) - shift[:, :1]) % H  # (N, H)"),
                 (COLS, "cols = (torch.arange(W) - shift[:, 1:]) % W  # (N, W)"),
                 (CROP, "out = img[torch.arange(N)[:, None, None], rows[:, :, None], cols[:, None, :]]")),
            "wraps pixels around", example="buggy"),
    Mistake("shift_reversed", "augment_batch",
            edit(REFERENCE, (ROWS, ROWS.replace("s - shift", "s + shift")), (COLS, COLS.replace("s - shift", "s + shift"))),
            "the shift moves the image the wrong way"),
    Mistake("noise_drawn_first", "augment_batch",
            edit(REFERENCE, (NOISE_DRAW, ""), ("    " + FLIP_DRAW, NOISE_DRAW + "    " + FLIP_DRAW)),
            "another order"),
    Mistake("one_flip_per_batch", "augment_batch",
            mutate(REFERENCE, FLIP_DRAW, "flip = (torch.rand(1, generator=generator) < flip_prob).expand(N)"),
            "one flip decision for the whole batch"),
    Mistake("global_generator", "augment_batch",
            mutate(REFERENCE, FLIP_DRAW, "flip = torch.rand(N) < flip_prob"), "never from torch's global generator"),
    Mistake("noise_in_place", "augment_batch",
            mutate(REFERENCE, "    img = torch.where(", "    x += noise_std * noise\n    img = torch.where("),
            "changed its input `x` in place"),
]

SMOOTH_MISTAKES = [
    Mistake("spread_over_k_minus_1", "smoothed_cross_entropy",
            mutate(REFERENCE, UNIFORM, "uniform = (-log_p.sum(dim=1) - nll) / (logits.shape[1] - 1)  # (N,)"),
            "K - 1 wrong classes only"),
    Mistake("naive_log_softmax", "smoothed_cross_entropy",
            mutate(REFERENCE, LOG_P, "log_p = torch.log(torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True))"),
            "overflows for large logits"),
    Mistake("summed_over_batch", "smoothed_cross_entropy", mutate(REFERENCE, RETURN_CE, RETURN_CE.replace(".mean()", ".sum()")),
            "summed over the batch"),
    Mistake("true_class_not_scaled", "smoothed_cross_entropy",
            mutate(REFERENCE, RETURN_CE, "return (nll + smoothing * uniform).mean()"), "not scaled by (1 - epsilon)"),
    Mistake("smoothing_not_checked", "smoothed_cross_entropy", mutate(REFERENCE, CHECK_EPS, ""),
            "returned instead of raising ValueError"),
]

FIT_MISTAKES = [
    Mistake("last_weights_kept", "fit_early_stopping", mutate(REFERENCE, LOAD, "        pass\n"),
            "the last epoch's weights, not the best"),
    Mistake("state_dict_not_copied", "fit_early_stopping",
            mutate(REFERENCE, COPY, "best_state = model.state_dict()  # the live tensors!"),
            "the last epoch's weights, not the best"),
    Mistake("parameters_only", "fit_early_stopping",
            edit(REFERENCE, (COPY, "best_state = {k: v.detach().clone() for k, v in model.named_parameters()}"),
                 ("model.load_state_dict(best_state)", "model.load_state_dict(best_state, strict=False)")),
            "running_mean and running_var"),
    Mistake("validated_in_train_mode", "fit_early_stopping", mutate(REFERENCE, EVAL, ""),
            "validation runs in training mode"),
    Mistake("train_mode_set_once", "fit_early_stopping",
            edit(REFERENCE, (TRAIN, ""), ("    for epoch in range(max_epochs):\n", "    model.train()\n    for epoch in range(max_epochs):\n")),
            ("model.train() is not called again", "evaluation mode")),
    Mistake("validation_builds_a_graph", "fit_early_stopping",
            mutate(REFERENCE, NO_GRAD, "        val_loss = F.cross_entropy(model(X_val), y_val).item()\n"),
            "torch.no_grad()"),
    Mistake("patience_off_by_one", "fit_early_stopping",
            mutate(REFERENCE, "if bad_epochs >= patience:", "if bad_epochs > patience:"), "one epoch late"),
    Mistake("counter_never_reset", "fit_early_stopping",
            mutate(REFERENCE, "best_loss, best_epoch, bad_epochs = val_loss, epoch, 0", "best_loss, best_epoch = val_loss, epoch"),
            "not reset to 0"),
    Mistake("min_delta_ignored", "fit_early_stopping",
            mutate(REFERENCE, "if val_loss < best_loss - min_delta:", "if val_loss < best_loss:"), "min_delta is ignored"),
    Mistake("smoothing_in_validation", "fit_early_stopping",
            mutate(REFERENCE, "val_loss = F.cross_entropy(model(X_val), y_val).item()",
                   "val_loss = F.cross_entropy(model(X_val), y_val, label_smoothing=label_smoothing).item()"),
            "validation loss too"),
    Mistake("unweighted_epoch_loss", "fit_early_stopping",
            edit(REFERENCE, ("total += loss.item() * len(idx)", "total += loss.item()"),
                 ("train_losses.append(total / N)", "train_losses.append(total / len(range(0, N, batch_size)))")),
            "plain mean of batch losses"),
]

MISTAKES = AUGMENT_MISTAKES + SMOOTH_MISTAKES + FIT_MISTAKES

LOOP_AUGMENT = '''
    if x.dim() != 3:
        raise ValueError("x must have shape (N, H, W)")
    N, H, W = x.shape
    if tuple(y.shape) != (N,) or not 0.0 <= flip_prob <= 1.0 or not 0 <= max_shift < min(H, W) or noise_std < 0:
        raise ValueError("bad y shape, flip_prob, max_shift or noise_std")
    flip = torch.rand(N, generator=generator) < flip_prob
    shift = torch.randint(-max_shift, max_shift + 1, (N, 2), generator=generator)
    noise = torch.randn(x.shape, generator=generator, dtype=x.dtype)
    out = torch.zeros_like(x)
    for i in range(N):
        img = x[i].flip(-1) if flip[i] else x[i]
        dy, dx = int(shift[i, 0]), int(shift[i, 1])
        out[i, max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = \\
            img[max(-dy, 0):H + min(-dy, 0), max(-dx, 0):W + min(-dx, 0)]
    return out + noise_std * noise, y.clone()
'''

TARGET_DISTRIBUTION = '''
    if logits.dim() != 2 or tuple(targets.shape) != (logits.shape[0],):
        raise ValueError("logits must be (N, K) and targets (N,)")
    N, K = logits.shape
    if N > 0 and (int(targets.min()) < 0 or int(targets.max()) >= K):
        raise ValueError("targets out of range")
    if not 0.0 <= smoothing <= 1.0:
        raise ValueError("smoothing must be in [0, 1]")
    q = torch.full((N, K), smoothing / K, dtype=torch.float64)
    q[torch.arange(N), targets] += 1 - smoothing  # the smoothed target distribution
    log_p = F.log_softmax(logits.double(), dim=1)
    return (-(q * log_p).sum(dim=1).mean()).to(logits.dtype)
'''

CLONED_STATE = '''
    if max_epochs < 1 or patience < 1 or batch_size < 1 or min_delta < 0:
        raise ValueError("max_epochs, patience, batch_size >= 1 and min_delta >= 0 required")
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    N = len(X_train)
    out = {"train_losses": [], "val_losses": [], "best_epoch": -1, "stopped_epoch": -1}
    best, waited, saved = float("inf"), 0, None
    for epoch in range(max_epochs):
        model.train()
        order = torch.randperm(N, generator=generator)
        seen, total = 0, 0.0
        for idx in order.split(batch_size):
            opt.zero_grad()
            loss = F.cross_entropy(model(X_train[idx]), y_train[idx], label_smoothing=label_smoothing)
            loss.backward()
            opt.step()
            total, seen = total + loss.item() * len(idx), seen + len(idx)
        out["train_losses"].append(total / seen)
        model.eval()
        with torch.no_grad():
            v = F.cross_entropy(model(X_val), y_val).item()
        out["val_losses"].append(v)
        out["stopped_epoch"] = epoch
        if v < best - min_delta:
            best, waited, out["best_epoch"] = v, 0, epoch
            saved = {k: t.detach().clone() for k, t in model.state_dict().items()}
            continue
        waited += 1
        if waited == patience:
            break
    with torch.no_grad():
        for k, t in model.state_dict().items():  # the live tensors: copy the saved values into them
            t.copy_(saved[k])
    return out
'''

ALTERNATIVES = [
    Alternative("loop_over_images", replace_body(REFERENCE, "augment_batch", LOOP_AUGMENT),
                "a Python loop over the images with slicing instead of padding and advanced indexing",
                example="correct"),
    Alternative("target_distribution_float64", replace_body(REFERENCE, "smoothed_cross_entropy", TARGET_DISTRIBUTION),
                "the smoothed target distribution built explicitly, F.log_softmax in float64"),
    Alternative("cloned_state_copied_back", replace_body(REFERENCE, "fit_early_stopping", CLONED_STATE),
                "batches by order.split, the best state as cloned tensors copied back in place"),
]
