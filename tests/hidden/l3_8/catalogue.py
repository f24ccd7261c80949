"""Lesson 3.8's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake must lose points on its task (named there) and nowhere
else; each alternative keeps full marks. The bar: at least 12 mistakes, 3 alternatives.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source

REFERENCE = reference_source("3.8")

SHARE = "            (loss * share).backward()                         # gradients add up in .grad\n"
ZERO = "        optimizer.zero_grad()\n        step_loss = 0.0\n"
AMP = '            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):\n                loss = F.mse_loss(model(X[micro]), y[micro])'
CLIP = "        if max_norm is not None:\n            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n        optimizer.step()\n"
SAVE = '    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),\n             "scheduler": scheduler.state_dict(), "generator": generator.get_state(), "epoch": epoch}\n'

MISTAKES = [
    Mistake("accumulated_loss_not_weighted", "train_epoch",
            mutate(REFERENCE, SHARE, "            loss.backward()\n"),
            named="not weighted by its share", example="buggy"),
    Mistake("zero_grad_per_micro_batch", "train_epoch",
            edit(REFERENCE, (ZERO, "        step_loss = 0.0\n"),
                 ("            micro = idx[m:m + batch_size]\n",
                  "            micro = idx[m:m + batch_size]\n            optimizer.zero_grad()\n")),
            named="inside the micro-batch loop"),
    Mistake("gradients_never_cleared", "train_epoch", mutate(REFERENCE, ZERO, "        step_loss = 0.0\n"),
            named="never cleared"),
    Mistake("step_every_micro_batch", "train_epoch",
            edit(REFERENCE, (CLIP + "        scheduler.step()\n", ""),
                 ("            step_loss += loss.item() * share\n",
                  "            step_loss += loss.item() * share\n            optimizer.step()\n"
                  "            scheduler.step()\n            optimizer.zero_grad()\n")),
            named="ONE step"),
    Mistake("scheduler_per_micro_batch", "train_epoch",
            edit(REFERENCE, ("        optimizer.step()\n        scheduler.step()\n", "        optimizer.step()\n"),
                 ("            step_loss += loss.item() * share\n",
                  "            step_loss += loss.item() * share\n            scheduler.step()\n")),
            named="once per micro-batch"),
    Mistake("clip_each_micro_batch", "train_epoch",
            edit(REFERENCE, (CLIP, "        optimizer.step()\n"),
                 ("            step_loss += loss.item() * share\n",
                  "            step_loss += loss.item() * share\n            if max_norm is not None:\n"
                  "                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n")),
            named="clipped per micro-batch"),
    Mistake("max_norm_ignored", "train_epoch", mutate(REFERENCE, CLIP, "        optimizer.step()\n"),
            named="max_norm is ignored"),
    Mistake("autocast_ignored", "train_epoch",
            mutate(REFERENCE, AMP, "            if True:\n                loss = F.mse_loss(model(X[micro]), y[micro])"),
            named="amp=True changes nothing"),
    Mistake("model_cast_to_bfloat16", "train_epoch",
            mutate(REFERENCE, "    order = torch.randperm(X.shape[0], generator=generator)  # the epoch's only random draw\n",
                   "    order = torch.randperm(X.shape[0], generator=generator)\n    if amp:\n"
                   "        model.to(torch.bfloat16)\n        X, y = X.bfloat16(), y.bfloat16()\n"),
            named="cast to bfloat16"),
    Mistake("records_last_micro_batch_loss", "train_epoch",
            mutate(REFERENCE, "            step_loss += loss.item() * share\n", "            step_loss = loss.item()\n"),
            named="last micro-batch's"),
    Mistake("shuffle_from_global_rng", "train_epoch",
            mutate(REFERENCE, "    order = torch.randperm(X.shape[0], generator=generator)  # the epoch's only random draw\n",
                   "    order = torch.randperm(X.shape[0])\n"),
            named="global seed changed"),
    Mistake("no_value_error_for_bad_sizes", "train_epoch",
            mutate(REFERENCE, "    if max_norm is not None and max_norm <= 0:\n", "    if max_norm is not None and max_norm < 0:\n"),
            named="instead of raising ValueError"),
    Mistake("save_forgets_optimizer", "save_checkpoint",
            mutate(REFERENCE, SAVE, '    state = {"model": model.state_dict(),\n             "scheduler": scheduler.state_dict(), '
                                    '"generator": generator.get_state(), "epoch": epoch}\n'),
            named="optimiser's state"),
    Mistake("save_forgets_scheduler", "save_checkpoint",
            mutate(REFERENCE, SAVE, '    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),\n'
                                    '             "generator": generator.get_state(), "epoch": epoch}\n'),
            named="scheduler's position"),
    Mistake("save_global_rng_state", "save_checkpoint",
            mutate(REFERENCE, SAVE, '    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),\n'
                                    '             "scheduler": scheduler.state_dict(), "generator": torch.get_rng_state(), '
                                    '"epoch": epoch}\n'),
            named="generator's state"),
    Mistake("save_forgets_epoch", "save_checkpoint",
            mutate(REFERENCE, SAVE, '    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),\n'
                                    '             "scheduler": scheduler.state_dict(), "generator": generator.get_state()}\n'),
            named="missing ['epoch']"),
    Mistake("load_forgets_optimizer", "load_checkpoint",
            mutate(REFERENCE, '    optimizer.load_state_dict(state["optimizer"])\n', ""),
            named="optimiser's state"),
    Mistake("load_forgets_scheduler", "load_checkpoint",
            mutate(REFERENCE, '    scheduler.load_state_dict(state["scheduler"])\n', ""),
            named="scheduler's position"),
    Mistake("load_rebinds_generator", "load_checkpoint",
            mutate(REFERENCE, '    generator.set_state(state["generator"])\n',
                   '    generator = torch.Generator()\n    generator.set_state(state["generator"])\n'),
            named="generator's state"),
    Mistake("load_returns_next_epoch", "load_checkpoint",
            mutate(REFERENCE, '    return int(state["epoch"])\n', '    return int(state["epoch"]) + 1\n'),
            named="the number of epochs completed"),
    Mistake("load_starts_fresh_when_missing", "load_checkpoint",
            mutate(REFERENCE, "    state = torch.load(path, weights_only=True)  # tensors and plain containers only: no code runs\n",
                   "    if not os.path.exists(path):\n        return 0\n    state = torch.load(path, weights_only=True)\n"),
            named="instead of raising FileNotFoundError"),
    Mistake("flops_forward_only", "training_flops",
            mutate(REFERENCE, "    return 6.0 * n_params * tokens\n", "    return 2.0 * n_params * tokens\n"),
            named="only the forward pass"),
    Mistake("flops_without_biases", "training_flops",
            mutate(REFERENCE, "fan_in * fan_out + fan_out for", "fan_in * fan_out for"),
            named="biases are left out"),
    Mistake("flops_no_value_error", "training_flops",
            mutate(REFERENCE, "    if len(sizes) < 2 or any(w < 1 for w in sizes) or tokens < 0:\n", "    if tokens < 0:\n"),
            named="instead of raising ValueError"),
    Mistake("alpha_sign_flipped", "fit_power_law",
            mutate(REFERENCE, "    return math.exp(intercept.item()), -slope.item()\n",
                   "    return math.exp(intercept.item()), slope.item()\n"),
            named="wrong sign"),
    Mistake("returns_log_a", "fit_power_law",
            mutate(REFERENCE, "    return math.exp(intercept.item()), -slope.item()\n",
                   "    return intercept.item(), -slope.item()\n"),
            named="as its logarithm"),
    Mistake("fit_in_linear_space", "fit_power_law",
            mutate(REFERENCE, "    t = torch.log(torch.tensor(losses, dtype=torch.float64))  # (n,)\n",
                   "    t = torch.tensor(losses, dtype=torch.float64)\n"),
            named="not a least-squares line"),
]

ALTERNATIVES = [
    Alternative("sum_reduction_and_lstsq", edit(
        REFERENCE,
        ("                loss = F.mse_loss(model(X[micro]), y[micro])  # float32: mse_loss is on autocast's fp32 list\n",
         "                loss_sum = F.mse_loss(model(X[micro]), y[micro], reduction='sum')\n"),
        ("            share = len(micro) / len(idx)                     # this micro-batch's share of the step's samples\n"
         + SHARE + "            step_loss += loss.item() * share\n",
         "            (loss_sum / len(idx)).backward()\n            step_loss += loss_sum.item() / len(idx)\n"),
        ("    spread = ((x - x.mean()) ** 2).sum()\n    if spread == 0:\n",
         "    if bool((x == x[0]).all()):\n"),
        ("    slope = ((x - x.mean()) * (t - t.mean())).sum() / spread\n    intercept = t.mean() - slope * x.mean()\n"
         "    return math.exp(intercept.item()), -slope.item()\n",
         "    A = torch.stack([torch.ones_like(x), x], dim=1)\n"
         "    intercept, slope = torch.linalg.lstsq(A, t.unsqueeze(1)).solution.squeeze(1)\n"
         "    return math.exp(intercept.item()), -slope.item()\n")),
        style="sum-reduced micro-batch losses divided by the step's sample count; torch.linalg.lstsq fit",
        example="correct"),
    Alternative("plain_save_and_full_load", edit(
        REFERENCE,
        ("    tmp = path + \".tmp\"\n    torch.save(state, tmp)\n    os.replace(tmp, path)  # atomic: a crash mid-save leaves the old checkpoint intact\n",
         "    with open(path, 'wb') as f:\n        torch.save(state, f)\n"),
        ("    state = torch.load(path, weights_only=True)  # tensors and plain containers only: no code runs\n",
         "    state = torch.load(path, map_location='cpu', weights_only=False)\n")),
        style="torch.save to an open file (not atomic) and torch.load with map_location"),
    Alternative("autocast_around_backward_python_flops", edit(
        REFERENCE,
        (AMP + "  # float32: mse_loss is on autocast's fp32 list\n" + "            share = len(micro) / len(idx)                     # this micro-batch's share of the step's samples\n" + SHARE,
         '            share = len(micro) / len(idx)\n            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):\n'
         "                loss = F.mse_loss(model(X[micro]), y[micro])\n                (loss * share).backward()\n"),
        ("    n_params = sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))\n",
         "    n_params = 0\n    for i in range(len(sizes) - 1):\n        n_params += (sizes[i] + 1) * sizes[i + 1]\n"),
        ("    x = torch.log(torch.tensor(sizes, dtype=torch.float64))   # (n,)\n    t = torch.log(torch.tensor(losses, dtype=torch.float64))  # (n,)\n",
         "    x = torch.tensor([math.log10(v) for v in sizes], dtype=torch.float64)\n"
         "    t = torch.tensor([math.log10(v) for v in losses], dtype=torch.float64)\n"),
        ("    return math.exp(intercept.item()), -slope.item()\n", "    return 10 ** intercept.item(), -slope.item()\n")),
        style="backward inside the autocast block, a loop parameter count, a log10 fit"),
]
