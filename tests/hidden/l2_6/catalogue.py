"""Lesson 2.6's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake must lose points on its task (named there) and nowhere
else, except the tasks whose own code calls the mistaken function (`spreads`): the reference
builds train_mlp on dropout (through dropout_forward) and overfitting_gap on train_mlp and dropout.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("2.6")
BOTH = ("train_mlp", "overfitting_gap")

DROP_CHECK = ('    if not 0.0 <= p < 1.0:\n        raise ValueError(f"dropout probability p must be in [0, 1), '
              'got {p}")\n    if not training or p == 0.0:')
DRAW = "keep = torch.rand(x.shape, generator=generator) >= p  # (same shape as x), True = kept"
SCALE = "return x * keep / (1.0 - p)  # survivors scaled up so the mean is kept"
PENALTY = "penalty = weight_decay / 2 * sum((W ** 2).sum() for W, _ in layers)  # weights only"
RECORD = "losses.append(loss.item())  # recorded before the update"
FORWARD = "pred = dropout_forward(X, layers, p, True, generator)  # (N, d_L), training mode"
SPLIT = "val_idx, train_idx = perm[:n_val], perm[n_val:]"
EVAL_TRAIN = 'train_loss = mse(mlp_forward(X[train_idx], layers, "relu"), y[train_idx])'
EVAL_VAL = 'val_loss = mse(mlp_forward(X[val_idx], layers, "relu"), y[val_idx])'
COPIES = ("layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))\n"
          "              for W, b in layers0]  # copies: layers0 stays as it was")

SLOW_LOOP = '''
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability p must be in [0, 1), got {p}")
    if not training or p == 0.0:
        return x
    keep = torch.rand(x.shape, generator=generator) >= p
    flat, flat_keep = x.clone().flatten(), keep.flatten().tolist()
    for i, kept in enumerate(flat_keep):  # one entry at a time
        flat[i] = flat[i] / (1.0 - p) if kept else 0.0
    return flat.reshape(x.shape)
'''

MISTAKES = [
    # --- dropout: a mask or scaling fault also changes every training run built on it
    Mistake("no_rescale", "dropout", mutate(REFERENCE, SCALE, "return x * keep"),
            named="not scaled", spreads=BOTH, example="buggy"),
    Mistake("scale_by_p", "dropout", mutate(REFERENCE, SCALE, "return x * keep / p"),
            named="divided by p", spreads=BOTH),
    Mistake("keeps_a_fraction_p", "dropout", mutate(REFERENCE, DRAW, DRAW.replace(">= p", "< p")),
            named="keeps a fraction p", spreads=BOTH),
    Mistake("mask_rand_below_one_minus_p", "dropout",
            mutate(REFERENCE, DRAW, DRAW.replace(">= p", "< 1.0 - p")),
            named="the contract fixes the draw", spreads=BOTH),
    Mistake("mask_from_bernoulli", "dropout",
            mutate(REFERENCE, DRAW, "keep = torch.bernoulli(torch.full(x.shape, 1.0 - p), generator=generator).bool()"),
            named="torch.bernoulli", spreads=BOTH),
    Mistake("global_random_state", "dropout",
            mutate(REFERENCE, DRAW, "keep = torch.rand(x.shape) >= p"),
            named="global seed changed", spreads=BOTH),
    Mistake("dropout_in_evaluation_mode", "dropout",
            mutate(REFERENCE, "    if not training or p == 0.0:", "    if p == 0.0:"),
            named="evaluation mode ignores p", spreads=("overfitting_gap",)),
    Mistake("no_check_of_p", "dropout", mutate(REFERENCE, DROP_CHECK, "    if not training or p == 0.0:"),
            named="returned instead of raising ValueError"),
    Mistake("p_equal_one_allowed", "dropout",
            mutate(REFERENCE, DROP_CHECK, DROP_CHECK.replace("0.0 <= p < 1.0", "0.0 <= p <= 1.0")),
            named="returned instead of raising ValueError"),
    Mistake("in_place_on_x", "dropout", mutate(REFERENCE, SCALE, "return x.mul_(keep).div_(1.0 - p)"),
            named="changed its input", spreads=BOTH),
    Mistake("python_loop_over_entries", "dropout", replace_body(REFERENCE, "dropout", SLOW_LOOP),
            named="a Python loop over the entries", spreads=BOTH, example="slow"),
    # --- train_mlp: a fault in training also moves the losses overfitting_gap reports
    Mistake("penalty_without_the_half", "train_mlp",
            mutate(REFERENCE, PENALTY, PENALTY.replace("weight_decay / 2 *", "weight_decay *")),
            named="the penalty is lambda * |W|^2", spreads=("overfitting_gap",)),
    Mistake("biases_decayed", "train_mlp",
            mutate(REFERENCE, PENALTY, "penalty = weight_decay / 2 * sum((t ** 2).sum() for layer in layers for t in layer)"),
            named="the biases are decayed too", spreads=("overfitting_gap",)),
    Mistake("penalty_as_mean", "train_mlp",
            mutate(REFERENCE, PENALTY, PENALTY.replace(".sum()", ".mean()")),
            named="mean of the squared weights", spreads=("overfitting_gap",)),
    Mistake("only_W1_decayed", "train_mlp",
            mutate(REFERENCE, PENALTY, "penalty = weight_decay / 2 * (layers[0][0] ** 2).sum()"),
            named="only W_1 is decayed", spreads=("overfitting_gap",)),
    Mistake("penalty_not_recorded", "train_mlp",
            mutate(REFERENCE, RECORD, "losses.append(mse(pred, y).item())"),
            named="leaves out the penalty"),
    Mistake("gradients_never_cleared", "train_mlp", mutate(REFERENCE, "                W.grad, b.grad = None, None\n", ""),
            named="never cleared", spreads=("overfitting_gap",)),
    Mistake("no_dropout_while_training", "train_mlp",
            mutate(REFERENCE, FORWARD, FORWARD.replace("p, True,", "p, False,")),
            named="no dropout is applied", spreads=("overfitting_gap",)),
    Mistake("dropout_after_the_last_layer_too", "train_mlp",
            mutate(REFERENCE, "return h @ W + b  # (N, d_L): no activation, no dropout after the last layer",
                   "return dropout(h @ W + b, p, training, generator)"),
            named="after the last layer too", spreads=("overfitting_gap",)),
    Mistake("trains_layers0_in_place", "train_mlp",
            mutate(REFERENCE, COPIES, "layers = [(W.requires_grad_(True), b.requires_grad_(True)) for W, b in layers0]"),
            named="in place", spreads=("overfitting_gap",)),
    Mistake("negative_weight_decay_accepted", "train_mlp",
            mutate(REFERENCE, '    if weight_decay < 0:\n        raise ValueError(f"weight_decay must be at least 0, '
                              'got {weight_decay}")\n', ""),
            named="a negative lambda", spreads=("overfitting_gap",)),
    # --- overfitting_gap
    Mistake("n_val_rounded_down", "overfitting_gap",
            mutate(REFERENCE, "n_val = round(val_fraction * n)", "n_val = int(val_fraction * n)"),
            named="int(val_fraction * N)"),
    Mistake("training_samples_first", "overfitting_gap",
            mutate(REFERENCE, SPLIT, "train_idx, val_idx = perm[:n - n_val], perm[n - n_val:]"),
            named="front of the permutation"),
    Mistake("evaluated_with_dropout", "overfitting_gap",
            edit(REFERENCE, (EVAL_TRAIN, EVAL_TRAIN.replace('mlp_forward(X[train_idx], layers, "relu")',
                                                             "dropout_forward(X[train_idx], layers, p, True, generator)")),
                 (EVAL_VAL, EVAL_VAL.replace('mlp_forward(X[val_idx], layers, "relu")',
                                             "dropout_forward(X[val_idx], layers, p, True, generator)"))),
            named="dropout still on"),
    Mistake("penalty_in_reported_losses", "overfitting_gap",
            mutate(REFERENCE, "    return train_loss.item(), val_loss.item()",
                   "    penalty = weight_decay / 2 * sum((W ** 2).sum() for W, _ in layers)\n"
                   "    return (train_loss + penalty).item(), (val_loss + penalty).item()"),
            named="include the L2 penalty"),
    Mistake("trained_on_all_samples", "overfitting_gap",
            mutate(REFERENCE, "layers, _ = train_mlp(X[train_idx], y[train_idx], layers0,",
                   "layers, _ = train_mlp(X, y, layers0,"),
            named="trained on all N samples"),
    Mistake("losses_swapped", "overfitting_gap",
            mutate(REFERENCE, "return train_loss.item(), val_loss.item()", "return val_loss.item(), train_loss.item()"),
            named="wrong order"),
    Mistake("split_from_global_random_state", "overfitting_gap",
            mutate(REFERENCE, "perm = torch.randperm(n, generator=generator)", "perm = torch.randperm(n)"),
            named="global seed changed"),
    Mistake("empty_set_accepted", "overfitting_gap",
            mutate(REFERENCE, "    if not 1 <= n_val <= n - 1:\n", "    if False:\n"),
            named="both the training and the validation set need at least one sample"),
]

NN_MODULE = '''
class DropoutMLP(torch.nn.Module):
    \"\"\"Lesson 2.1's layers as nn.Parameters; ReLU then dropout after every hidden layer.\"\"\"

    def __init__(self, layers0: Layers) -> None:
        super().__init__()
        self.weights = torch.nn.ParameterList(torch.nn.Parameter(W.detach().clone()) for W, _ in layers0)
        self.biases = torch.nn.ParameterList(torch.nn.Parameter(b.detach().clone()) for _, b in layers0)

    def forward(self, X: Tensor, p: float, generator: torch.Generator) -> Tensor:
        h = X
        for k, (W, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ W + b
            if k < len(self.weights) - 1:
                h = dropout(torch.relu(h), p, self.training, generator)
        return h


def train_mlp(X: Tensor, y: Tensor, layers0: Layers, epochs: int, lr: float,
              weight_decay: float, p: float,
              generator: torch.Generator) -> tuple[Layers, list[float]]:
    \"\"\"nn.Module + torch.optim.SGD, the decay left to the optimiser (weights only).\"\"\"
    if weight_decay < 0 or not 0.0 <= p < 1.0:
        raise ValueError("weight_decay must be >= 0 and p in [0, 1)")
    model = DropoutMLP(layers0)
    model.train()
    opt = torch.optim.SGD([{"params": list(model.weights), "weight_decay": weight_decay},
                           {"params": list(model.biases), "weight_decay": 0.0}], lr=lr)
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        data_loss = torch.nn.functional.mse_loss(model(X, p, generator), y)
        with torch.no_grad():
            penalty = weight_decay / 2 * sum(W.pow(2).sum() for W in model.weights)
        losses.append((data_loss + penalty).item())
        data_loss.backward()
        opt.step()
    return [(W.detach().clone(), b.detach().clone()) for W, b in zip(model.weights, model.biases)], losses
'''

BY_HAND = '''
    if weight_decay < 0 or not 0.0 <= p < 1.0:
        raise ValueError("weight_decay must be >= 0 and p in [0, 1)")
    Ws = [W.detach().clone() for W, _ in layers0]
    bs = [b.detach().clone() for _, b in layers0]
    n_out = y.numel()
    losses = []
    for _ in range(epochs):
        inputs, gates, masks = [], [], []  # per layer: its input; per hidden layer: relu' and mask
        h = X
        for k in range(len(Ws)):
            inputs.append(h)
            z = h @ Ws[k] + bs[k]
            if k == len(Ws) - 1:
                h = z
            else:
                M = dropout(torch.ones_like(z), p, True, generator)  # the mask, scaled: 0 or 1/(1-p)
                gates.append(z > 0)
                masks.append(M)
                h = torch.relu(z) * M
        err = h - y
        losses.append(((err ** 2).mean() + weight_decay / 2 * sum(W.pow(2).sum() for W in Ws)).item())
        d = 2 * err / n_out  # dloss/dz of the last layer
        grads = []
        for k in reversed(range(len(Ws))):
            grads.append((inputs[k].T @ d + weight_decay * Ws[k], d.sum(0)))
            if k > 0:
                d = (d @ Ws[k].T) * masks[k - 1] * gates[k - 1]
        grads.reverse()
        Ws = [W - lr * dW for W, (dW, _) in zip(Ws, grads)]
        bs = [b - lr * db for b, (_, db) in zip(bs, grads)]
    return list(zip(Ws, bs)), losses
'''

FLOAT64 = '''
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be at least 0, got {weight_decay}")
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability p must be in [0, 1), got {p}")
    X64, y64 = X.double(), y.double()
    layers = [(W.detach().double().requires_grad_(True), b.detach().double().requires_grad_(True))
              for W, b in layers0]  # float64 copies
    tensors = [t for layer in layers for t in layer]
    losses: list[float] = []
    for _ in range(epochs):
        loss = mse(dropout_forward(X64, layers, p, True, generator), y64) + weight_decay / 2 * sum(
            W.pow(2).sum() for W, _ in layers)
        losses.append(loss.item())
        grads = torch.autograd.grad(loss, tensors)
        with torch.no_grad():
            for t, g in zip(tensors, grads):
                t.sub_(lr * g)
    return [(W.detach().float(), b.detach().float()) for W, b in layers], losses
'''

GAP_SPLIT = '''
    n = X.shape[0]
    n_val = round(val_fraction * n)
    if n_val < 1 or n_val >= n:
        raise ValueError("both the training and the validation set need at least one sample")
    val_idx, train_idx = torch.randperm(n, generator=generator).split([n_val, n - n_val])
    X_train, y_train = X.index_select(0, train_idx), y.index_select(0, train_idx)
    X_val, y_val = X.index_select(0, val_idx), y.index_select(0, val_idx)
    layers, _ = train_mlp(X_train, y_train, layers0, epochs, lr, weight_decay, p, generator)
    losses = []
    with torch.no_grad():
        for A, B in ((X_train, y_train), (X_val, y_val)):
            h = A
            for W, b in layers[:-1]:
                h = (h @ W + b).clamp(min=0)
            W, b = layers[-1]
            losses.append(torch.nn.functional.mse_loss(h @ W + b, B).item())
    return losses[0], losses[1]
'''

ALTERNATIVES = [
    Alternative("where_and_nn_module", replace_body(
        mutate(REFERENCE, SCALE, "return torch.where(keep, x / (1.0 - p), torch.zeros_like(x))"),
        "train_mlp", "    raise AssertionError('replaced below')").replace(
            "def train_mlp(", "def _unused_train_mlp(", 1) + NN_MODULE,
        style="dropout with torch.where; train_mlp as an nn.Module with torch.optim.SGD's "
              "weight_decay on the weights only", example="correct"),
    Alternative("gradients_by_hand", replace_body(REFERENCE, "train_mlp", BY_HAND),
                style="train_mlp with the backward pass written by hand (no autograd), the mask "
                      "taken from dropout(ones)"),
    Alternative("float64_inside", replace_body(REFERENCE, "train_mlp", FLOAT64),
                style="train_mlp computes in float64 with torch.autograd.grad and returns float32"),
    Alternative("masked_fill_and_split", replace_body(
        mutate(REFERENCE, SCALE, "return x.masked_fill(~keep, 0.0) / (1.0 - p)"),
        "overfitting_gap", GAP_SPLIT),
        style="dropout with masked_fill; overfitting_gap with perm.split, index_select and "
              "F.mse_loss, evaluating the network inline"),
]
