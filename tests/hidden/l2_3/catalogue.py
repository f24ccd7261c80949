"""Lesson 2.3's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake must lose points on its task (named there) and nowhere
else, except the tasks in `spreads`, whose own code calls the mistaken function (a student's
backward calls their forward; their train calls all three). Each alternative keeps full marks.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("2.3")
TRAIN = ("train",)
BOTH = ("backward", "train")

LSE = "    lse = m.squeeze(1) + (logits - m).exp().sum(dim=1).log()  # (N,): every exponent is <= 0\n"
PICK = "    true_logit = logits.gather(1, y.long().unsqueeze(1)).squeeze(1)  # (N,): logits[i, y[i]]\n"
CHECK = ("    if logits.ndim != 2 or tuple(y.shape) != (logits.shape[0],):\n"
         "        raise ValueError(f\"cross_entropy needs logits (N, k) and labels (N,), got {tuple(logits.shape)} and {tuple(y.shape)}\")\n")
SLOPE = "    dZ1 = dH * (1 - H * H)  # (N, h): tanh'(z) = 1 - tanh(z)^2\n"
UPDATE = "        params = [p - lr * dp for p, dp in zip(params, grads)]  # update\n"
RECORD = "        losses.append(cross_entropy(logits, y).item())  # loss, before the update\n"

AUTOGRAD_BACKWARD = '''
    leaves = [p.detach().clone().requires_grad_(True) for p in (W1, b1, W2, b2)]
    _, logits = forward(X, *leaves)
    return tuple(torch.autograd.grad(cross_entropy(logits, y), leaves))
'''

LOOP_BACKWARD = '''
    N = X.shape[0]
    grads = [torch.zeros_like(p) for p in (W1, b1, W2, b2)]
    for i in range(N):  # one sample at a time
        x = X[i:i + 1]  # (1, d)
        H, logits = forward(x, W1, b1, W2, b2)
        dZ2 = torch.softmax(logits, dim=1)
        dZ2[0, y[i]] -= 1.0
        dZ1 = (dZ2 @ W2.T) * (1 - H * H)
        for g, part in zip(grads, (x.T @ dZ1, dZ1[0], H.T @ dZ2, dZ2[0])):
            g += part / N
    return tuple(grads)
'''

AUTOGRAD_TRAIN = '''
    if epochs < 0:
        raise ValueError("epochs must be at least 0")
    params = [p.detach().clone().requires_grad_(True) for p in (W1, b1, W2, b2)]
    losses = []
    for _ in range(epochs):
        loss = cross_entropy(forward(X, *params)[1], y)
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
    return losses, tuple(p.detach() for p in params)
'''

MISTAKES = [
    # cross_entropy
    Mistake("naive_exp", "cross_entropy", mutate(REFERENCE, LSE, "    lse = logits.exp().sum(dim=1).log()\n"),
            named="exp of the raw logits overflows"),
    Mistake("log_of_softmax", "cross_entropy",
            edit(REFERENCE, (LSE, ""), ("    return (lse - true_logit).mean()",
                                        "    P = torch.softmax(logits, dim=1)\n"
                                        "    return -P.gather(1, y.unsqueeze(1)).log().mean()")),
            named="the log of a softmax probability"),
    Mistake("sum_not_mean", "cross_entropy", mutate(REFERENCE, "return (lse - true_logit).mean()",
                                                    "return (lse - true_logit).sum()"),
            named="summed over the samples", spreads=TRAIN, example="buggy"),
    Mistake("max_not_added_back", "cross_entropy", mutate(REFERENCE, LSE, "    lse = (logits - m).exp().sum(dim=1).log()\n"),
            named="not added back", spreads=TRAIN),
    Mistake("pick_table", "cross_entropy", mutate(REFERENCE, PICK, "    true_logit = logits[:, y]\n"),
            named="N x N table", spreads=TRAIN),
    Mistake("no_shape_check", "cross_entropy", mutate(REFERENCE, CHECK, ""), named="ValueError"),
    Mistake("float64_loss", "cross_entropy", mutate(REFERENCE, CHECK, CHECK + "    logits = logits.double()\n"),
            named="the logits' dtype"),
    # forward
    Mistake("relu_hidden", "forward", mutate(REFERENCE, "H = torch.tanh(X @ W1 + b1)  # (N, h)",
                                             "H = torch.relu(X @ W1 + b1)  # (N, h)"),
            named="ReLU in the hidden layer", spreads=BOTH),
    Mistake("no_b1", "forward", mutate(REFERENCE, "H = torch.tanh(X @ W1 + b1)  # (N, h)", "H = torch.tanh(X @ W1)"),
            named="b1 is left out", spreads=BOTH),
    Mistake("returns_preactivation", "forward", edit(REFERENCE, ("H = torch.tanh(X @ W1 + b1)  # (N, h)",
                                                                 "Z1 = X @ W1 + b1\n    H = torch.tanh(Z1)"),
                                                     ("    return H, logits\n", "    return Z1, logits\n")),
            named="pre-activation X @ W1 + b1 is returned", spreads=BOTH),
    # backward
    Mistake("no_mean", "backward", mutate(REFERENCE, "    dZ2 /= N  # the loss is a mean over N samples\n", ""),
            named="not divided by N", spreads=TRAIN),
    Mistake("no_onehot", "backward", mutate(REFERENCE, "    dZ2[torch.arange(N), y] -= 1.0  # P - Y\n", ""),
            named="one-hot labels are not subtracted", spreads=TRAIN),
    Mistake("slope_on_preactivation", "backward", mutate(REFERENCE, SLOPE, "    dZ1 = dH * (1 - (X @ W1 + b1) ** 2)\n"),
            named="from the pre-activation", spreads=TRAIN),
    Mistake("slope_one_minus_h", "backward", mutate(REFERENCE, SLOPE, "    dZ1 = dH * (1 - H)\n"),
            named="written 1 - H", spreads=TRAIN),
    Mistake("dW2_transposed", "backward", mutate(REFERENCE, "dW2 = H.T @ dZ2  # (h, k)", "dW2 = dZ2.T @ H"),
            named="its parameter's shape", spreads=TRAIN),
    Mistake("autograd_backward", "backward", replace_body(REFERENCE, "backward", AUTOGRAD_BACKWARD),
            named="relies on autograd", spreads=TRAIN),
    Mistake("loop_over_samples", "backward", replace_body(REFERENCE, "backward", LOOP_BACKWARD),
            named="loop over the samples", spreads=TRAIN, example="slow"),
    # train
    Mistake("loss_after_update", "train", edit(REFERENCE, (RECORD, ""), (UPDATE, UPDATE + RECORD.replace(
        "cross_entropy(logits, y)", "cross_entropy(forward(X, *params)[1], y)"))),
            named="recorded after the update"),
    Mistake("gradient_ascent", "train", mutate(REFERENCE, "p - lr * dp", "p + lr * dp"),
            named="adds the gradient"),
    Mistake("updates_inputs_in_place", "train", edit(REFERENCE, (
        "    params = [p.clone() for p in (W1, b1, W2, b2)]", "    params = [W1, b1, W2, b2]"), (
        UPDATE, "        for p, dp in zip(params, grads):\n            p -= lr * dp\n")),
            named="changed its input"),
    Mistake("autograd_train", "train", replace_body(REFERENCE, "train", AUTOGRAD_TRAIN), named="relies on autograd"),
    Mistake("tensor_losses", "train", mutate(REFERENCE, "cross_entropy(logits, y).item())", "cross_entropy(logits, y))"),
            named="not a Python float"),
    Mistake("negative_epochs_allowed", "train", mutate(REFERENCE, "    if epochs < 0:\n        raise ValueError(f\"epochs must be at least 0, got {epochs}\")\n", ""),
            named="negative number of epochs"),
]

ALTERNATIVES = [
    Alternative("logsumexp_one_hot_dict", edit(
        REFERENCE,
        (LSE + PICK, "    lse = torch.logsumexp(logits, dim=1)\n"
                     "    true_logit = logits[torch.arange(logits.shape[0]), y]\n"),
        ("    dZ2 = torch.softmax(logits, dim=1)  # (N, k): P, a new tensor\n"
         "    dZ2[torch.arange(N), y] -= 1.0  # P - Y\n"
         "    dZ2 /= N  # the loss is a mean over N samples\n",
         "    Y = torch.nn.functional.one_hot(y, logits.shape[1]).to(logits.dtype)\n"
         "    dZ2 = (torch.softmax(logits, dim=1) - Y) / N\n"),
        ("    params = [p.clone() for p in (W1, b1, W2, b2)]", "    params = {n: p.clone() for n, p in zip('W1 b1 W2 b2'.split(), (W1, b1, W2, b2))}"),
        ("        _, logits = forward(X, *params)  # forward", "        _, logits = forward(X, *params.values())"),
        ("        grads = backward(X, y, *params)  # backward, by hand", "        grads = dict(zip(params, backward(X, y, *params.values())))"),
        (UPDATE, "        params = {n: p - lr * grads[n] for n, p in params.items()}\n"),
        ("    return losses, tuple(params)", "    return losses, tuple(params.values())")),
        style="torch.logsumexp, a one-hot matrix, parameters in a dict", example="correct"),
    Alternative("hand_log_softmax_inline_backward", edit(
        REFERENCE,
        (LSE + PICK + "    return (lse - true_logit).mean()",
         "    shifted = logits - m\n"
         "    log_p = shifted - shifted.exp().sum(dim=1, keepdim=True).log()  # log-softmax, (N, k)\n"
         "    Y = torch.zeros_like(logits)\n"
         "    Y[torch.arange(logits.shape[0]), y] = 1.0\n"
         "    return -(Y * log_p).sum() / logits.shape[0]"),
        ("    H, logits = forward(X, W1, b1, W2, b2)  # (N, h), (N, k)\n",
         "    Z1 = X @ W1 + b1\n    H = torch.tanh(Z1)\n    logits = H @ W2 + b2\n"),
        (SLOPE, "    dZ1 = dH * (1 - torch.tanh(Z1) ** 2)\n")),
        style="log-softmax by hand with a one-hot product; backward recomputes the forward inline"),
    Alternative("in_place_updates_on_copies", edit(
        REFERENCE,
        ("    params = [p.clone() for p in (W1, b1, W2, b2)]", "    params = [p.detach().clone() for p in (W1, b1, W2, b2)]"),
        (UPDATE, "        with torch.no_grad():\n            for p, dp in zip(params, grads):\n                p.sub_(lr * dp)\n"),
        ("    dW2 = H.T @ dZ2  # (h, k)", "    dW2 = torch.einsum('nh,nk->hk', H, dZ2)")),
        style="in-place updates of cloned parameters under torch.no_grad(), einsum for dW2"),
]
