"""Lesson 3.2's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake must lose points on its task (named there) and nowhere
else; each alternative keeps full marks. train_with_schedule is checked with PyTorch's rates
sent as a function, so an lr_at mistake stays in lr_at; a train_with_schedule mistake spreads
to lr_range_test only where that submission's range test calls it (none of these does).
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("3.2")

STEP = 'return lr * schedule["gamma"] ** (step // schedule["step_size"])'
EXPONENTIAL = 'return lr * schedule["gamma"] ** step'
RAMP = "return lr * (start + (1.0 - start) * step / warmup)"
SHIFT = "t = step - warmup  # the cosine counts from its own step 0, where it gives lr"
COSINE = "return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2"
VALIDATE = """    for key in ("step_size", "T_max", "warmup_steps"):
        if key in schedule and schedule[key] < 1:
            raise ValueError(f"{key} must be at least 1, got {schedule[key]}")
"""
TRAIN_RATE = "lr = float(lr_of_step(len(losses)))  # this update's rate: step t uses lr_of_step(t)"
RANGE_RATE = "lr = lr_min * (lr_max / lr_min) ** (t / (steps - 1))  # geometric: equal ratios per step"
SMOOTHED = "smoothed = avg / (1 - beta ** (t + 1))  # bias correction: avg starts at 0"

MISTAKES = [
    # lr_at
    Mistake("scheduler_stepped_first", "lr_at",
            mutate(REFERENCE, '\n    if kind == "constant":\n        return lr\n',
                   '\n    step = step + 1  # scheduler.step() already ran\n    if kind == "constant":\n        return lr\n'),
            named="the off-by-one of stepping the schedule before the optimiser", example="buggy"),
    Mistake("no_staircase", "lr_at", mutate(REFERENCE, STEP, 'return lr * schedule["gamma"] ** (step / schedule["step_size"])'),
            named="step decay without the staircase"),
    Mistake("exp_of_gamma", "lr_at", mutate(REFERENCE, EXPONENTIAL, 'return lr * math.exp(-schedule["gamma"] * step)'),
            named="written as lr * exp(-gamma * step)"),
    Mistake("cosine_held_at_eta_min", "lr_at", mutate(REFERENCE, SHIFT, "t = min(step - warmup, schedule[\"T_max\"])"),
            named="held at eta_min past T_max"),
    Mistake("eta_min_added_on_top", "lr_at", mutate(REFERENCE, COSINE, "return eta_min + lr * (1 + math.cos(math.pi * t / T_max)) / 2"),
            named="eta_min is added on top"),
    Mistake("cosine_ends_a_step_early", "lr_at", mutate(REFERENCE, COSINE, "return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / max(T_max - 1, 1))) / 2"),
            named="reaches eta_min at step T_max - 1"),
    Mistake("warmup_from_zero", "lr_at", mutate(REFERENCE, RAMP, "return lr * step / warmup"),
            named="the warm-up starts from 0"),
    Mistake("warmup_peaks_a_step_early", "lr_at", mutate(REFERENCE, RAMP, "return lr * (start + (1.0 - start) * step / max(warmup - 1, 1))"),
            named="reaches lr at step warmup_steps - 1"),
    Mistake("cosine_on_the_global_step", "lr_at", mutate(REFERENCE, SHIFT, "t = step"),
            named="evaluated at the global step"),
    Mistake("pops_the_kind", "lr_at",
            mutate(REFERENCE, 'kind, lr = schedule["kind"], float(schedule["lr"])', 'kind, lr = schedule.pop("kind"), float(schedule["lr"])'),
            named="changed its input `schedule`"),
    Mistake("start_factor_not_checked", "lr_at",
            mutate(REFERENCE, """    if kind == "warmup_cosine" and not 0 < schedule["start_factor"] <= 1:
        raise ValueError(f"start_factor must lie in (0, 1], got {schedule['start_factor']}")
""", ""), named="start_factor must lie in (0, 1], as LinearLR asks"),
    Mistake("t_max_checked_only_when_used", "lr_at",
            edit(REFERENCE, (VALIDATE, VALIDATE.replace('("step_size", "T_max", "warmup_steps")', '("step_size", "warmup_steps")')),
                 ("    T_max, eta_min = schedule[\"T_max\"], schedule[\"eta_min\"]\n",
                  "    T_max, eta_min = schedule[\"T_max\"], schedule[\"eta_min\"]\n    if T_max < 1:\n"
                  "        raise ValueError(f\"T_max must be at least 1, got {T_max}\")\n")),
            named="T_max must be at least 1, whatever the step"),
    Mistake("returns_a_tensor", "lr_at",
            mutate(REFERENCE, "    if kind == \"constant\":\n        return lr\n", "    if kind == \"constant\":\n        return torch.tensor(lr)\n"),
            named="the contract asks for a Python float"),
    # train_with_schedule
    Mistake("loop_steps_schedule_first", "train_with_schedule",
            mutate(REFERENCE, TRAIN_RATE, "lr = float(lr_of_step(len(losses) + 1))  # scheduler.step() before optimizer.step()"),
            named="the off-by-one of stepping the schedule before the optimiser"),
    Mistake("schedule_per_pass", "train_with_schedule",
            edit(REFERENCE, ("    while len(losses) < steps:\n        for idx in torch.randperm(X.shape[0], generator=generator).split(batch_size):  # one pass\n",
                             "    passes = 0\n    while len(losses) < steps:\n        passes += 1\n        for idx in torch.randperm(X.shape[0], generator=generator).split(batch_size):  # one pass\n"),
                 (TRAIN_RATE, "lr = float(lr_of_step(passes - 1))  # one rate per epoch")),
            named="advances once per pass over the data"),
    Mistake("rate_read_once", "train_with_schedule",
            mutate(REFERENCE, TRAIN_RATE, "lr = float(lr_of_step(0))"),
            named="the rate never changes"),
    Mistake("loss_recorded_after_update", "train_with_schedule",
            edit(REFERENCE, ("            losses.append(loss.item())  # before the update\n", ""),
                 ("                    W.grad, b.grad = None, None\n    return [(W.detach(), b.detach()) for W, b in layers], losses, lrs",
                  "                    W.grad, b.grad = None, None\n            with torch.no_grad():\n"
                  "                losses.append(F.binary_cross_entropy_with_logits(mlp_forward(X[idx], layers, \"tanh\"), y[idx]).item())\n"
                  "    return [(W.detach(), b.detach()) for W, b in layers], losses, lrs")),
            named="recorded after the update"),
    Mistake("fresh_permutation_per_batch", "train_with_schedule",
            mutate(REFERENCE, "        for idx in torch.randperm(X.shape[0], generator=generator).split(batch_size):  # one pass\n",
                   "        for idx in [torch.randperm(X.shape[0], generator=generator)[:batch_size]]:  # a new shuffle every batch\n"),
            named="a fresh permutation is drawn for every batch"),
    Mistake("steps_counted_as_epochs", "train_with_schedule",
            edit(REFERENCE, ("    while len(losses) < steps:\n        for idx in torch.randperm(X.shape[0], generator=generator).split(batch_size):  # one pass\n            if len(losses) == steps:\n                break\n",
                             "    for _ in range(steps):\n        for idx in torch.randperm(X.shape[0], generator=generator).split(batch_size):  # one pass\n")),
            named="a step is one update, not one pass over the data"),
    Mistake("trains_layers0_in_place", "train_with_schedule",
            mutate(REFERENCE, """    layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))
              for W, b in layers0]
    losses: list[float] = []
    lrs: list[float] = []
    while""", """    layers = [(W.requires_grad_(True), b.requires_grad_(True)) for W, b in layers0]
    losses: list[float] = []
    lrs: list[float] = []
    while"""),
            named="changed layers0 in place"),
    # lr_range_test
    Mistake("linear_ramp", "lr_range_test",
            mutate(REFERENCE, RANGE_RATE, "lr = lr_min + (lr_max - lr_min) * t / (steps - 1)"),
            named="the rate grows linearly"),
    Mistake("ramp_never_reaches_lr_max", "lr_range_test",
            mutate(REFERENCE, RANGE_RATE, "lr = lr_min * (lr_max / lr_min) ** (t / steps)"),
            named="the ramp never reaches lr_max"),
    Mistake("no_bias_correction", "lr_range_test", mutate(REFERENCE, SMOOTHED, "smoothed = avg"),
            named="not bias-corrected"),
    Mistake("suggests_the_minimum_itself", "lr_range_test",
            mutate(REFERENCE, "    return lrs, losses, lrs[best_t] / 10\n", "    return lrs, losses, lrs[best_t]\n"),
            named="the rate at the minimum itself"),
    Mistake("never_stops", "lr_range_test",
            mutate(REFERENCE, "stopped = not math.isfinite(smoothed) or smoothed > 4 * best or len(losses) == steps",
                   "stopped = len(losses) == steps"),
            named="does not stop when the smoothed loss exceeds 4 times"),
    Mistake("raw_minimum", "lr_range_test",
            mutate(REFERENCE, "            if smoothed < best:\n                best, best_t = smoothed, t\n",
                   "            if loss.item() < best:\n                best, best_t = loss.item(), t\n"),
            named="minimum of the raw batch losses"),
]

LR_AT_WITH_TORCH = '''    from torch.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, LinearLR, SequentialLR, StepLR
    kind = schedule["kind"]
    if kind not in ("constant", "step", "exponential", "cosine", "warmup_cosine"):
        raise ValueError(f"unknown kind {kind!r}")
    if step < 0:
        raise ValueError("step must be at least 0")
    if any(schedule.get(key, 1) < 1 for key in ("step_size", "T_max", "warmup_steps")):
        raise ValueError("step_size, T_max and warmup_steps must be at least 1")
    if kind == "warmup_cosine" and not 0 < schedule["start_factor"] <= 1:
        raise ValueError("start_factor must lie in (0, 1]")
    if kind == "constant":
        return float(schedule["lr"])
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=schedule["lr"])
    if kind == "step":
        scheduler = StepLR(opt, schedule["step_size"], schedule["gamma"])
    elif kind == "exponential":
        scheduler = ExponentialLR(opt, schedule["gamma"])
    elif kind == "cosine":
        scheduler = CosineAnnealingLR(opt, schedule["T_max"], schedule["eta_min"])
    else:
        scheduler = SequentialLR(opt, [LinearLR(opt, schedule["start_factor"], 1.0, schedule["warmup_steps"]),
                                       CosineAnnealingLR(opt, schedule["T_max"], schedule["eta_min"])],
                                 milestones=[schedule["warmup_steps"]])
    for _ in range(step):  # PyTorch's own order: the optimiser's step, then the scheduler's
        opt.step()
        scheduler.step()
    return float(opt.param_groups[0]["lr"])
'''

TRAIN_WITH_OPTIM_AND_LAMBDALR = '''    if steps < 0 or batch_size < 1:
        raise ValueError("steps must be at least 0 and batch_size at least 1")
    layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))
              for W, b in layers0]
    optimizer = torch.optim.SGD([t for layer in layers for t in layer], lr=1.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lr_of_step)  # 1.0 * lr_of_step(t)
    losses, lrs = [], []
    while len(losses) < steps:
        for idx in torch.randperm(X.shape[0], generator=generator).split(batch_size):
            if len(losses) == steps:
                break
            loss = F.binary_cross_entropy_with_logits(mlp_forward(X[idx], layers, "tanh"), y[idx])
            losses.append(loss.item())
            lrs.append(float(optimizer.param_groups[0]["lr"]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
    return [(W.detach(), b.detach()) for W, b in layers], losses, lrs
'''

RANGE_ON_OWN_TRAIN = '''    if steps < 2 or not 0 < lr_min < lr_max or batch_size < 1:
        raise ValueError("need steps >= 2, 0 < lr_min < lr_max and batch_size >= 1")
    rates = torch.logspace(math.log10(lr_min), math.log10(lr_max), steps, dtype=torch.float64).tolist()
    rates[0], rates[-1] = lr_min, lr_max
    _, losses, lrs = train_with_schedule(X, y, layers0, lambda t: rates[t], steps, batch_size, generator)
    smoothed = []
    avg = 0.0
    for t, loss in enumerate(losses):
        avg = 0.9 * avg + 0.1 * loss
        smoothed.append(avg / (1 - 0.9 ** (t + 1)))
        if not math.isfinite(smoothed[-1]) or smoothed[-1] > 4 * min(smoothed):
            break
    n = len(smoothed)
    best = min(range(n), key=lambda i: smoothed[i])
    return lrs[:n], losses[:n], lrs[best] / 10
'''

ALTERNATIVES = [
    Alternative("lr_at_with_pytorchs_schedulers", replace_body(REFERENCE, "lr_at", LR_AT_WITH_TORCH),
                "lr_at steps PyTorch's own scheduler objects (optimizer.step(), then scheduler.step())",
                example="correct"),
    Alternative("sgd_with_lambdalr", replace_body(REFERENCE, "train_with_schedule", TRAIN_WITH_OPTIM_AND_LAMBDALR),
                "torch.optim.SGD driven by torch.optim.lr_scheduler.LambdaLR, stepped after the optimiser"),
    Alternative("range_test_on_own_loop", replace_body(REFERENCE, "lr_range_test", RANGE_ON_OWN_TRAIN),
                "the range test runs the whole ramp through train_with_schedule (torch.logspace rates), "
                "then cuts the lists where the smoothed loss blew up"),
]
