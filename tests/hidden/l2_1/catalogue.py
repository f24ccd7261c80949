"""Lesson 2.1's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake must lose points on its task (named there) and nowhere
else; each alternative keeps full marks. A mistake in mlp_forward spreads to train_mlp, whose
own code calls it.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("2.1")
TRAIN = ("train_mlp",)

RELU_SLOPE = "slope = (x > 0).to(x.dtype)  # PyTorch's choice at exactly 0: slope 0"
SIGMOID_VALUE = "value = 1 / (1 + torch.exp(-x))  # x << 0: exp(-x) = inf and 1 / inf = 0, no NaN"
SIGMOID_SLOPE = "slope = value * (1 - value)  # from the value: never inf / inf"
TANH_BODY = """        e = torch.exp(-2 * x.abs())  # in (0, 1]: cannot overflow
        value = torch.sign(x) * (1 - e) / (1 + e)"""
LAYER = "h = h @ W + b  # (N, d_k)"
LAST = """        if k < len(layers) - 1:  # no activation after the last layer
            h = functions[activation](h)"""
VALIDATION = """    width = x.shape[1]
    for k, (W, b) in enumerate(layers, 1):
        if W.shape[0] != width or tuple(b.shape) != (W.shape[1],):
            raise ValueError(f"layer {k}: W has shape {tuple(W.shape)} and b {tuple(b.shape)}, "
                             f"but its input has width {width}")
        width = W.shape[1]
"""
LOSS = "loss = F.binary_cross_entropy_with_logits(mlp_forward(X, layers, activation), y)"
CLEAR = "                W.grad, b.grad = None, None\n"

MISTAKES = [
    # activation
    Mistake("relu_slope_one_at_zero", "activation", mutate(REFERENCE, RELU_SLOPE, "slope = (x >= 0).to(x.dtype)"),
            named="ReLU's slope at exactly 0 is 1"),
    Mistake("relu_slope_bool", "activation", mutate(REFERENCE, RELU_SLOPE, "slope = x > 0"),
            named="convert it with .to(x.dtype)"),
    Mistake("relu_in_place", "activation",
            mutate(REFERENCE, "value = torch.where(x > 0, x, torch.zeros_like(x))", "x[x < 0] = 0\n        value = x"),
            named="changed its input `x` in place"),
    Mistake("sigmoid_quotient_rule", "activation",
            mutate(REFERENCE, SIGMOID_SLOPE, "slope = torch.exp(-x) / (1 + torch.exp(-x)) ** 2"),
            named="inf/inf = nan; write it from the value as s * (1 - s)", example="buggy"),
    Mistake("sigmoid_exp_ratio", "activation",
            mutate(REFERENCE, SIGMOID_VALUE, "value = torch.exp(x) / (1 + torch.exp(x))"),
            named="sigmoid written as e^x / (1 + e^x)"),
    Mistake("sigmoid_slope_from_x", "activation", mutate(REFERENCE, SIGMOID_SLOPE, "slope = x * (1 - x)"),
            named="computed from x, as x * (1 - x)"),
    Mistake("tanh_exponentials", "activation",
            mutate(REFERENCE, TANH_BODY,
                   "        value = (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))"),
            named="tanh written as (e^x - e^-x) / (e^x + e^-x)"),
    Mistake("tanh_slope_without_square", "activation", mutate(REFERENCE, "slope = 1 - value ** 2", "slope = 1 - value"),
            named="written as 1 - tanh(x);"),
    Mistake("unknown_name_falls_through", "activation",
            mutate(REFERENCE, """    else:
        raise ValueError(f"unknown activation {name!r}; expected 'relu', 'sigmoid' or 'tanh'")
    return value, slope""", "    return value, slope"),
            named="raised UnboundLocalError; the contract asks for ValueError"),
    # mlp_forward
    Mistake("activation_after_last_layer", "mlp_forward",
            mutate(REFERENCE, LAST, "        h = functions[activation](h)"),
            named="after the last layer too", spreads=TRAIN),
    Mistake("weights_transposed", "mlp_forward",
            edit(REFERENCE, (LAYER, "h = h @ W.T + b"),
                 ("if W.shape[0] != width or tuple(b.shape) != (W.shape[1],):",
                  "if W.shape[1] != width or tuple(b.shape) != (W.shape[0],):"),
                 ("        width = W.shape[1]\n", "        width = W.shape[0]\n")),
            named="W is used transposed", spreads=TRAIN),
    Mistake("activation_ignored", "mlp_forward",
            mutate(REFERENCE, "            h = functions[activation](h)", "            h = torch.relu(h)"),
            named="the activation argument is ignored", spreads=TRAIN),
    Mistake("no_bias", "mlp_forward", mutate(REFERENCE, LAYER, "h = h @ W"),
            named="the biases b are never added", spreads=TRAIN),
    Mistake("fixed_two_layers", "mlp_forward",
            mutate(REFERENCE, """    h = x  # (N, d_0)
    for k, (W, b) in enumerate(layers):
        h = h @ W + b  # (N, d_k)
""" + LAST + "\n    return h", """    (W1, b1), (W2, b2) = layers
    return functions[activation](x @ W1 + b1) @ W2 + b2"""),
            named="written for a fixed number of layers", spreads=TRAIN),
    Mistake("shapes_not_checked", "mlp_forward", mutate(REFERENCE, VALIDATION, ""),
            named="raised RuntimeError; the contract asks for ValueError: check that the shapes chain"),
    Mistake("loop_over_samples", "mlp_forward",
            mutate(REFERENCE, """    h = x  # (N, d_0)
    for k, (W, b) in enumerate(layers):
        h = h @ W + b  # (N, d_k)
""" + LAST + "\n    return h", """    rows = []
    for i in range(x.shape[0]):  # one sample at a time
        h = x[i:i + 1]
        for k, (W, b) in enumerate(layers):
            h = h @ W + b
            if k < len(layers) - 1:
                h = functions[activation](h)
        rows.append(h)
    return torch.cat(rows)"""),
            named="a Python loop over the samples is the usual cause", spreads=TRAIN, example="slow"),
    # train_mlp
    Mistake("loss_recorded_after_update", "train_mlp",
            edit(REFERENCE, ("        losses.append(loss.item())  # before the update\n", ""),
                 (CLEAR, CLEAR + "        with torch.no_grad():\n"
                         "            losses.append(F.binary_cross_entropy_with_logits(mlp_forward(X, layers, activation), y).item())\n")),
            named="recorded after the update"),
    Mistake("gradients_never_cleared", "train_mlp", mutate(REFERENCE, CLEAR, ""),
            named="gradients are never cleared"),
    Mistake("mse_loss", "train_mlp",
            mutate(REFERENCE, LOSS, "loss = ((mlp_forward(X, layers, activation) - y) ** 2).mean()"),
            named="the loss is the mean squared error"),
    Mistake("sigmoid_twice", "train_mlp",
            mutate(REFERENCE, LOSS, "loss = F.binary_cross_entropy_with_logits(torch.sigmoid(mlp_forward(X, layers, activation)), y)"),
            named="applies the sigmoid itself"),
    Mistake("biases_frozen", "train_mlp", mutate(REFERENCE, "                b -= lr * b.grad\n", ""),
            named="the biases b are never updated"),
    Mistake("summed_loss", "train_mlp",
            mutate(REFERENCE, LOSS, LOSS[:-1] + ", reduction=\"sum\")"),
            named="summed over the samples"),
    Mistake("trains_layers0_in_place", "train_mlp",
            mutate(REFERENCE, "layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))",
                   "layers = [(W.requires_grad_(True), b.requires_grad_(True))"),
            named="changed layers0 in place"),
    Mistake("negative_epochs_accepted", "train_mlp",
            mutate(REFERENCE, """    if epochs < 0:
        raise ValueError(f"epochs must be at least 0, got {epochs}")
""", ""),
            named="train_mlp(epochs=-1) returned instead of raising ValueError"),
]

TORCH_ACTIVATION = '''
    functions = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
    if name not in functions:
        raise ValueError(f"unknown activation {name!r}")
    leaf = x.detach().clone().requires_grad_(True)
    value = functions[name](leaf)
    (slope,) = torch.autograd.grad(value.sum(), leaf)  # d(sum f(x_i))/dx_i = f'(x_i)
    return value.detach(), slope
'''

MODULE_TRAINING = '''
    if epochs < 0:
        raise ValueError("epochs must be at least 0")
    if y.shape != (X.shape[0], 1):
        raise ValueError("y must have shape (N, 1)")
    modules = []
    for k, (W, b) in enumerate(layers0):
        linear = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype)
        with torch.no_grad():
            linear.weight.copy_(W.T)  # nn.Linear keeps (out, in)
            linear.bias.copy_(b)
        modules.append(linear)
        if k < len(layers0) - 1:
            modules.append({"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[activation]())
    net = nn.Sequential(*modules)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(net(X), y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    linears = [m for m in net if isinstance(m, nn.Linear)]
    return [(m.weight.detach().T.clone(), m.bias.detach().clone()) for m in linears], losses
'''

FLOAT64_TRAINING = '''
    if epochs < 0 or y.shape != (X.shape[0], 1):
        raise ValueError("epochs must be >= 0 and y of shape (N, 1)")
    X64, y64 = X.double(), y.double()
    params = [t.detach().double().requires_grad_(True) for layer in layers0 for t in layer]
    losses = []
    for _ in range(epochs):
        layers = list(zip(params[0::2], params[1::2]))
        loss = F.binary_cross_entropy_with_logits(mlp_forward(X64, layers, activation), y64)
        losses.append(loss.item())
        grads = torch.autograd.grad(loss, params)
        params = [(p - lr * g).detach().requires_grad_(True) for p, g in zip(params, grads)]
    return [(W.detach().to(W0.dtype), b.detach().to(b0.dtype))
            for W, b, (W0, b0) in zip(params[0::2], params[1::2], layers0)], losses
'''

REDUCE_FORWARD = '''
    import functools
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError("unknown activation")
    if not layers:
        raise ValueError("no layers")
    widths = [x.shape[1]] + [W.shape[1] for W, _ in layers]
    if any(W.shape[0] != w or b.shape != (W.shape[1],) for (W, b), w in zip(layers, widths)):
        raise ValueError("the shapes of x and the layers do not chain")
    def step(h, layer):  # the activation of the previous layer, then this layer
        W, b = layer
        return F.linear(activation_fn(h), W.T, b)
    activation_fn = lambda h: activation_value(activation, h)
    first_W, first_b = layers[0]
    return functools.reduce(step, layers[1:], x @ first_W + first_b)


def activation_value(name: str, h: Tensor) -> Tensor:
    return activation(name, h)[0]  # my own activation's value: differentiable torch code too
'''

WHERE_ACTIVATION = '''
    if name == "relu":
        return torch.clamp(x, min=0), torch.where(x > 0, torch.ones_like(x), torch.zeros_like(x))
    if name == "sigmoid":
        s = torch.where(x >= 0, 1 / (1 + torch.exp(-x.abs())), torch.exp(-x.abs()) / (1 + torch.exp(-x.abs())))
        return s, s - s * s
    if name == "tanh":
        t = 2 * torch.sigmoid(2 * x) - 1
        return t, 1 / torch.cosh(x) ** 2  # cosh(1000) = inf, and 1 / inf = 0
    raise ValueError(f"unknown activation {name!r}")
'''

ALTERNATIVES = [
    Alternative("nn_sequential_and_optim_sgd", replace_body(REFERENCE, "train_mlp", MODULE_TRAINING),
                style="train_mlp copies the layers into nn.Sequential(nn.Linear, ...) and trains it with "
                      "torch.optim.SGD and nn.BCEWithLogitsLoss", example="correct"),
    Alternative("autograd_slopes", replace_body(REFERENCE, "activation", TORCH_ACTIVATION),
                style="activation takes PyTorch's functions for the values and autograd for the slopes"),
    Alternative("float64_functional_updates", replace_body(REFERENCE, "train_mlp", FLOAT64_TRAINING),
                style="train_mlp computes in float64 with torch.autograd.grad and new tensors each step"),
    Alternative("reduce_with_own_activation", replace_body(REFERENCE, "mlp_forward", REDUCE_FORWARD),
                style="mlp_forward folds the layers with functools.reduce and F.linear, using its own "
                      "activation's value between layers"),
    Alternative("where_clamp_cosh", replace_body(REFERENCE, "activation", WHERE_ACTIVATION),
                style="activation with clamp, a two-sided sigmoid, tanh = 2 sigmoid(2x) - 1 and 1 / cosh^2"),
]
