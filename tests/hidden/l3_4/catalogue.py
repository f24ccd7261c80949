"""Lesson 3.4's proof that its checks work: realistic mistakes and correct alternative styles.

Each mistake is the reference solution with one thing done wrong, in the function it belongs to; grading
it must cost points on that function's task and name the mistake there. train_deep calls deep_forward
and clip_grad_norm_ (as a student's own train_deep does), so a mistake in either may cost train_deep
points too (`spreads`). The alternatives are correct solutions in other styles: PyTorch's own
functional API, float64 arithmetic with torch.var_mean, and torch.optim with torch.autograd.grad.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("3.4")
TRAIN = ("train_deep",)

# --- pieces of the reference that the mistakes change --------------------------------------

SKIP = "h = h + z if residual else z  # the skip adds the block's input back: a new tensor"
BLOCK = "z = f(h @ W + b)  # (N, d): the block's own output"
FIRST = "h = f(x @ layers[0][0] + layers[0][1]) if len(layers) > 1 else x  # (N, d_1): no skip"
SQUARE = '''        if residual and 1 < k < len(layers) and W.shape[0] != W.shape[1]:
            raise ValueError(f"layer {k} maps width {W.shape[0]} to {W.shape[1]}: a skip connection "
                             f"needs a square hidden layer")
'''
COEF = "clip_coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)"
TOTAL = "total = torch.linalg.vector_norm(norms)  # sqrt of the sum of all squares"
MUL = "            g.mul_(clip_coef)  # in place: the caller's tensors change\n"
RETURN_TOTAL = "return total.item()  # the norm before clipping"
NORMS = "        grad_norms.append([W.grad.norm().item() for W, _ in layers])  # before clipping\n"
CLIP_CALL = '''        if max_norm is not None:
            clip_grad_norm_([p.grad for p in params], max_norm)
'''
RECORD = "        losses.append(loss.item())  # before the update\n"
UPDATE_END = "                p.grad = None\n"
COPIES = '''    layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))
              for W, b in layers0]
'''
BN_VAR = "var = ((x - mean) ** 2).mean(dim=0)  # (C,): biased, to normalise"
BN_RM = "new_mean = (1 - momentum) * running_mean + momentum * mean"
BN_RV = "new_var = (1 - momentum) * running_var + momentum * var * N / (N - 1)  # unbiased"
BN_EVAL = "        mean, var = running_mean, running_var\n"
BN_Y = "y = (x - mean) / torch.sqrt(var + eps) * gamma + beta  # (N, C)"
BN_MEAN = "mean = x.mean(dim=0)  # (C,)"
LN_MEAN = "mean = x.mean(dim=-1, keepdim=True)  # (..., 1)"
LN_VAR = "var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)  # (..., 1): biased"
LN_Y = "return (x - mean) / torch.sqrt(var + eps) * gamma + beta  # (..., D)"

FORWARD_MISTAKES = [
    Mistake("skip_ignored", "deep_forward", mutate(REFERENCE, SKIP, "h = z"), "residual=True is ignored",
            spreads=TRAIN),
    Mistake("activation_after_sum", "deep_forward",
            edit(REFERENCE, (BLOCK, "z = h @ W + b"), (SKIP, "h = f(h + z) if residual else f(z)")),
            "the activation is applied after the sum", spreads=TRAIN, example="buggy"),
    Mistake("skip_around_first_layer", "deep_forward",
            mutate(REFERENCE, FIRST, FIRST + "\n    if residual and len(layers) > 1 and h.shape == x.shape:\n"
                                             "        h = x + h"),
            "the first layer has a skip connection too", spreads=TRAIN),
    Mistake("in_place_add", "deep_forward",
            mutate(REFERENCE, SKIP, "if residual:\n            h += z\n        else:\n            h = z"),
            "changed in place (h += f(...))", spreads=TRAIN),
    Mistake("square_not_checked", "deep_forward", mutate(REFERENCE, SQUARE, ""),
            "the contract asks for ValueError"),
]

PER_TENSOR = '''
    if max_norm < 0:
        raise ValueError(f"max_norm must be at least 0, got {max_norm}")
    if len(grads) == 0:
        return 0.0
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    with torch.no_grad():
        for g in grads:
            g.mul_(torch.clamp(max_norm / (torch.linalg.vector_norm(g) + 1e-6), max=1.0))  # its own norm
    return total.item()
'''

CLIP_MISTAKES = [
    Mistake("per_tensor", "clip_grad_norm_", replace_body(REFERENCE, "clip_grad_norm_", PER_TENSOR),
            "each tensor is clipped by its own norm", spreads=TRAIN),
    Mistake("no_epsilon", "clip_grad_norm_", mutate(REFERENCE, COEF, "clip_coef = torch.clamp(max_norm / total, max=1.0)"),
            "PyTorch divides by total + 1e-6", spreads=TRAIN),
    Mistake("scales_up", "clip_grad_norm_", mutate(REFERENCE, COEF, "clip_coef = max_norm / (total + 1e-6)"),
            "scaled UP", spreads=TRAIN),
    Mistake("norm_after_clipping", "clip_grad_norm_",
            mutate(REFERENCE, RETURN_TOTAL,
                   "return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])).item()"),
            "the norm AFTER clipping is returned"),
    Mistake("not_in_place", "clip_grad_norm_",
            edit(REFERENCE, (MUL, "            g = g * clip_coef  # a new tensor: the caller's stays as it was\n")),
            "the gradients are not changed in place", spreads=TRAIN),
    Mistake("sum_of_norms", "clip_grad_norm_", mutate(REFERENCE, TOTAL, "total = norms.sum()"),
            "the global norm is the sum of the tensors' norms", spreads=TRAIN),
    Mistake("only_above_max_norm", "clip_grad_norm_",
            mutate(REFERENCE, MUL, "            if total > max_norm:\n                g.mul_(clip_coef)\n"),
            "there is no `if`"),
]

TRAIN_MISTAKES = [
    Mistake("norms_after_clipping", "train_deep",
            edit(REFERENCE, (NORMS, ""), (CLIP_CALL, CLIP_CALL + NORMS)),
            "the norms are recorded after clipping"),
    Mistake("loss_after_update", "train_deep",
            edit(REFERENCE, (RECORD, ""),
                 (UPDATE_END, UPDATE_END + "        with torch.no_grad():\n            losses.append(F.binary_cross_"
                  "entropy_with_logits(deep_forward(X, layers, activation, residual), y).item())\n")),
            "the loss is recorded after the update"),
    Mistake("clip_weights_only", "train_deep",
            mutate(REFERENCE, "clip_grad_norm_([p.grad for p in params], max_norm)",
                   "clip_grad_norm_([W.grad for W, _ in layers], max_norm)"),
            "only the weight gradients are clipped"),
    Mistake("bias_in_norm", "train_deep",
            mutate(REFERENCE, "[W.grad.norm().item() for W, _ in layers]",
                   "[torch.cat([W.grad.flatten(), b.grad]).norm().item() for W, b in layers]"),
            "the bias gradient is included"),
    Mistake("max_norm_ignored", "train_deep", mutate(REFERENCE, CLIP_CALL, ""), "max_norm is ignored"),
    Mistake("layers0_trained_in_place", "train_deep",
            mutate(REFERENCE, COPIES, "    layers = [(W.requires_grad_(True), b.requires_grad_(True)) for W, b in layers0]\n"),
            "changed layers0 in place"),
]

BATCH_MISTAKES = [
    Mistake("unbiased_to_normalise", "batch_norm",
            edit(REFERENCE, (BN_VAR, "var = x.var(dim=0)  # unbiased"),
                 (BN_RV, "new_var = (1 - momentum) * running_var + momentum * var")),
            "normalised with the unbiased variance"),
    Mistake("biased_running_var", "batch_norm",
            mutate(REFERENCE, BN_RV, "new_var = (1 - momentum) * running_var + momentum * var"),
            "updated with the biased batch variance"),
    Mistake("momentum_weighs_old", "batch_norm",
            edit(REFERENCE, (BN_RM, "new_mean = momentum * running_mean + (1 - momentum) * mean"),
                 (BN_RV, "new_var = momentum * running_var + (1 - momentum) * var * N / (N - 1)")),
            "momentum weighs the old estimate"),
    Mistake("batch_stats_in_eval", "batch_norm",
            mutate(REFERENCE, BN_EVAL, "        mean, var = x.mean(dim=0), ((x - x.mean(dim=0)) ** 2).mean(dim=0)\n"),
            "evaluation mode normalises with the batch's own statistics"),
    Mistake("running_updated_in_place", "batch_norm",
            edit(REFERENCE, (BN_RM, "new_mean = running_mean.mul_(1 - momentum).add_(momentum * mean)"),
                 (BN_RV, "new_var = running_var.mul_(1 - momentum).add_(momentum * var * N / (N - 1))")),
            "changed its input `running_mean` in place"),
    Mistake("eps_outside_sqrt", "batch_norm",
            mutate(REFERENCE, BN_Y, "y = (x - mean) / (torch.sqrt(var) + eps) * gamma + beta"),
            "eps is added outside the square root"),
    Mistake("batch_stats_detached", "batch_norm",
            edit(REFERENCE, (BN_MEAN, "mean = x.mean(dim=0).detach()"),
                 (BN_VAR, "var = ((x - mean) ** 2).mean(dim=0).detach()")),
            "the batch mean or variance is detached"),
    Mistake("running_keeps_graph", "batch_norm",
            edit(REFERENCE, ("        with torch.no_grad():  # the running estimates are buffers: no gradient\n", ""),
                 ("            new_mean = (1 - momentum)", "        new_mean = (1 - momentum)"),
                 ("            new_var = (1 - momentum)", "        new_var = (1 - momentum)"),
                 ("return y, new_mean.detach(), new_var.detach()", "return y, new_mean, new_var")),
            "running estimates require a gradient"),
]

LOOP_OVER_ROWS = '''
    D = x.shape[-1]
    if tuple(gamma.shape) != (D,) or tuple(beta.shape) != (D,):
        raise ValueError("gamma and beta must have shape (D,)")
    rows = x.reshape(-1, D)
    out = []
    for row in rows:  # one sample at a time
        mean = row.mean()
        var = ((row - mean) ** 2).mean()
        out.append((row - mean) / torch.sqrt(var + eps) * gamma + beta)
    return torch.stack(out).reshape(x.shape) if out else x.clone()
'''

LAYER_MISTAKES = [
    Mistake("over_the_batch", "layer_norm",
            edit(REFERENCE, (LN_MEAN, "mean = x.mean(dim=0, keepdim=True)"),
                 (LN_VAR, "var = ((x - mean) ** 2).mean(dim=0, keepdim=True)")),
            "the statistics are taken over the batch"),
    Mistake("unbiased_variance", "layer_norm", mutate(REFERENCE, LN_VAR, "var = x.var(dim=-1, keepdim=True)"),
            "the unbiased variance is used"),
    Mistake("eps_outside_sqrt", "layer_norm",
            mutate(REFERENCE, LN_Y, "return (x - mean) / (torch.sqrt(var) + eps) * gamma + beta"),
            "eps is added outside the square root"),
    Mistake("loop_over_rows", "layer_norm", replace_body(REFERENCE, "layer_norm", LOOP_OVER_ROWS),
            "a Python loop over the samples", example="slow"),
]

MISTAKES = FORWARD_MISTAKES + CLIP_MISTAKES + TRAIN_MISTAKES + BATCH_MISTAKES + LAYER_MISTAKES

# --- correct alternatives -------------------------------------------------------------------

FUNCTIONAL_FORWARD = '''
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    if not layers:
        raise ValueError("an MLP needs at least one layer")
    width = x.shape[1]
    for k, (W, b) in enumerate(layers, 1):
        if W.shape[0] != width or b.shape != (W.shape[1],):
            raise ValueError(f"layer {k} does not chain")
        if residual and 1 < k < len(layers) and W.shape[0] != W.shape[1]:
            raise ValueError(f"layer {k} is not square")
        width = W.shape[1]
    act = {"relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[activation]
    h = x
    for k, (W, b) in enumerate(layers, 1):
        if k == len(layers):
            return F.linear(h, W.T, b)  # nn.Linear's own function: weight is W.T
        block = act(F.linear(h, W.T, b))
        h = torch.add(h, block) if residual and k > 1 else block
'''

FUNCTIONAL_CLIP = '''
    if max_norm < 0:
        raise ValueError("max_norm must be at least 0")
    if not grads:
        return 0.0
    holders = []
    for g in grads:
        p = torch.zeros_like(g, requires_grad=True)
        p.grad = g  # the same tensor: PyTorch scales it in place
        holders.append(p)
    return torch.nn.utils.clip_grad_norm_(holders, max_norm).item()
'''

FUNCTIONAL_BATCH = '''
    if x.dim() != 2:
        raise ValueError("x must be (N, C)")
    C = x.shape[1]
    if any(t.shape != (C,) for t in (gamma, beta, running_mean, running_var)):
        raise ValueError("parameters must be (C,)")
    if training and x.shape[0] < 2:
        raise ValueError("need at least 2 samples in training mode")
    rm, rv = running_mean.clone(), running_var.clone()  # F.batch_norm updates these copies in place
    y = F.batch_norm(x, rm, rv, gamma, beta, training, momentum, eps)
    return y, rm, rv
'''

FUNCTIONAL_LAYER = '''
    if gamma.shape != (x.shape[-1],) or beta.shape != (x.shape[-1],):
        raise ValueError("gamma and beta must be (D,)")
    return F.layer_norm(x, (x.shape[-1],), gamma, beta, eps)
'''

FUNCTIONAL = replace_body(replace_body(replace_body(replace_body(
    REFERENCE, "deep_forward", FUNCTIONAL_FORWARD), "clip_grad_norm_", FUNCTIONAL_CLIP),
    "batch_norm", FUNCTIONAL_BATCH), "layer_norm", FUNCTIONAL_LAYER)

FLOAT64_BATCH = '''
    if x.dim() != 2:
        raise ValueError("x must be (N, C)")
    N, C = x.shape
    for t in (gamma, beta, running_mean, running_var):
        if t.shape != (C,):
            raise ValueError("parameters must be (C,)")
    xd = x.double()
    if training:
        if N < 2:
            raise ValueError("need at least 2 samples in training mode")
        var, mean = torch.var_mean(xd, dim=0, correction=0)
        unbiased = torch.var(xd.detach(), dim=0, correction=1)
        new_mean = running_mean.double() + momentum * (mean.detach() - running_mean.double())
        new_var = running_var.double() + momentum * (unbiased - running_var.double())
    else:
        mean, var = running_mean.double(), running_var.double()
        new_mean, new_var = mean, var
    y = (xd - mean) * torch.rsqrt(var + eps) * gamma.double() + beta.double()
    return y.to(x.dtype), new_mean.to(x.dtype).detach().clone(), new_var.to(x.dtype).detach().clone()
'''

FLOAT64_LAYER = '''
    if gamma.shape != (x.shape[-1],) or beta.shape != (x.shape[-1],):
        raise ValueError("gamma and beta must be (D,)")
    var, mean = torch.var_mean(x.double(), dim=-1, keepdim=True, correction=0)
    return ((x.double() - mean) * torch.rsqrt(var + eps) * gamma.double() + beta.double()).to(x.dtype)
'''

FLOAT64_CLIP = '''
    if max_norm < 0:
        raise ValueError("max_norm must be at least 0")
    if not grads:
        return 0.0
    total = torch.cat([g.detach().double().flatten() for g in grads]).pow(2).sum().sqrt().item()
    factor = min(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        g.mul_(factor)
    return total
'''

FLOAT64 = replace_body(replace_body(replace_body(REFERENCE, "batch_norm", FLOAT64_BATCH), "layer_norm",
                                    FLOAT64_LAYER), "clip_grad_norm_", FLOAT64_CLIP)

OPTIM_TRAIN = '''
    if epochs < 0 or (max_norm is not None and max_norm < 0):
        raise ValueError("epochs and max_norm must be at least 0")
    params = [t.detach().clone().requires_grad_(True) for layer in layers0 for t in layer]
    layers = list(zip(params[0::2], params[1::2]))
    if y.shape != (X.shape[0], layers[-1][0].shape[1]):
        raise ValueError("y must have the output's shape")
    optimiser = torch.optim.SGD(params, lr=lr)
    losses, grad_norms = [], []
    for _ in range(epochs):
        loss = F.binary_cross_entropy_with_logits(deep_forward(X, layers, activation, residual), y)
        grads = torch.autograd.grad(loss, params)
        for p, g in zip(params, grads):
            p.grad = g
        losses.append(float(loss))
        grad_norms.append([float(torch.linalg.matrix_norm(p.grad)) for p in params[0::2]])
        if max_norm is not None:
            torch.nn.utils.clip_grad_norm_(params, max_norm)
        optimiser.step()
        optimiser.zero_grad()
    return losses, grad_norms
'''

LOOP_FORWARD = '''
    names = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
    if activation not in names or len(layers) == 0:
        raise ValueError("bad activation or no layers")
    shapes = [x.shape[1]] + [W.shape[1] for W, _ in layers]
    for k, (W, b) in enumerate(layers):
        if W.shape != (shapes[k], shapes[k + 1]) or b.shape != (shapes[k + 1],):
            raise ValueError(f"layer {k + 1} does not chain")
    if residual and any(shapes[k] != shapes[k + 1] for k in range(1, len(layers) - 1)):
        raise ValueError("a skip connection needs square hidden layers")
    outputs = [x]
    for k, (W, b) in enumerate(layers):
        z = torch.addmm(b, outputs[-1], W)
        if k == len(layers) - 1:
            outputs.append(z)
        elif residual and k > 0:
            outputs.append(outputs[-1] + names[activation](z))
        else:
            outputs.append(names[activation](z))
    return outputs[-1]
'''

OPTIM = replace_body(replace_body(REFERENCE, "train_deep", OPTIM_TRAIN), "deep_forward", LOOP_FORWARD)

ALTERNATIVES = [
    Alternative("torch_functional", FUNCTIONAL, "PyTorch's own F.linear, F.batch_norm, F.layer_norm and "
                "torch.nn.utils.clip_grad_norm_ behind the plain-data contracts", example="correct"),
    Alternative("float64_var_mean", FLOAT64, "float64 arithmetic with torch.var_mean and rsqrt, cast back to "
                "the input's dtype; clipping with one concatenated vector"),
    Alternative("optim_sgd_and_autograd_grad", OPTIM, "torch.optim.SGD, torch.autograd.grad and torch's "
                "clip_grad_norm_ in the loop; a forward pass that keeps every layer's output"),
]
