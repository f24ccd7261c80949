"""Lesson 3.3's proof that its checks work: realistic mistakes and correct alternative styles.

Each mistake is the reference with one thing done wrong in the function it belongs to. It must
lose points on that function's task, be named there, and leave every other task at full marks,
except the tasks whose own code calls the mistaken function (`spreads`): kaiming_init calls
calculate_gain, and init_mlp calls calculate_gain, xavier_init and kaiming_init. The
alternatives are correct solutions in other styles: torch.nn.init on nn.Linear's (out, in)
layout, torch.rand/randn arithmetic in float64, and nn.Linear modules.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("3.3")

XAVIER_STD = "std = gain * math.sqrt(2.0 / (fan_in + fan_out))"
XAVIER_BOUND = "bound = math.sqrt(3.0) * std  # U(-a, a) has variance a^2 / 3"
XAVIER_UNIFORM = XAVIER_BOUND + "\n        return W.uniform_(-bound, bound, generator=generator)"
XAVIER_NORMAL = ('''    if distribution == "normal":
        return W.normal_(0.0, std, generator=generator)
    raise ValueError(f"unknown distribution {distribution!r}; expected 'uniform' or 'normal'")


def kaiming_init''')
KAIMING_FAN = "fan = fan_in if mode == \"fan_in\" else fan_out"
KAIMING_STD = "std = calculate_gain(nonlinearity, a) / math.sqrt(fan)"
KAIMING_BOUND = "bound = math.sqrt(3.0) * std  # U(-b, b) has variance b^2 / 3"
MODE_CHECK = '''    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"unknown mode {mode!r}; expected 'fan_in' or 'fan_out'")
'''
AFTER = 'after = activation if k < len(sizes) - 2 else "linear"'
APPEND = "layers.append((W, torch.zeros(shape[1], dtype=dtype)))"
XAVIER_CALL = 'xavier_init(shape, generator, calculate_gain(after), "normal", dtype)'
NAIVE = "W = torch.empty(shape, dtype=dtype).normal_(0.0, std, generator=generator)"

GAIN_MISTAKES = [
    Mistake("tanh_gets_relu_gain", "calculate_gain", mutate(REFERENCE, "return 5.0 / 3", "return math.sqrt(2.0)"),
            "tanh was given ReLU's gain sqrt(2)", spreads=("kaiming_init", "init_mlp")),
    Mistake("zero_slope_taken_as_missing", "calculate_gain",
            mutate(REFERENCE, "        if param is None:\n            slope = 0.01",
                   "        if not param:\n            slope = 0.01"),
            "param=0 was treated as missing"),
    Mistake("int_one", "calculate_gain",
            mutate(REFERENCE, "return 1.0  # no rescaling", "return 1  # no rescaling"),
            "the contract asks for a Python float"),
    Mistake("slope_not_squared", "calculate_gain",
            mutate(REFERENCE, "math.sqrt(2.0 / (1 + slope ** 2))", "math.sqrt(2.0 / (1 + slope))"),
            "the slope is squared in the formula"),
    Mistake("bool_slope_accepted", "calculate_gain",
            mutate(REFERENCE, "elif isinstance(param, bool) or not isinstance(param, (int, float)):",
                   "elif not isinstance(param, (int, float)):"),
            "a bool is not a slope"),
]

XAVIER_MISTAKES = [
    Mistake("fan_in_only", "xavier_init", mutate(REFERENCE, XAVIER_STD, "std = gain * math.sqrt(1.0 / fan_in)"),
            "1 / fan_in is LeCun's variance", spreads=("init_mlp",)),
    Mistake("bound_is_std", "xavier_init", mutate(REFERENCE, XAVIER_BOUND, "bound = std"),
            "the uniform bound was set to the standard deviation"),
    Mistake("normal_std_is_bound", "xavier_init",
            mutate(REFERENCE, XAVIER_NORMAL, XAVIER_NORMAL.replace("W.normal_(0.0, std,",
                                                                   "W.normal_(0.0, math.sqrt(3.0) * std,")),
            "the normal's standard deviation was set to the uniform bound", spreads=("init_mlp",)),
    Mistake("global_rng", "xavier_init",
            mutate(REFERENCE, XAVIER_UNIFORM, XAVIER_BOUND + "\n        return W.uniform_(-bound, bound)"),
            "gave different weights when only the global seed changed"),
    Mistake("unknown_distribution_is_normal", "xavier_init",
            mutate(REFERENCE, XAVIER_NORMAL, "    return W.normal_(0.0, std, generator=generator)\n\n\n"
                                             "def kaiming_init"),
            "distribution='gaussian') returned instead of raising ValueError"),
]

KAIMING_MISTAKES = [
    Mistake("fans_from_torch_layout", "kaiming_init",
            mutate(REFERENCE, KAIMING_FAN, 'fan = fan_out if mode == "fan_in" else fan_in'),
            "the wrong fan was used", spreads=("init_mlp",), example="buggy"),
    Mistake("mode_ignored", "kaiming_init", mutate(REFERENCE, KAIMING_FAN, "fan = fan_in"),
            "the wrong fan was used"),
    Mistake("relu_factor_twice", "kaiming_init",
            mutate(REFERENCE, KAIMING_STD, "std = calculate_gain(nonlinearity, a) * math.sqrt(2.0 / fan)"),
            "2 / fan already holds ReLU's gain", spreads=("init_mlp",)),
    Mistake("slope_ignored", "kaiming_init",
            mutate(REFERENCE, KAIMING_STD, "std = calculate_gain(nonlinearity) / math.sqrt(fan)"),
            "the negative slope a was ignored"),
    Mistake("bound_is_std", "kaiming_init", mutate(REFERENCE, KAIMING_BOUND, "bound = std"),
            "the uniform bound was set to the standard deviation"),
    Mistake("mode_not_checked", "kaiming_init", mutate(REFERENCE, MODE_CHECK, ""),
            "mode='fan_avg') returned instead of raising ValueError"),
]

MLP_MISTAKES = [
    Mistake("last_layer_gets_the_gain", "init_mlp", mutate(REFERENCE, AFTER, "after = activation"),
            "the last layer got the activation's gain too"),
    Mistake("biases_drawn_as_in_lesson_2_1", "init_mlp",
            mutate(REFERENCE, APPEND, "bound = 1 / math.sqrt(shape[0])\n        layers.append((W, (2 * torch.rand("
                                      "shape[1], generator=generator, dtype=dtype) - 1) * bound))"),
            "the biases were drawn at random"),
    Mistake("hidden_gain_left_out", "init_mlp",
            mutate(REFERENCE, XAVIER_CALL, 'xavier_init(shape, generator, 1.0, "normal", dtype)'),
            ("the hidden layers' gain was left out", "the gain is missing")),
    Mistake("naive_std_ignored", "init_mlp",
            mutate(REFERENCE, NAIVE, "W = torch.empty(shape, dtype=dtype).normal_(0.0, 1.0, generator=generator)"),
            "the 'normal' scheme ignored std"),
    Mistake("uniform_draws", "init_mlp", mutate(REFERENCE, XAVIER_CALL, XAVIER_CALL.replace('"normal"', '"uniform"')),
            "it looks uniform"),
    Mistake("naive_from_global_rng", "init_mlp",
            mutate(REFERENCE, NAIVE, "W = torch.randn(shape, dtype=dtype) * std"),
            "gave different weights when only the global"),
    Mistake("one_column_copied", "init_mlp",
            mutate(REFERENCE, APPEND, "W = W[:, :1].expand(shape).clone()  # one draw per input, shared by all units\n"
                                      "        " + APPEND),
            "one row or column was drawn and copied"),
]

MISTAKES = GAIN_MISTAKES + XAVIER_MISTAKES + KAIMING_MISTAKES + MLP_MISTAKES

WITH_TORCH_INIT = edit(
    REFERENCE,
    ('''    W = torch.empty(fan_in, fan_out, dtype=dtype)  # (in, out)
    if distribution == "uniform":
        bound = math.sqrt(3.0) * std  # U(-a, a) has variance a^2 / 3
        return W.uniform_(-bound, bound, generator=generator)
    if distribution == "normal":
        return W.normal_(0.0, std, generator=generator)
''', '''    weight = torch.empty(fan_out, fan_in, dtype=dtype)  # nn.Linear's layout, (out, in)
    if distribution == "uniform":
        return nn.init.xavier_uniform_(weight, gain, generator=generator).T.contiguous()
    if distribution == "normal":
        return nn.init.xavier_normal_(weight, gain, generator=generator).T.contiguous()
'''),
    ('''    W = torch.empty(fan_in, fan_out, dtype=dtype)  # (in, out)
    if distribution == "uniform":
        bound = math.sqrt(3.0) * std  # U(-b, b) has variance b^2 / 3
        return W.uniform_(-bound, bound, generator=generator)
    if distribution == "normal":
        return W.normal_(0.0, std, generator=generator)
''', '''    weight = torch.empty(fan_out, fan_in, dtype=dtype)  # nn.Linear's layout: PyTorch's fan_in is size(1)
    if distribution == "uniform":
        return nn.init.kaiming_uniform_(weight, a, mode, nonlinearity, generator=generator).T.contiguous()
    if distribution == "normal":
        return nn.init.kaiming_normal_(weight, a, mode, nonlinearity, generator=generator).T.contiguous()
'''),
)

BY_HAND_FLOAT64 = edit(
    REFERENCE,
    ('''    W = torch.empty(fan_in, fan_out, dtype=dtype)  # (in, out)
    if distribution == "uniform":
        bound = math.sqrt(3.0) * std  # U(-a, a) has variance a^2 / 3
        return W.uniform_(-bound, bound, generator=generator)
    if distribution == "normal":
        return W.normal_(0.0, std, generator=generator)
''', '''    if distribution == "uniform":
        u = torch.rand(fan_in, fan_out, generator=generator, dtype=torch.float64)
        return ((2 * u - 1) * (math.sqrt(3.0) * std)).to(dtype)
    if distribution == "normal":
        return (torch.randn(fan_in, fan_out, generator=generator, dtype=torch.float64) * std).to(dtype)
'''),
    ('''    W = torch.empty(fan_in, fan_out, dtype=dtype)  # (in, out)
    if distribution == "uniform":
        bound = math.sqrt(3.0) * std  # U(-b, b) has variance b^2 / 3
        return W.uniform_(-bound, bound, generator=generator)
    if distribution == "normal":
        return W.normal_(0.0, std, generator=generator)
''', '''    variance = std ** 2
    if distribution == "uniform":
        u = torch.rand(fan_in, fan_out, generator=generator, dtype=torch.float64)
        return (math.sqrt(3 * variance) * (2 * u - 1)).to(dtype)
    if distribution == "normal":
        return (math.sqrt(variance) * torch.randn(fan_in, fan_out, generator=generator,
                                                  dtype=torch.float64)).to(dtype)
'''),
)
BY_HAND_FLOAT64 = replace_body(BY_HAND_FLOAT64, "calculate_gain", '''
    table = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": 2 ** 0.5, "selu": 3 / 4}
    if nonlinearity in table:
        return table[nonlinearity]
    if nonlinearity != "leaky_relu":
        raise ValueError(f"no gain for {nonlinearity!r}")
    if param is None:
        param = 0.01
    if type(param) not in (int, float):
        raise ValueError(f"slope {param!r} is not a number")
    return (2 / (1 + param * param)) ** 0.5
''')

WITH_LINEAR_MODULES = replace_body(REFERENCE, "init_mlp", '''
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError("sizes needs two or more positive widths")
    if scheme not in {"zeros", "normal", "xavier", "kaiming"} or activation not in {"relu", "tanh", "sigmoid"}:
        raise ValueError(f"unknown scheme {scheme!r} or activation {activation!r}")
    layers = []
    for k in range(len(sizes) - 1):
        linear = nn.Linear(sizes[k], sizes[k + 1], dtype=dtype)  # weight (out, in)
        last = k == len(sizes) - 2
        with torch.no_grad():
            nn.init.zeros_(linear.bias)
            if scheme == "zeros":
                nn.init.zeros_(linear.weight)
            elif scheme == "normal":
                linear.weight.copy_(torch.randn(sizes[k], sizes[k + 1], generator=generator, dtype=dtype).T * std)
            else:
                linear.weight.copy_((xavier_init if scheme == "xavier" else _kaiming)(
                    (sizes[k], sizes[k + 1]), generator, "linear" if last else activation, dtype).T)
        layers.append((linear.weight.detach().T.contiguous(), linear.bias.detach().clone()))
    return layers


def _kaiming(shape, generator, nonlinearity, dtype):
    return kaiming_init(shape, generator, nonlinearity=nonlinearity, distribution="normal", dtype=dtype)
''').replace('''                linear.weight.copy_((xavier_init if scheme == "xavier" else _kaiming)(
                    (sizes[k], sizes[k + 1]), generator, "linear" if last else activation, dtype).T)''', '''                after = "linear" if last else activation
                shape = (sizes[k], sizes[k + 1])
                W = (xavier_init(shape, generator, calculate_gain(after), "normal", dtype) if scheme == "xavier"
                     else _kaiming(shape, generator, after, dtype))
                linear.weight.copy_(W.T)''')

ALTERNATIVES = [
    Alternative("torch_nn_init_on_linear_layout", WITH_TORCH_INIT,
                "torch.nn.init on nn.Linear's (out, in) weight, transposed to (in, out)", example="correct"),
    Alternative("rand_randn_in_float64", BY_HAND_FLOAT64,
                "torch.rand/randn arithmetic in float64, cast to the asked dtype; a table for the gains"),
    Alternative("nn_linear_modules", WITH_LINEAR_MODULES,
                "init_mlp builds nn.Linear modules and initialises their weights in place"),
]
