"""Lesson 3.1's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake must lose points on its task (named there) and nowhere
else; each alternative keeps full marks. train_mlp_with is graded with the reference's step
functions, so no mistake in a step function spreads to it.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("3.1")

SGD_NO_GRAD = "    with torch.no_grad():  # an update is not part of the model: autograd must not record it\n"
SGD_FIRST = 'state[i] = {"momentum_buffer": g.clone()}  # first step: the buffer is the gradient itself'
SGD_UPDATE = 'state[i]["momentum_buffer"].mul_(momentum).add_(g, alpha=1 - dampening)'
SGD_DIRECTION = "g = g + momentum * buf if nesterov else buf  # Nesterov: one more momentum step ahead"
SGD_DECAY = ("            if weight_decay != 0:\n"
             "                g = g + weight_decay * p  # L2 through the gradient (a new tensor: grads stay unchanged)\n")
SGD_MOVE = "p.add_(g, alpha=-lr)  # in place: the caller's tensor moves"
SGD_SKIP = "            if g is None:\n                continue  # no gradient: no update, and its state stays as it is\n"

RMS_SQUARE = 's["square_avg"].mul_(alpha).addcmul_(g, g, value=1 - alpha)  # s <- alpha s + (1 - alpha) g^2'
RMS_DENOM = 'denom = s["square_avg"].sqrt() + eps  # eps outside the square root, as PyTorch puts it'
RMS_MOMENTUM = ('                s["momentum_buffer"].mul_(momentum).add_(g / denom)  # momentum on the normalised step\n'
                '                p.add_(s["momentum_buffer"], alpha=-lr)\n')
RMS_NEW = 'state[i] = {"step": 0, "square_avg": torch.zeros_like(p)}'

ADAM_NEW = 'state[i] = {"step": 0, "exp_avg": torch.zeros_like(p), "exp_avg_sq": torch.zeros_like(p)}'
ADAM_COUNT = '            s["step"] += 1  # this parameter\'s own count of updates\n            t = s["step"]\n'
ADAM_HATS = ("            m_hat = m / (1 - beta1 ** t)  # bias correction: m and v started at 0\n"
             "            v_hat = v / (1 - beta2 ** t)\n")
ADAM_MOVE = "p.add_(m_hat / (v_hat.sqrt() + eps), alpha=-lr)  # eps outside the square root"
ADAM_SHRINK = "p.mul_(1 - lr * weight_decay)  # AdamW: shrink the weights, outside the moments"
ADAM_DECAY = """            if weight_decay != 0:
                if decoupled:
                    p.mul_(1 - lr * weight_decay)  # AdamW: shrink the weights, outside the moments
                else:
                    g = g + weight_decay * p  # L2: the decay goes through m and v like any gradient
"""

TRAIN_STATE = "    state: dict = {}  # the optimiser's memory: made once, carried from epoch to epoch\n"
TRAIN_LOOP = "    for _ in range(epochs):\n"
TRAIN_CLEAR = ("        for p in params:\n"
               "            p.grad = None  # like optimizer.zero_grad(): the next backward starts from nothing\n")
TRAIN_RECORD = "        losses.append(loss.item())  # before the update\n"
TRAIN_STEP = "        step(params, [p.grad for p in params], state, **hyper)\n"

ADAM_ENTRY_LOOP = '''
            m, v = s["exp_avg"].view(-1), s["exp_avg_sq"].view(-1)
            flat_p, flat_g = p.view(-1), g.reshape(-1)
            c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
            for j in range(flat_p.numel()):  # one entry at a time
                gj = flat_g[j].item()
                m[j] = beta1 * m[j].item() + (1 - beta1) * gj
                v[j] = beta2 * v[j].item() + (1 - beta2) * gj * gj
                flat_p[j] -= lr * (m[j].item() / c1) / (math.sqrt(v[j].item() / c2) + eps)
'''

MISTAKES = [
    # sgd_momentum_step
    Mistake("buffer_starts_at_zero", "sgd_momentum_step",
            mutate(REFERENCE, f"""                if i not in state:
                    {SGD_FIRST}
                else:
                    {SGD_UPDATE}
""", f"""                if i not in state:
                    state[i] = {{"momentum_buffer": torch.zeros_like(p)}}
                {SGD_UPDATE}
"""), named="the momentum buffer starts at zero"),
    Mistake("nesterov_without_momentum_factor", "sgd_momentum_step",
            mutate(REFERENCE, SGD_DIRECTION, "g = g + buf if nesterov else buf"),
            named="the Nesterov step is g + buf", example="buggy"),
    Mistake("nesterov_ignored", "sgd_momentum_step", mutate(REFERENCE, SGD_DIRECTION, "g = buf"),
            named="nesterov=True is ignored"),
    Mistake("decay_after_momentum", "sgd_momentum_step",
            edit(REFERENCE, (SGD_DECAY, ""), (SGD_MOVE, "p.add_(g + weight_decay * p, alpha=-lr)")),
            named="weight decay is added after the momentum buffer"),
    Mistake("buffer_is_the_gradient_itself", "sgd_momentum_step",
            mutate(REFERENCE, SGD_FIRST, 'state[i] = {"momentum_buffer": g}'),
            named="never store a gradient itself as a buffer"),
    Mistake("update_recorded_by_autograd", "sgd_momentum_step",
            mutate(REFERENCE, SGD_NO_GRAD, "    if True:  # no torch.no_grad()\n"),
            named="inside `with torch.no_grad():`"),
    Mistake("none_gradient_not_skipped", "sgd_momentum_step",
            mutate(REFERENCE, SGD_SKIP, "            g = torch.zeros_like(p) if g is None else g\n"),
            named="was treated as zeros"),
    Mistake("state_kept_without_momentum", "sgd_momentum_step",
            mutate(REFERENCE, "            if momentum != 0:\n                if i not in state:",
                   "            if True:\n                if i not in state:"),
            named="PyTorch keeps no state"),
    Mistake("parameter_rebound_not_updated", "sgd_momentum_step",
            mutate(REFERENCE, SGD_MOVE, "params[i] = p - lr * g"),
            named="never moved the parameters"),
    Mistake("lr_folded_into_buffer", "sgd_momentum_step",
            edit(REFERENCE, (SGD_FIRST, 'state[i] = {"momentum_buffer": lr * g}'),
                 (SGD_UPDATE, 'state[i]["momentum_buffer"].mul_(momentum).add_(g, alpha=lr * (1 - dampening))'),
                 ('                buf = state[i]["momentum_buffer"]\n',
                  '                buf = state[i]["momentum_buffer"] / lr\n')),
            named="holds lr times PyTorch's buffer"),
    Mistake("nesterov_without_momentum_accepted", "sgd_momentum_step",
            mutate(REFERENCE, '''    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum needs momentum > 0 and dampening = 0")
''', ""), named="Nesterov needs momentum > 0"),
    # rmsprop_step
    Mistake("eps_inside_the_root", "rmsprop_step",
            mutate(REFERENCE, RMS_DENOM, 'denom = (s["square_avg"] + eps).sqrt()'),
            named="eps is inside the square root; PyTorch divides by sqrt(square_avg) + eps"),
    Mistake("square_without_one_minus_alpha", "rmsprop_step",
            mutate(REFERENCE, RMS_SQUARE, 's["square_avg"].mul_(alpha).addcmul_(g, g)'),
            named="the squared gradient is added without its weight"),
    Mistake("bias_corrected_square_avg", "rmsprop_step",
            mutate(REFERENCE, RMS_DENOM, 'denom = (s["square_avg"] / (1 - alpha ** s["step"])).sqrt() + eps'),
            named="bias-corrected as in Adam"),
    Mistake("momentum_on_raw_gradient", "rmsprop_step",
            mutate(REFERENCE, RMS_MOMENTUM, '''                s["momentum_buffer"].mul_(momentum).add_(g)
                p.add_(s["momentum_buffer"] / denom, alpha=-lr)
'''), named="momentum is applied to the raw gradient"),
    Mistake("step_count_as_tensor", "rmsprop_step",
            mutate(REFERENCE, RMS_NEW, 'state[i] = {"step": torch.tensor(0.0), "square_avg": torch.zeros_like(p)}'),
            named="expected the Python int"),
    Mistake("gradient_decayed_in_place", "rmsprop_step",
            mutate(REFERENCE, "            if weight_decay != 0:\n                g = g + weight_decay * p\n"
                              "            s[\"square_avg\"]",
                   "            if weight_decay != 0:\n                g.add_(weight_decay * p)\n"
                   "            s[\"square_avg\"]"),
            named="changed a gradient it was given"),
    # adam_step
    Mistake("no_bias_correction", "adam_step",
            mutate(REFERENCE, ADAM_HATS, "            m_hat, v_hat = m, v\n"),
            named="no bias correction"),
    Mistake("eps_inside_the_root", "adam_step",
            mutate(REFERENCE, ADAM_MOVE, "p.add_(m_hat / (v_hat + eps).sqrt(), alpha=-lr)"),
            named="eps is inside the square root; PyTorch divides by sqrt(v_hat) + eps"),
    Mistake("eps_before_the_correction", "adam_step",
            mutate(REFERENCE, ADAM_MOVE, "p.add_(m_hat / ((v.sqrt() + eps) / math.sqrt(1 - beta2 ** t)), alpha=-lr)"),
            named="eps is added to sqrt(v) before the bias correction"),
    Mistake("one_step_count_per_call", "adam_step",
            edit(REFERENCE,
                 ("    with torch.no_grad():\n        for i, (p, g) in enumerate(zip(params, grads)):\n"
                  "            if g is None:\n                continue\n            if i not in state:\n"
                  f"                {ADAM_NEW}\n",
                  "    state[\"step\"] = state.get(\"step\", 0) + 1  # one count for the optimiser\n"
                  "    t = state[\"step\"]\n"
                  "    with torch.no_grad():\n        for i, (p, g) in enumerate(zip(params, grads)):\n"
                  "            if g is None:\n                continue\n            if i not in state:\n"
                  '                state[i] = {"exp_avg": torch.zeros_like(p), "exp_avg_sq": torch.zeros_like(p)}\n'),
                 (ADAM_COUNT, "")),
            named="one step count is kept for the whole call"),
    Mistake("decoupled_decay_without_lr", "adam_step",
            mutate(REFERENCE, ADAM_SHRINK, "p.mul_(1 - weight_decay)"),
            named="PyTorch scales it by the learning rate"),
    Mistake("decoupled_flag_ignored", "adam_step",
            mutate(REFERENCE, ADAM_DECAY, "            if weight_decay != 0:\n                g = g + weight_decay * p\n"),
            named="decoupled=True is ignored"),
    Mistake("decay_after_the_update", "adam_step",
            edit(REFERENCE, (f"                if decoupled:\n                    {ADAM_SHRINK}\n                else:\n",
                             "                if not decoupled:\n"),
                 (ADAM_MOVE, ADAM_MOVE + "\n            if decoupled and weight_decay != 0:\n"
                                         "                p.mul_(1 - lr * weight_decay)")),
            named="AdamW's decay is applied after the Adam update"),
    Mistake("betas_swapped", "adam_step", mutate(REFERENCE, "    beta1, beta2 = betas\n", "    beta2, beta1 = betas\n"),
            named="the betas are swapped"),
    Mistake("beta2_of_one_accepted", "adam_step",
            mutate(REFERENCE, "if not (0 <= beta1 < 1 and 0 <= beta2 < 1):", "if not (0 <= beta1 <= 1 and 0 <= beta2 <= 1):"),
            named="betas=(0.9, 1.0)"),
    Mistake("entry_by_entry_loop", "adam_step",
            mutate(REFERENCE, """            m, v = s["exp_avg"], s["exp_avg_sq"]
            m.mul_(beta1).add_(g, alpha=1 - beta1)  # m <- beta1 m + (1 - beta1) g
            v.mul_(beta2).addcmul_(g, g, value=1 - beta2)  # v <- beta2 v + (1 - beta2) g^2
""" + ADAM_HATS + "            " + ADAM_MOVE + "\n", ADAM_ENTRY_LOOP.lstrip("\n")),
            named="a Python loop over the entries", example="slow"),
    # train_mlp_with
    Mistake("state_made_every_epoch", "train_mlp_with",
            edit(REFERENCE, (TRAIN_STATE, ""), (TRAIN_LOOP, TRAIN_LOOP + "        state: dict = {}\n")),
            named="the state dict is made afresh every epoch"),
    Mistake("gradients_never_cleared", "train_mlp_with", mutate(REFERENCE, TRAIN_CLEAR, ""),
            named="the gradients are never cleared"),
    Mistake("loss_recorded_after_the_step", "train_mlp_with",
            edit(REFERENCE, (TRAIN_RECORD, ""),
                 (TRAIN_CLEAR, TRAIN_CLEAR + "        with torch.no_grad():\n"
                  "            losses.append(F.binary_cross_entropy_with_logits(mlp_forward(X, layers, activation), y).item())\n")),
            named="the loss is recorded after the update"),
    Mistake("trains_layers0_itself", "train_mlp_with",
            mutate(REFERENCE, "    layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))\n",
                   "    layers = [(W.requires_grad_(True), b.requires_grad_(True))\n"),
            named="changed layers0 in place"),
    Mistake("layers_passed_in_reverse", "train_mlp_with",
            mutate(REFERENCE, "    params = [t for layer in layers for t in layer]  # [W_1, b_1, ..., W_L, b_L]\n",
                   "    params = [t for layer in reversed(layers) for t in layer]\n"),
            named="step must get params = [W_1, b_1, ..., W_L, b_L]"),
    Mistake("only_lr_passed_on", "train_mlp_with",
            mutate(REFERENCE, TRAIN_STEP, '        step(params, [p.grad for p in params], state, lr=hyper["lr"])\n'),
            named="only lr reaches the step function"),
]

# --- alternatives ----------------------------------------------------------------------------

OPTIMIZER_CLASSES = '''
class HandSGD(torch.optim.Optimizer):
    """SGD with momentum written as a torch.optim.Optimizer subclass."""

    def __init__(self, params: list[Tensor], lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False) -> None:
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError("lr, momentum and weight_decay must be >= 0")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov needs momentum > 0 and dampening 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    @torch.no_grad()
    def step(self, closure: Callable | None = None) -> None:
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad.add(p, alpha=group["weight_decay"])
                if mu != 0:
                    st = self.state[p]
                    if "momentum_buffer" not in st:
                        st["momentum_buffer"] = torch.clone(d).detach()
                    else:
                        st["momentum_buffer"].mul_(mu).add_(d, alpha=1 - group["dampening"])
                    d = d.add(st["momentum_buffer"], alpha=mu) if group["nesterov"] else st["momentum_buffer"]
                p.add_(d, alpha=-group["lr"])


class HandRMSprop(torch.optim.Optimizer):
    def __init__(self, params: list[Tensor], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0) -> None:
        if min(lr, alpha, eps, weight_decay, momentum) < 0:
            raise ValueError("hyperparameters must be >= 0")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum))

    @torch.no_grad()
    def step(self, closure: Callable | None = None) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["step"] = 0
                    st["square_avg"] = torch.zeros_like(p)
                    if group["momentum"] > 0:
                        st["momentum_buffer"] = torch.zeros_like(p)
                st["step"] += 1
                d = p.grad.add(p, alpha=group["weight_decay"])
                st["square_avg"].mul_(group["alpha"]).addcmul_(d, d, value=1 - group["alpha"])
                avg = st["square_avg"].sqrt().add_(group["eps"])
                if group["momentum"] > 0:
                    st["momentum_buffer"].mul_(group["momentum"]).addcdiv_(d, avg)
                    p.add_(st["momentum_buffer"], alpha=-group["lr"])
                else:
                    p.addcdiv_(d, avg, value=-group["lr"])


class HandAdam(torch.optim.Optimizer):
    def __init__(self, params: list[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, decoupled: bool = False) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0 or not all(0 <= b < 1 for b in betas):
            raise ValueError("bad Adam hyperparameters")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, decoupled=decoupled))

    @torch.no_grad()
    def step(self, closure: Callable | None = None) -> None:
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, wd = group["lr"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st.update(step=0, exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p))
                st["step"] += 1
                d = p.grad
                if group["decoupled"]:
                    p.mul_(1 - lr * wd)
                else:
                    d = d.add(p, alpha=wd)
                st["exp_avg"].lerp_(d, 1 - beta1)
                st["exp_avg_sq"].mul_(beta2).addcmul_(d, d, value=1 - beta2)
                step_size = lr / (1 - beta1 ** st["step"])
                denom = (st["exp_avg_sq"].sqrt() / math.sqrt(1 - beta2 ** st["step"])).add_(group["eps"])
                p.addcdiv_(st["exp_avg"], denom, value=-step_size)


def run_optimiser(optimiser_class: type, params: list[Tensor], grads: list[Tensor | None], state: dict,
                  **hyper: object) -> None:
    """One step of an Optimizer subclass in the plain-data contract: state in, step, state out."""
    if len(params) != len(grads):
        raise ValueError("params and grads differ in length")
    optimiser = optimiser_class(params, **hyper)
    saved = [p.grad for p in params]
    for i, (p, g) in enumerate(zip(params, grads)):
        p.grad = g
        if i in state:
            optimiser.state[p] = state[i]
    optimiser.step()
    for i, p in enumerate(params):
        p.grad = saved[i]
        if p in optimiser.state and optimiser.state[p]:
            state[i] = optimiser.state[p]
'''

SUBCLASS = mutate(REFERENCE, "def sgd_momentum_step(", OPTIMIZER_CLASSES.lstrip("\n") + "\n\ndef sgd_momentum_step(")
SUBCLASS = replace_body(SUBCLASS, "sgd_momentum_step", """
    run_optimiser(HandSGD, params, grads, state, lr=lr, momentum=momentum, dampening=dampening,
                  weight_decay=weight_decay, nesterov=nesterov)
""")
SUBCLASS = replace_body(SUBCLASS, "rmsprop_step", """
    run_optimiser(HandRMSprop, params, grads, state, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                  momentum=momentum)
""")
SUBCLASS = replace_body(SUBCLASS, "adam_step", """
    run_optimiser(HandAdam, params, grads, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                  decoupled=decoupled)
""")

FUNCTIONAL = replace_body(REFERENCE, "adam_step", '''
    beta1, beta2 = betas
    if lr < 0 or eps < 0 or weight_decay < 0 or not (0 <= beta1 < 1) or not (0 <= beta2 < 1):
        raise ValueError("bad hyperparameters")
    if len(params) != len(grads):
        raise ValueError("params and grads differ in length")
    for i, (p, g) in enumerate(zip(params, grads)):
        if g is None:
            continue
        s = state.setdefault(i, {"step": 0, "exp_avg": torch.zeros_like(p), "exp_avg_sq": torch.zeros_like(p)})
        s["step"] = s["step"] + 1
        if weight_decay and decoupled:
            p.data.mul_(1 - lr * weight_decay)  # .data: no autograd, no torch.no_grad() needed
        elif weight_decay:
            g = g + weight_decay * p.detach()
        s["exp_avg"] = beta1 * s["exp_avg"] + (1 - beta1) * g  # new tensors, not in place
        s["exp_avg_sq"] = beta2 * s["exp_avg_sq"] + (1 - beta2) * g ** 2
        m_hat = s["exp_avg"] / (1 - beta1 ** s["step"])
        v_hat = s["exp_avg_sq"] / (1 - beta2 ** s["step"])
        p.data.sub_(lr * m_hat / (torch.sqrt(v_hat) + eps))
''')
FUNCTIONAL = replace_body(FUNCTIONAL, "train_mlp_with", '''
    if epochs < 0 or tuple(y.shape) != (X.shape[0], 1):
        raise ValueError("epochs must be >= 0 and y of shape (N, 1)")
    params = [t.detach().clone().requires_grad_(True) for layer in layers0 for t in layer]
    state: dict = {}
    losses: list[float] = []
    for _ in range(epochs):
        layers = list(zip(params[0::2], params[1::2]))
        loss = F.binary_cross_entropy_with_logits(mlp_forward(X, layers, activation), y)
        losses.append(float(loss))
        grads = list(torch.autograd.grad(loss, params))  # no .grad to clear
        step(params, grads, state, **hyper)
    return [(W.detach(), b.detach()) for W, b in zip(params[0::2], params[1::2])], losses
''')
FUNCTIONAL = replace_body(FUNCTIONAL, "rmsprop_step", '''
    if min(lr, alpha, eps, weight_decay, momentum) < 0:
        raise ValueError("hyperparameters must be >= 0")
    if len(params) != len(grads):
        raise ValueError("params and grads differ in length")
    with torch.no_grad():
        for i, (p, g) in enumerate(zip(params, grads)):
            if g is None:
                continue
            if i not in state:
                state[i] = {"step": 0, "square_avg": torch.zeros_like(p)}
                if momentum > 0:
                    state[i]["momentum_buffer"] = torch.zeros_like(p)
            s = state[i]
            s["step"] += 1
            g = g.add(p, alpha=weight_decay)
            s["square_avg"] = torch.lerp(s["square_avg"], g * g, 1 - alpha)
            step = g / (torch.sqrt(s["square_avg"]) + eps)
            if momentum > 0:
                s["momentum_buffer"] = momentum * s["momentum_buffer"] + step
                step = s["momentum_buffer"]
            p.copy_(p - lr * step)
''')

NN_MODULE = mutate(REFERENCE, "def train_mlp_with(", '''class MLP(torch.nn.Module):
    """Lesson 2.1's MLP as an nn.Module, keeping the (in, out) layout of W."""

    def __init__(self, layers0: Layers, activation: str) -> None:
        super().__init__()
        self.activation = activation
        self.weights = torch.nn.ParameterList()
        for W, b in layers0:  # registered W_1, b_1, W_2, ...: model.parameters() keeps that order
            self.weights.append(torch.nn.Parameter(W.detach().clone()))
            self.weights.append(torch.nn.Parameter(b.detach().clone()))

    def layers(self) -> Layers:
        return list(zip(self.weights[0::2], self.weights[1::2]))

    def forward(self, x: Tensor) -> Tensor:
        return mlp_forward(x, self.layers(), self.activation)


def train_mlp_with(''')
NN_MODULE = replace_body(NN_MODULE, "train_mlp_with", '''
    if epochs < 0:
        raise ValueError("epochs must be at least 0")
    if tuple(y.shape) != (X.shape[0], 1):
        raise ValueError("y must have shape (N, 1)")
    model = MLP(layers0, activation)
    params = list(model.parameters())
    state: dict = {}
    losses: list[float] = []
    for _ in range(epochs):
        model.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy_with_logits(model(X), y)
        losses.append(loss.item())
        loss.backward()
        step(params, [p.grad for p in params], state, **hyper)
    return [(W.detach().clone(), b.detach().clone()) for W, b in model.layers()], losses
''')
NN_MODULE = replace_body(NN_MODULE, "sgd_momentum_step", '''
    if lr < 0 or momentum < 0 or weight_decay < 0:
        raise ValueError("lr, momentum and weight_decay must be >= 0")
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov needs momentum > 0 and dampening = 0")
    if len(params) != len(grads):
        raise ValueError("params and grads differ in length")
    with torch.no_grad():
        for i in range(len(params)):
            if grads[i] is None:
                continue
            d = grads[i] + weight_decay * params[i]
            if momentum:
                old = state.get(i)
                buf = d.clone() if old is None else momentum * old["momentum_buffer"] + (1 - dampening) * d
                state[i] = {"momentum_buffer": buf}
                d = d + momentum * buf if nesterov else buf
            params[i].sub_(lr * d)
''')

ALTERNATIVES = [
    Alternative("optimizer_subclasses", SUBCLASS,
                "each optimiser a torch.optim.Optimizer subclass (PyTorch's own formulas: lerp, addcdiv, "
                "lr / bias_correction1), wrapped into the plain-data contract", example="correct"),
    Alternative("functional_updates_and_autograd_grad", FUNCTIONAL,
                "state tensors replaced rather than updated in place, p.data instead of torch.no_grad(), "
                "torch.lerp for RMSProp's average, and a loop with torch.autograd.grad (nothing to clear)"),
    Alternative("nn_module_loop", NN_MODULE,
                "train_mlp_with on an nn.Module (nn.ParameterList) with model.zero_grad(), and SGD "
                "written out of place, indexing the lists"),
]
