"""Lesson 3.6's proof that its checks work: realistic mistakes and correct alternative styles.

Each mistake is the reference solution with one thing done wrong, in the function it belongs to; grading it
must cost points on that function's task and name the mistake there. The three tasks never call one another
(diagnose's checks read histories the reference records), so no mistake spreads. The alternatives are correct
solutions in other styles: torch.autograd.grad with new leaf tensors every step, numpy and a table of
rules, and a hand-written Adam. (float64 arithmetic is not one: when a diverging float32 run overflows
depends on the dtype, and the contract computes in X's dtype.)
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("3.6")

RATIO = "(lr * W.grad.norm() / W.norm())"
ACC = 'history["train_acc"].append(((logits > 0).to(y.dtype) == y).float().mean().item())'
VAL_X = 'val_logits = mlp_forward(X_val, layers, "relu")  # (M, 1)'
NORMS = 'history["grad_norms"].append([W.grad.norm().item() for W, _ in layers])'
CLEAR = "                p.grad = None\n"
STOP = '''        if not math.isfinite(history["train_loss"][-1]):
            break  # a NaN or inf loss: nothing after it means anything
'''
COPIES_M = '''    layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))
              for W, b in layers0]
    params = [t for layer in layers for t in layer]  # [W_1, b_1, ..., W_L, b_L]
'''
MEDIAN = "r = statistics.median(max(step) for step in ratios)  # the typical step, relative to the weights"
ZERO_GRAD = "        optimizer.zero_grad()\n"
FINAL = '''    with torch.no_grad():
        losses.append(F.binary_cross_entropy_with_logits(forward(X, layers), y).item())
'''
FIRST_FORWARD = "loss = F.binary_cross_entropy_with_logits(forward(X, layers), y)\n        losses.append"

MONITOR_MISTAKES = [
    Mistake("ratio_no_lr", "train_monitored", mutate(REFERENCE, RATIO, "(W.grad.norm() / W.norm())"),
            named="the update ratio leaves out lr", example="buggy"),
    Mistake("ratio_after_update", "train_monitored",
            mutate(REFERENCE, RATIO, "(lr * W.grad.norm() / (W - lr * W.grad).norm())"),
            named="divides by the weight AFTER the update"),
    Mistake("accuracy_threshold_half", "train_monitored", mutate(REFERENCE, ACC, ACC.replace("logits > 0", "logits > 0.5")),
            named="thresholds the logits at 0.5"),
    Mistake("validation_on_training_set", "train_monitored",
            mutate(REFERENCE, "    for _ in range(epochs):\n", "    X_val, y_val = X, y\n    for _ in range(epochs):\n"),
            named="computed on the training set"),
    Mistake("norm_with_bias", "train_monitored",
            mutate(REFERENCE, NORMS, 'history["grad_norms"].append([torch.cat([W.grad.flatten(), b.grad]).norm().item() '
                                     'for W, b in layers])'),
            named="includes the bias"),
    Mistake("gradients_accumulate", "train_monitored", mutate(REFERENCE, CLEAR, ""), named="never cleared"),
    Mistake("no_stop_at_nan", "train_monitored", mutate(REFERENCE, STOP, ""), named="training goes on after a NaN"),
    Mistake("nan_step_not_recorded", "train_monitored",
            edit(REFERENCE, (STOP, ""), ("        loss = F.binary_cross_entropy_with_logits(logits, y)\n",
                                         "        loss = F.binary_cross_entropy_with_logits(logits, y)\n"
                                         "        if not math.isfinite(loss.item()):\n            break\n")),
            named="the first non-finite step is not recorded"),
    Mistake("trains_layers0_in_place", "train_monitored",
            mutate(REFERENCE, COPIES_M, "    layers = [(W.requires_grad_(True), b.requires_grad_(True)) for W, b in layers0]\n"
                                        "    params = [t for layer in layers for t in layer]\n"),
            named="changed layers0 in place"),
]

DIAGNOSE_MISTAKES = [
    Mistake("mean_not_median", "diagnose",
            mutate(REFERENCE, MEDIAN, "r = statistics.mean(max(step) for step in ratios)"), named="not the mean"),
    Mistake("lower_median", "diagnose",
            mutate(REFERENCE, MEDIAN, "r = sorted(max(step) for step in ratios)[(len(ratios) - 1) // 2]"),
            named="statistics.median's mean of the two middle values"),
    Mistake("smallest_layer", "diagnose",
            mutate(REFERENCE, MEDIAN, "r = statistics.median(min(step) for step in ratios)"),
            named="r is the LARGEST ratio of each step"),
    Mistake("nan_unchecked", "diagnose",
            mutate(REFERENCE, "if not all(math.isfinite(v) for v in train) or last > first:", "if last > first:"),
            named="a NaN in the middle of train_loss"),
    Mistake("rules_out_of_order", "diagnose",
            edit(REFERENCE, ("    if r < 1e-6:\n        return \"not_learning\"\n    if r < 1e-4:\n        return \"lr_too_low\"\n",
                             "    if r < 1e-4:\n        return \"lr_too_low\"\n    if r < 1e-6:\n        return \"not_learning\"\n")),
            named="checked BEFORE rule 3"),
    Mistake("overfitting_against_first", "diagnose", mutate(REFERENCE, "val[-1] > 1.1 * min(val)", "val[-1] > 1.1 * val[0]"),
            named="rule 5 (overfitting)"),
    Mistake("no_length_check", "diagnose",
            mutate(REFERENCE, '    if not len(train) == len(val) == len(ratios):\n',
                   '    if False:\n'), named="the lists must have one length"),
]

OVERFIT_MISTAKES = [
    Mistake("own_model_not_forward", "overfits_one_batch",
            mutate(REFERENCE, FIRST_FORWARD, 'loss = F.binary_cross_entropy_with_logits(mlp_forward(X, layers, "relu"), y)\n'
                                             '        losses.append'),
            named="train the forward you are given"),
    Mistake("sgd_not_adam", "overfits_one_batch",
            mutate(REFERENCE, "torch.optim.Adam([t for layer in layers for t in layer], lr=lr)",
                   "torch.optim.SGD([t for layer in layers for t in layer], lr=lr)"),
            named="torch.optim.Adam(params, lr=lr)"),
    Mistake("no_zero_grad", "overfits_one_batch", mutate(REFERENCE, ZERO_GRAD, ""),
            named="the gradients are zeroed before every backward"),
    Mistake("no_final_loss", "overfits_one_batch", mutate(REFERENCE, FINAL, ""), named="steps + 1 losses"),
    Mistake("passed_as_tensor", "overfits_one_batch",
            mutate(REFERENCE, "return bool(math.isfinite(losses[-1]) and losses[-1] < tol), losses",
                   "return torch.tensor(losses[-1] < tol), losses"),
            named="a Python bool"),
]

MISTAKES = MONITOR_MISTAKES + DIAGNOSE_MISTAKES + OVERFIT_MISTAKES

# --- correct alternatives ---------------------------------------------------------------------------

AUTOGRAD_GRAD_MONITOR = '''
    if epochs < 0 or lr < 0:
        raise ValueError(f"epochs and lr must be at least 0, got {epochs}, {lr}")
    if tuple(y.shape) != (X.shape[0], 1) or tuple(y_val.shape) != (X_val.shape[0], 1):
        raise ValueError("y must be (N, 1) and y_val (M, 1)")
    X64, y64, Xv64, yv64 = X, y, X_val, y_val  # in X's dtype
    layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True)) for W, b in layers0]
    keys = ("train_loss", "train_acc", "val_loss", "val_acc", "grad_norms", "update_ratios")
    history = {key: [] for key in keys}
    step = 0
    while step < epochs:
        logits = mlp_forward(X64, layers, "relu")
        loss = F.binary_cross_entropy_with_logits(logits, y64)
        val_logits = mlp_forward(Xv64, layers, "relu").detach()
        grads = torch.autograd.grad(loss, [t for layer in layers for t in layer])
        history["train_loss"].append(loss.item())
        history["train_acc"].append(float(((logits > 0) == (y64 > 0.5)).double().mean()))
        history["val_loss"].append(float(F.binary_cross_entropy_with_logits(val_logits, yv64)))
        history["val_acc"].append(float(((val_logits > 0) == (yv64 > 0.5)).double().mean()))
        weight_grads = grads[0::2]
        history["grad_norms"].append([float(torch.linalg.vector_norm(g)) for g in weight_grads])
        history["update_ratios"].append([(lr * torch.linalg.vector_norm(g) / torch.linalg.vector_norm(W.detach())).item()
                                         for g, (W, _) in zip(weight_grads, layers)])
        layers = [((W - lr * gW).detach().requires_grad_(True), (b - lr * gb).detach().requires_grad_(True))
                  for (W, b), gW, gb in zip(layers, grads[0::2], grads[1::2])]
        step += 1
        if math.isnan(history["train_loss"][-1]) or math.isinf(history["train_loss"][-1]):
            break
    return history
'''

NUMPY_DIAGNOSE = '''
    import numpy as np
    train = np.asarray(history["train_loss"], dtype=float)
    val = np.asarray(history["val_loss"], dtype=float)
    if train.size == 0 or len(history["update_ratios"]) != train.size or val.size != train.size:
        raise ValueError("need one entry per step in train_loss, val_loss and update_ratios, at least one step")
    if not np.isfinite(train).all() or train[-1] > train[0]:
        return "lr_too_high"
    r = float(np.median([max(row) for row in history["update_ratios"]]))
    verdicts = [(r < 1e-6, "not_learning"), (r < 1e-4, "lr_too_low"), (train[-1] > 0.99 * train[0], "not_learning"),
                (val[-1] > 1.1 * val.min(), "overfitting")]
    return next((label for hit, label in verdicts if hit), "healthy")
'''

HAND_ADAM = '''
    if steps < 0 or lr <= 0 or tol <= 0:
        raise ValueError("steps must be >= 0, lr and tol > 0")
    if tuple(y.shape) != (X.shape[0], 1):
        raise ValueError("y must have shape (N, 1)")
    params = [t.detach().clone().requires_grad_(True) for layer in layers0 for t in layer]
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    def loss_now():
        layers = list(zip(params[0::2], params[1::2]))
        return F.binary_cross_entropy_with_logits(forward(X, layers), y)
    losses = []
    for t in range(1, steps + 1):
        loss = loss_now()
        losses.append(loss.item())
        if not math.isfinite(losses[-1]):
            return False, losses
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g, m_i, v_i in zip(params, grads, m, v):
                m_i.mul_(0.9).add_(g, alpha=0.1)
                v_i.mul_(0.999).addcmul_(g, g, value=0.001)
                m_hat = m_i / (1 - 0.9 ** t)
                v_hat = v_i / (1 - 0.999 ** t)
                p.sub_(lr * m_hat / (v_hat.sqrt() + 1e-8))
    with torch.no_grad():
        losses.append(loss_now().item())
    return math.isfinite(losses[-1]) and losses[-1] < tol, losses
'''

ALTERNATIVES = [
    Alternative("autograd_grad_new_leaves", replace_body(REFERENCE, "train_monitored", AUTOGRAD_GRAD_MONITOR),
                "torch.autograd.grad, torch.linalg.vector_norm and new leaf tensors every step", example="correct"),
    Alternative("numpy_diagnose", replace_body(REFERENCE, "diagnose", NUMPY_DIAGNOSE),
                "numpy arrays and a table of rules"),
    Alternative("hand_written_adam", replace_body(REFERENCE, "overfits_one_batch", HAND_ADAM),
                "Adam written by hand (lesson 3.1) with torch.autograd.grad"),
]
