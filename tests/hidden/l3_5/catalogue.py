"""Lesson 3.5's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake must lose points on its task (named there) and nowhere
else; each alternative keeps full marks. The bar: at least 12 mistakes, 3 alternatives.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("3.5")

WEIGHT = "            total.add_(g, alpha=n_k / N)  # weight by the shard's share of the batch\n"
ALLREDUCE = "                    dist.all_reduce(g, op=dist.ReduceOp.SUM)  # every rank now holds the sum\n"
DIVIDE = "                    p -= lr * (g / world_size)\n"
SHARE = "                share = x_b.shape[0] / n  # this micro-batch's weight in the group's mean\n"
STEP = ("            with torch.no_grad():\n"
        "                for p in params:\n"
        "                    p -= lr * p.grad\n"
        "                    p.grad = None\n")
RING = "    return float(steps * (latency + num_bytes / (p * bandwidth)))\n"

MISTAKES = [
    # shard_gradients
    Mistake("unweighted_shard_mean", "shard_gradients",
            edit(REFERENCE, (WEIGHT, "            total.add_(g, alpha=1 / num_shards)\n")),
            named="averaged unweighted", example="buggy"),
    Mistake("shard_gradients_summed", "shard_gradients",
            edit(REFERENCE, (WEIGHT, "            total.add_(g)\n")), named="without weights"),
    Mistake("shard_loss_is_a_sum", "shard_gradients",
            edit(REFERENCE, ("        loss = mse(mlp_forward(X_k, replica, activation), y_k)  # the shard's own mean\n",
                             "        loss = ((mlp_forward(X_k, replica, activation) - y_k) ** 2).mean(1).sum()\n"),
                 (WEIGHT, "            total.add_(g, alpha=1 / N)\n")),
            named="sum over its samples"),
    Mistake("shards_returned_weighted", "shard_gradients",
            edit(REFERENCE, ("        shards.append(grads)\n",
                             "        shards.append([g * (n_k / N) for g in grads])\n")),
            named="already multiplied by n_k / N"),
    Mistake("torch_chunk_shards", "shard_gradients",
            edit(REFERENCE, ("zip(torch.tensor_split(X, num_shards), torch.tensor_split(y, num_shards))",
                             "zip(torch.chunk(X, num_shards), torch.chunk(y, num_shards))")),
            named="torch.chunk"),
    Mistake("grads_zeroed_not_cleared_on_layers", "shard_gradients",
            edit(REFERENCE, ("        params = [p.detach().clone().requires_grad_(True) for p in flat]  # this worker's replica\n",
                             "        params = [p.requires_grad_(True) for p in flat]\n"),
                 ("        grads = list(torch.autograd.grad(loss, params))\n",
                  "        loss.backward()\n"
                  "        grads = [p.grad.clone() for p in params]\n"
                  "        for p in params:\n"
                  "            p.grad.zero_()  # ready for the next shard\n")),
            named="left .grad set"),
    # train_data_parallel
    Mistake("allreduce_without_divide", "train_data_parallel",
            edit(REFERENCE, (DIVIDE, "                    p -= lr * g\n")), named="not divided by world_size"),
    Mistake("no_allreduce", "train_data_parallel",
            edit(REFERENCE, (ALLREDUCE, "")), named="ranks stepped on their own gradients"),
    Mistake("allreduce_weights_only", "train_data_parallel",
            edit(REFERENCE, (ALLREDUCE, "                    if g.dim() == 2:\n    " + ALLREDUCE),
                 (DIVIDE, "                    p -= lr * (g / world_size if g.dim() == 2 else g)\n")),
            named="weights and biases alike"),
    Mistake("no_set_epoch", "train_data_parallel",
            edit(REFERENCE, ("        sampler.set_epoch(epoch)  # a new shuffle each epoch, the same on every rank\n", "")),
            named="set_epoch(epoch) is never called"),
    Mistake("sampler_without_shuffle", "train_data_parallel",
            edit(REFERENCE, ("    sampler = DistributedSampler(data, num_replicas=world_size, rank=rank, shuffle=True, seed=seed)\n",
                             "    sampler = DistributedSampler(data, num_replicas=world_size, rank=rank, shuffle=False)\n")),
            named="seeded shuffle"),
    Mistake("layers0_updated_in_place", "train_data_parallel",
            edit(REFERENCE, ("    params = [p.detach().clone().requires_grad_(True) for layer in layers0 for p in layer]\n"
                             "    layers = list(zip(params[0::2], params[1::2]))\n"
                             "    data = TensorDataset(X, y)\n",
                             "    params = [p.requires_grad_(True) for layer in layers0 for p in layer]\n"
                             "    layers = list(zip(params[0::2], params[1::2]))\n"
                             "    data = TensorDataset(X, y)\n")),
            named="changed X, y or layers0 in place"),
    Mistake("uneven_world_not_refused", "train_data_parallel",
            edit(REFERENCE, ("    if N % world_size != 0:\n", "    if N < world_size:\n")),
            named="N=9 on world_size=2"),
    # train_accumulated
    Mistake("step_every_micro_batch", "train_accumulated",
            edit(REFERENCE, ("                (share * mse(mlp_forward(x_b, layers, activation), y_b)).backward()  # adds into .grad\n" + STEP,
                             "                (share * mse(mlp_forward(x_b, layers, activation), y_b)).backward()  # adds into .grad\n"
                             "                with torch.no_grad():\n"
                             "                    for p in params:\n"
                             "                        p -= lr * p.grad\n"
                             "                        p.grad = None\n")),
            named="after every micro-batch"),
    Mistake("loss_divided_by_accum_steps", "train_accumulated",
            edit(REFERENCE, (SHARE, "                share = 1 / accum_steps\n")), named="divided by accum_steps"),
    Mistake("micro_losses_not_scaled", "train_accumulated",
            edit(REFERENCE, (SHARE, "                share = 1.0\n")), named="sum of means"),
    Mistake("gradients_never_cleared", "train_accumulated",
            edit(REFERENCE, ("                    p -= lr * p.grad\n                    p.grad = None\n",
                             "                    p -= lr * p.grad\n")), named="never cleared"),
    Mistake("gradients_cleared_every_micro_batch", "train_accumulated",
            edit(REFERENCE, (SHARE, SHARE + "                for p in params:\n                    p.grad = None\n")),
            named="cleared before every micro-batch"),
    # ring_allreduce_time
    Mistake("ring_one_phase_only", "ring_allreduce_time",
            edit(REFERENCE, ("    steps = 2 * (p - 1)  # reduce-scatter, then all-gather\n", "    steps = p - 1\n")),
            named="all-gather"),
    Mistake("ring_whole_message_per_step", "ring_allreduce_time",
            edit(REFERENCE, (RING, "    return float(steps * (latency + num_bytes / bandwidth))\n")),
            named="whole message"),
    Mistake("ring_latency_once", "ring_allreduce_time",
            edit(REFERENCE, (RING, "    return float(latency * (p > 1) + steps * num_bytes / (p * bandwidth))\n")),
            named="latency is paid once"),
    Mistake("ring_int_for_one_worker", "ring_allreduce_time",
            edit(REFERENCE, (RING, "    if p == 1:\n        return 0\n" + RING)),
            named="a Python float"),
]

DDP = '''
    N = X.shape[0]
    if N % world_size != 0:
        raise ValueError(f"N={N} samples do not split evenly over {world_size} ranks")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    act = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[activation]
    modules: list[nn.Module] = []
    for k, (W, b) in enumerate(layers0):
        linear = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype)
        with torch.no_grad():
            linear.weight.copy_(W.T)  # nn.Linear keeps (out, in)
            linear.bias.copy_(b)
        modules += [linear] + ([act()] if k < len(layers0) - 1 else [])
    model = nn.parallel.DistributedDataParallel(nn.Sequential(*modules))  # averages gradients in backward
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    data = TensorDataset(X, y)
    sampler = DistributedSampler(data, num_replicas=world_size, rank=rank, shuffle=True, seed=seed)
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for x_b, y_b in DataLoader(data, batch_size=batch_size, sampler=sampler):
            opt.zero_grad()
            nn.functional.mse_loss(model(x_b), y_b).backward()
            opt.step()
    linears = [m for m in model.module if isinstance(m, nn.Linear)]
    return [(m.weight.detach().T.clone(), m.bias.detach().clone()) for m in linears]
'''

FLAT_BUFFER = '''
    N = X.shape[0]
    if N % world_size != 0 or batch_size < 1:
        raise ValueError(f"need N % world_size == 0 and batch_size >= 1, got N={N}, batch_size={batch_size}")
    params = [p.detach().clone().requires_grad_(True) for layer in layers0 for p in layer]
    layers = list(zip(params[0::2], params[1::2]))
    data = TensorDataset(X, y)
    sampler = DistributedSampler(data, num_replicas=world_size, rank=rank, seed=seed)
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for x_b, y_b in DataLoader(data, batch_size=batch_size, sampler=sampler):
            for p in params:
                p.grad = None
            mse(mlp_forward(x_b, layers, activation), y_b).backward()
            bucket = torch.cat([p.grad.reshape(-1) for p in params])  # one message, as DDP's buckets
            dist.all_reduce(bucket)
            bucket /= world_size
            with torch.no_grad():
                offset = 0
                for p in params:
                    p -= lr * bucket[offset:offset + p.numel()].view_as(p)
                    offset += p.numel()
    return [(W.detach(), b.detach()) for W, b in layers]
'''

OPTIM_ACCUM = '''
    if micro_batch < 1 or accum_steps < 1:
        raise ValueError("micro_batch and accum_steps must be at least 1")
    params = [nn.Parameter(p.detach().clone()) for layer in layers0 for p in layer]
    layers = list(zip(params[0::2], params[1::2]))
    opt = torch.optim.SGD(params, lr=lr)
    N, group = X.shape[0], micro_batch * accum_steps
    for _ in range(epochs):
        for start in range(0, N, group):
            stop = min(start + group, N)
            opt.zero_grad()
            for m in range(start, stop, micro_batch):
                end = min(m + micro_batch, stop)
                pred = mlp_forward(X[m:end], layers, activation)
                # sum of squared errors over the group's entries, divided by the group's count: the group's mean
                (((pred - y[m:end]) ** 2).sum() / ((stop - start) * y.shape[1])).backward()
            opt.step()
    return [(W.detach().clone(), b.detach().clone()) for W, b in layers]
'''

SHARDS_BACKWARD_FLOAT64 = '''
    if num_shards < 1 or X.shape[0] == 0:
        raise ValueError("need num_shards >= 1 and a non-empty batch")
    N = X.shape[0]
    flat = [p for layer in layers for p in layer]
    shards = []
    for idx in torch.arange(N).tensor_split(num_shards):
        replica = [p.detach().clone().requires_grad_(True) for p in flat]
        if len(idx) > 0:
            mse(mlp_forward(X[idx], list(zip(replica[0::2], replica[1::2])), activation), y[idx]).backward()
            shards.append([p.grad for p in replica])
        else:
            shards.append([torch.zeros_like(p) for p in flat])
    sizes = [len(idx) for idx in torch.arange(N).tensor_split(num_shards)]
    average = [sum(s[i].double() * n for s, n in zip(shards, sizes)) / N for i in range(len(flat))]
    return [a.to(X.dtype) for a in average], shards
'''

RING_LOOP = '''
    if num_workers < 1 or num_bytes < 0 or bandwidth <= 0 or latency < 0:
        raise ValueError("impossible ring")
    chunk = num_bytes / num_workers
    total = 0.0
    for phase in ("reduce-scatter", "all-gather"):
        for _ in range(num_workers - 1):
            total += latency + chunk / bandwidth
    return total
'''

ALTERNATIVES = [
    Alternative("ddp_nn_module_and_optim", replace_body(REFERENCE, "train_data_parallel", DDP),
                style="nn.Sequential wrapped in DistributedDataParallel, torch.optim.SGD", example="correct"),
    Alternative("all_reduce_avg", edit(REFERENCE, (ALLREDUCE, "                    dist.all_reduce(g, op=dist.ReduceOp.AVG)\n"),
                                       (DIVIDE, "                    p -= lr * g\n")),
                style="dist.ReduceOp.AVG, which gloo supports in recent PyTorch, instead of SUM and / world_size"),
    Alternative("one_flat_allreduce_bucket", replace_body(REFERENCE, "train_data_parallel", FLAT_BUFFER),
                style="backward() into .grad, one all_reduce of all gradients flattened into a bucket"),
    Alternative("optim_sgd_accumulation", replace_body(REFERENCE, "train_accumulated", OPTIM_ACCUM),
                style="nn.Parameter and torch.optim.SGD, each micro-batch's summed error over the group's count"),
    Alternative("shards_backward_float64_sum", replace_body(REFERENCE, "shard_gradients", SHARDS_BACKWARD_FLOAT64),
                style="backward() on replicas, index shards, the weighted sum in float64"),
    Alternative("ring_step_loop", replace_body(REFERENCE, "ring_allreduce_time", RING_LOOP),
                style="the ring's steps added up one by one"),
]
