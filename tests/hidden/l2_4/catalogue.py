"""Lesson 2.4's proof that its checks work: realistic mistakes and correct alternative styles.

Each mistake is the reference solution with one thing done wrong, in the function it belongs to;
grading it must cost points on that function's task, name the mistake there, and leave every
other task at full marks (the four functions never call each other). The alternatives are
correct solutions in other styles: nn.Sequential with torch.optim, float64 arithmetic with the
backward pass written by hand, and probing the network instead of multiplying matrices.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("2.4")

# --- pieces of the reference that the mistakes change --------------------------------------

BIAS_STEP = "b = b @ W_k + b_k  # (d_k,): the bias so far goes through layer k, which adds its own"
PRODUCT = "W = W @ W_k  # (d_0, d_k)"
COLLAPSE_RETURN = "return W.clone(), b.clone()"
SHAPE_CHECK = '''    for k, (W_k, b_k) in enumerate(layers, 1):
        if tuple(b_k.shape) != (W_k.shape[1],):
            raise ValueError(f"layer {k}: b has shape {tuple(b_k.shape)}, expected ({W_k.shape[1]},)")
        if k < len(layers) and W_k.shape[1] != layers[k][0].shape[0]:
            raise ValueError(f"layer {k} has {W_k.shape[1]} outputs but layer {k + 1} expects "
                             f"{layers[k][0].shape[0]} inputs")
'''
EMPTY_CHECK = '''    if len(layers) == 0:
        raise ValueError("an MLP needs at least one layer")
    for k, (W_k, b_k)'''
RELU_STEP = "h = torch.relu(h @ W + b)  # (N, d_k)"
DEAD_TEST = "dead = (h == 0).all(dim=0)  # (d_k,): zero on every row of the batch"
DEAD_APPEND = "fractions.append(dead.float().mean().item())"
NORMS = "return [W.grad.norm().item() for W, _ in params]"
GRAD_LOSS = "loss = F.binary_cross_entropy_with_logits(logits, y)\n    loss.backward()"
TRAIN_COPIES = '''        layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))
                  for W, b in layers0]  # every run starts from layers0
'''
TRAIN_LOSS = "loss = F.binary_cross_entropy_with_logits(mlp_forward(X, layers, name), y)\n            losses"
RECORD = "            losses.append(loss.item())  # before the update\n"
CLEAR = "                    W.grad, b.grad = None, None\n"
NAME_CHECK = '''    unknown = [name for name in activations if name not in ACTIVATIONS]
    if unknown:
        raise ValueError(f"unknown activations {unknown}; expected names among {list(ACTIVATIONS)}")
'''

COLLAPSE_MISTAKES = [
    Mistake("biases_added_up", "collapse_linear", mutate(REFERENCE, BIAS_STEP, "b = b + b_k"),
            "the biases are added up", example="buggy"),
    Mistake("last_bias_only", "collapse_linear", mutate(REFERENCE, BIAS_STEP, "b = b_k"),
            "only the last layer's bias is kept"),
    Mistake("bias_through_whole_product", "collapse_linear",
            edit(REFERENCE, (BIAS_STEP, "W = W @ W_k"), (PRODUCT, "b = b @ W + b_k")),
            "pushed through the product of all the weights so far"),
    Mistake("biases_left_out", "collapse_linear",
            mutate(REFERENCE, COLLAPSE_RETURN, "return W.clone(), torch.zeros_like(b)"),
            "the biases are left out"),
    Mistake("product_in_reverse_order", "collapse_linear", mutate(REFERENCE, PRODUCT, "W = W_k @ W"),
            "multiplied in the wrong order"),
    Mistake("W_transposed", "collapse_linear",
            mutate(REFERENCE, COLLAPSE_RETURN, "return W.T.clone(), b.clone()"),
            "W is returned transposed"),
    Mistake("shapes_not_checked", "collapse_linear", mutate(REFERENCE, SHAPE_CHECK, ""),
            "the contract asks for ValueError"),
    Mistake("empty_layers_not_checked", "collapse_linear",
            mutate(REFERENCE, EMPTY_CHECK, "    for k, (W_k, b_k)"),
            "layers=[]) raised IndexError; the contract asks for ValueError"),
]

PER_SAMPLE_DEAD = '''
    if x.shape[0] == 0:
        raise ValueError("the batch needs at least one row")
    if len(layers) == 0:
        raise ValueError("an MLP needs at least one layer")
    fractions = []
    rows = [x[i] for i in range(x.shape[0])]
    for W, b in layers[:-1]:
        rows = [torch.relu(r @ W + b) for r in rows]  # one sample at a time
        dead = 0
        for j in range(W.shape[1]):
            if all(r[j].item() == 0 for r in rows):
                dead += 1
        fractions.append(dead / W.shape[1])
    return fractions
'''

DEAD_MISTAKES = [
    Mistake("zero_on_any_row", "dead_relu_fraction",
            mutate(REFERENCE, DEAD_TEST, "dead = (h == 0).any(dim=0)"), "zero on some input"),
    Mistake("zero_entries_counted", "dead_relu_fraction",
            mutate(REFERENCE, DEAD_TEST, "dead = (h == 0)"), "the fraction of zero entries"),
    Mistake("strictly_negative", "dead_relu_fraction",
            edit(REFERENCE, (RELU_STEP, "z = h @ W + b\n        h = torch.relu(z)"),
                 (DEAD_TEST, "dead = (z < 0).all(dim=0)")),
            "units whose input is exactly 0 are not counted"),
    Mistake("output_layer_counted", "dead_relu_fraction",
            mutate(REFERENCE, "for W, b in layers[:-1]:", "for W, b in layers:"),
            ("expected 2, one per hidden layer", "the output layer is counted")),
    Mistake("pre_activations_fed_forward", "dead_relu_fraction",
            edit(REFERENCE, (RELU_STEP, "h = h @ W + b"), (DEAD_TEST, "dead = (h <= 0).all(dim=0)")),
            "fed the pre-activations"),
    Mistake("count_not_fraction", "dead_relu_fraction",
            mutate(REFERENCE, DEAD_APPEND, "fractions.append(dead.sum().item())"),
            "the number of dead units is returned"),
    Mistake("item_forgotten", "dead_relu_fraction",
            mutate(REFERENCE, DEAD_APPEND, "fractions.append(dead.float().mean())"),
            "call .item()"),
    Mistake("loop_over_samples_and_units", "dead_relu_fraction",
            replace_body(REFERENCE, "dead_relu_fraction", PER_SAMPLE_DEAD),
            "a Python loop over the samples or the units", example="slow"),
]

GRAD_MISTAKES = [
    Mistake("output_layer_first", "layer_grad_norms",
            mutate(REFERENCE, NORMS, "return [W.grad.norm().item() for W, _ in params][::-1]"),
            "listed from the output layer back"),
    Mistake("weight_norms", "layer_grad_norms",
            mutate(REFERENCE, NORMS, "return [W.detach().norm().item() for W, _ in params]"),
            "the norms of the weights W_k are returned"),
    Mistake("squared_norm", "layer_grad_norms",
            mutate(REFERENCE, NORMS, "return [(W.grad ** 2).sum().item() for W, _ in params]"),
            "the squared norm"),
    Mistake("loss_summed", "layer_grad_norms",
            mutate(REFERENCE, GRAD_LOSS,
                   "loss = F.binary_cross_entropy_with_logits(logits, y, reduction=\"sum\")\n    loss.backward()"),
            "the loss is summed over the samples"),
    Mistake("mse_loss", "layer_grad_norms",
            mutate(REFERENCE, GRAD_LOSS, "loss = ((logits - y) ** 2).mean()\n    loss.backward()"),
            "the loss is the mean squared error"),
    Mistake("bias_in_the_norm", "layer_grad_norms",
            mutate(REFERENCE, NORMS, "return [torch.cat([W.grad.flatten(), b.grad]).norm().item() "
                                     "for W, b in params]"),
            "the bias gradient is included"),
    Mistake("sigmoid_twice", "layer_grad_norms",
            mutate(REFERENCE, GRAD_LOSS,
                   "loss = F.binary_cross_entropy_with_logits(torch.sigmoid(logits), y)\n    loss.backward()"),
            "sigmoid is applied to the logits"),
]

TRAIN_MISTAKES = [
    Mistake("one_copy_for_all_runs", "train_curves",
            edit(REFERENCE, (TRAIN_COPIES, ""),
                 ("    curves: dict[str, list[float]] = {}\n",
                  "    curves: dict[str, list[float]] = {}\n" + TRAIN_COPIES.replace("        ", "    ", 2))),
            "the runs share one copy of the layers"),
    Mistake("layers0_trained_in_place", "train_curves",
            mutate(REFERENCE, TRAIN_COPIES,
                   "        layers = [(W.requires_grad_(True), b.requires_grad_(True)) for W, b in layers0]\n"),
            "changed layers0 in place"),
    Mistake("loss_after_update", "train_curves",
            edit(REFERENCE, (RECORD, ""),
                 (CLEAR, CLEAR + "            with torch.no_grad():\n                losses.append("
                         "F.binary_cross_entropy_with_logits(mlp_forward(X, layers, name), y).item())\n")),
            "the loss is recorded after the update"),
    Mistake("gradients_not_cleared", "train_curves", mutate(REFERENCE, CLEAR, ""),
            "the gradients are never cleared"),
    Mistake("loss_summed", "train_curves",
            mutate(REFERENCE, TRAIN_LOSS, "loss = F.binary_cross_entropy_with_logits(mlp_forward(X, layers, "
                                          "name), y, reduction=\"sum\")\n            losses"),
            "the loss is summed over the samples"),
    Mistake("gradient_ascent", "train_curves",
            edit(REFERENCE, ("W -= lr * W.grad", "W += lr * W.grad"), ("b -= lr * b.grad", "b += lr * b.grad")),
            "the step goes up the gradient"),
    Mistake("biases_not_updated", "train_curves", mutate(REFERENCE, "                    b -= lr * b.grad\n", ""),
            "the biases are never updated"),
    Mistake("one_epoch_too_many", "train_curves",
            mutate(REFERENCE, "        for _ in range(epochs):\n            loss = F.binary",
                   "        for _ in range(epochs + 1):\n            loss = F.binary"),
            "losses for epochs="),
    Mistake("names_not_checked_first", "train_curves", mutate(REFERENCE, NAME_CHECK, ""),
            "epochs=0) returned instead of raising ValueError"),
    Mistake("fresh_random_start", "train_curves",
            mutate(REFERENCE, TRAIN_COPIES,
                   "        sizes = [layers0[0][0].shape[0]] + [W.shape[1] for W, _ in layers0]\n"
                   "        layers = [(W.requires_grad_(True), b.requires_grad_(True))\n"
                   "                  for W, b in init_mlp(sizes, torch.default_generator, X.dtype)]\n"),
            "the global random seed changed"),
]

MISTAKES = COLLAPSE_MISTAKES + DEAD_MISTAKES + GRAD_MISTAKES + TRAIN_MISTAKES


# --- correct alternatives -------------------------------------------------------------------

PROBED_COLLAPSE = '''
    if len(layers) == 0:
        raise ValueError("an MLP needs at least one layer")
    for (W_k, b_k), (W_next, _) in zip(layers, list(layers[1:]) + [(None, None)]):
        if b_k.shape != (W_k.shape[1],) or (W_next is not None and W_next.shape[0] != W_k.shape[1]):
            raise ValueError("the shapes of the layers do not chain")
    d_0 = layers[0][0].shape[0]
    dtype = layers[0][0].dtype
    with torch.no_grad():
        b = mlp_forward(torch.zeros(1, d_0, dtype=dtype), layers, "identity")[0]  # the output at x = 0
        W = mlp_forward(torch.eye(d_0, dtype=dtype), layers, "identity") - b  # row i: the response to e_i
    return W, b
'''

SEQUENTIAL_GRADS = '''
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    modules: list[nn.Module] = []
    for k, (W, b) in enumerate(layers):
        linear = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype)
        with torch.no_grad():
            linear.weight.copy_(W.T)  # nn.Linear stores (out, in)
            linear.bias.copy_(b)
        modules.append(linear)
        if k < len(layers) - 1:
            modules.append({"identity": nn.Identity(), "relu": nn.ReLU(), "sigmoid": nn.Sigmoid(),
                            "tanh": nn.Tanh()}[activation])
    net = nn.Sequential(*modules)
    logits = net(x)
    if y.shape != logits.shape:
        raise ValueError("y must have the output's shape")
    nn.BCEWithLogitsLoss()(logits, y).backward()
    return [m.weight.grad.norm().item() for m in net if isinstance(m, nn.Linear)]
'''

SEQUENTIAL_TRAIN = '''
    if epochs < 0:
        raise ValueError("epochs must be at least 0")
    if any(name not in ACTIVATIONS for name in activations):
        raise ValueError("unknown activation name")
    modules = {"identity": nn.Identity, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
    curves = {}
    for name in activations:
        parts: list[nn.Module] = []
        for k, (W, b) in enumerate(layers0):
            linear = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype)
            with torch.no_grad():
                linear.weight.copy_(W.T)
                linear.bias.copy_(b)
            parts += [linear, modules[name]()]
        net = nn.Sequential(*parts[:-1])
        optimiser = torch.optim.SGD(net.parameters(), lr=lr)
        loss_fn = nn.BCEWithLogitsLoss()
        losses = []
        for _ in range(epochs):
            optimiser.zero_grad()
            loss = loss_fn(net(X), y)
            losses.append(loss.item())
            loss.backward()
            optimiser.step()
        curves[name] = losses
    return curves
'''

DEAD_BY_PREACTIVATION = '''
    if x.shape[0] == 0 or len(layers) == 0:
        raise ValueError("need at least one input row and one layer")
    out = []
    h = x
    for W, b in layers[:-1]:
        z = torch.addmm(b, h, W)  # (N, d_k)
        out.append(float((z <= 0).all(dim=0).sum()) / W.shape[1])
        h = z.clamp(min=0)
    return out
'''

BY_HAND_GRADS_FLOAT64 = '''
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    x64, y64 = x.double(), y.double()
    hs, zs = [x64], []
    for k, (W, b) in enumerate(layers):
        z = hs[-1] @ W.double() + b.double()
        zs.append(z)
        if k < len(layers) - 1:
            hs.append(ACTIVATIONS[activation](z))
    if y64.shape != zs[-1].shape:
        raise ValueError("y must have the output's shape")
    delta = (torch.sigmoid(zs[-1]) - y64) / y64.numel()  # dloss/dz_L of the mean BCE
    norms = []
    for k in range(len(layers) - 1, -1, -1):
        norms.append((hs[k].T @ delta).norm().item())  # dloss/dW_k = h_{k-1}^T delta_k
        if k > 0:
            z = zs[k - 1]
            slope = {"identity": torch.ones_like(z), "relu": (z > 0).double(),
                     "sigmoid": torch.sigmoid(z) * (1 - torch.sigmoid(z)),
                     "tanh": 1 - torch.tanh(z) ** 2}[activation]
            delta = (delta @ layers[k][0].double().T) * slope
    return norms[::-1]
'''

FLOAT64_COLLAPSE = '''
    if len(layers) == 0:
        raise ValueError("an MLP needs at least one layer")
    dtype = layers[0][0].dtype
    W, b = layers[0][0].double(), layers[0][1].double()
    if b.shape != (W.shape[1],):
        raise ValueError("b_1 does not match W_1")
    for W_k, b_k in layers[1:]:
        if W_k.shape[0] != W.shape[1] or b_k.shape != (W_k.shape[1],):
            raise ValueError("the shapes of the layers do not chain")
        W, b = W @ W_k.double(), b @ W_k.double() + b_k.double()
    return W.to(dtype), b.to(dtype)
'''

ALTERNATIVES = [
    Alternative("nn_sequential_and_optim", replace_body(replace_body(REFERENCE, "train_curves", SEQUENTIAL_TRAIN),
                                                        "layer_grad_norms", SEQUENTIAL_GRADS),
                "nn.Sequential, nn.BCEWithLogitsLoss and torch.optim.SGD", example="correct"),
    Alternative("probe_the_network", replace_body(REFERENCE, "collapse_linear", PROBED_COLLAPSE),
                "collapse_linear probes the network with x = 0 and the unit vectors instead of multiplying"),
    Alternative("float64_and_backward_by_hand",
                replace_body(replace_body(REFERENCE, "layer_grad_norms", BY_HAND_GRADS_FLOAT64),
                             "collapse_linear", FLOAT64_COLLAPSE),
                "float64 arithmetic, and the backward pass of lesson 2.2 written by hand"),
    Alternative("pre_activations_and_addmm", replace_body(REFERENCE, "dead_relu_fraction", DEAD_BY_PREACTIVATION),
                "dead units found from the pre-activations (z <= 0) with torch.addmm and clamp"),
]
