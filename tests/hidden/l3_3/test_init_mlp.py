"""Hidden checks for `init_mlp`: the layers' format (lesson 2.1's list of (W, b), zero biases);
every layer's variance as its scheme promises, with the gain of the activation after hidden
layers and gain 1 after the last; through a 50-layer stack of width 256, xavier/kaiming keep the
activations' standard deviation inside a stated band while the naive N(0, std^2) init explodes
or vanishes; zero init leaves every hidden unit identical after training, while kaiming's units
differ; the generator is the only randomness; bad input raises ValueError."""

import math

import torch
import torch.nn as nn

from looplab.checks import (as_tensor, describe, drive, expect, expect_raises, fail, gen, kind, likely,
                            points)

from .samples import call, expect_sample

NAME = "init_mlp"
BANDS = {"relu": (0.1, 10.0), "tanh": (0.4, 0.9)}  # hidden activations' std through 50 layers


def read_layers(value, sizes, dtype, setting):
    if not isinstance(value, list) or len(value) != len(sizes) - 1:
        size = f" of length {len(value)}" if isinstance(value, (list, tuple)) else ""
        fail(f"{NAME} returned a {kind(value)}{size}; expected a list of {len(sizes) - 1} (W, b) tuples, "
             f"one per layer ({setting})")
    layers = []
    for k, layer in enumerate(value, 1):
        if not isinstance(layer, tuple) or len(layer) != 2:
            fail(f"{NAME}: layer {k} is a {kind(layer)}; each layer is a tuple (W, b) ({setting})")
        W = as_tensor(layer[0], f"{NAME}: layer {k}'s W", shape=(sizes[k - 1], sizes[k]), dtype=dtype)
        b = as_tensor(layer[1], f"{NAME}: layer {k}'s b", shape=(sizes[k],), dtype=dtype)
        expect(torch.count_nonzero(b) == 0,
               f"{NAME}: layer {k}'s b is not zero ({setting}); every bias starts at zero, whatever the scheme"
               + likely("the biases were drawn at random, as lesson 2.1's init_mlp does"))
        layers.append((W, b))
    return layers


def layer_candidates(var: float, hidden_gain: float, last: bool, shape, scheme: str) -> dict[str, float]:
    """Known mistakes and the variance each gives this layer."""
    if scheme == "normal":
        return {"the 'normal' scheme ignored std: every entry is N(0, std^2), std as given": 1.0}
    known: dict[str, float] = {}
    if last and hidden_gain != 1.0:
        known["the last layer got the activation's gain too: no activation follows it, so its gain "
              "is 1 (nonlinearity 'linear')"] = var * hidden_gain ** 2
    if not last and hidden_gain != 1.0:
        known["the hidden layers' gain was left out: a layer followed by the activation gets "
              "calculate_gain(activation)"] = var / hidden_gain ** 2
    if scheme == "kaiming":
        known["kaiming's fan is fan_in = sizes[k] (mode 'fan_in'), the layer's input width"] = var * shape[0] / shape[1]
    else:
        known["xavier's variance averages both fans, 2 / (fan_in + fan_out)"] = var * sum(shape) / (2 * shape[0])
    return known


def expect_scheme(student, sizes, seed, scheme, activation, std=1.0, dtype=torch.float32):
    setting = describe(sizes=sizes, scheme=scheme, activation=activation,
                       **({"std": std} if scheme == "normal" else {}),
                       **({} if dtype == torch.float32 else {"dtype": str(dtype).removeprefix("torch.")}))
    kwargs = {"std": std} if scheme == "normal" else {}
    value = call(student, NAME, sizes, gen(seed), scheme, activation, dtype=dtype, **kwargs)
    layers = read_layers(value, sizes, dtype, setting)
    for k, (W, _) in enumerate(layers, 1):
        shape, last = (sizes[k - 1], sizes[k]), k == len(layers)
        hidden_gain = float(nn.init.calculate_gain(activation))
        gain = 1.0 if last else hidden_gain
        if scheme == "normal":
            gain, var, formula = 1.0, std ** 2, "std^2"
        elif scheme == "xavier":
            var, formula = gain ** 2 * 2 / sum(shape), "gain^2 * 2 / (fan_in + fan_out)"
        else:
            var, formula = gain ** 2 / shape[0], "gain^2 / fan_in"
        expect_sample(W, what=f"{NAME}: layer {k}'s W", shape=shape, dtype=dtype, var=var,
                      formula=formula + f" with gain {gain:.4g}" + (" (the last layer: no activation after it)"
                                                                    if last else ""),
                      distribution="normal", setting=setting,
                      candidates=layer_candidates(var, hidden_gain, last, shape, scheme))


@points(NAME, 0.5)
def test_format_and_zero_biases(student):
    sizes = [3, 5, 2]
    for scheme in ("zeros", "normal", "xavier", "kaiming"):
        setting = describe(sizes=sizes, scheme=scheme, dtype="float64")
        value = call(student, NAME, sizes, gen(1), scheme, "tanh", dtype=torch.float64)
        layers = read_layers(value, sizes, torch.float64, setting)
        if scheme == "zeros":
            expect(all(torch.count_nonzero(W) == 0 for W, _ in layers),
                   f"{NAME}: scheme 'zeros' returned a W that is not all zeros ({setting})")
    value = student.init_mlp([4, 3], gen(2), "kaiming")
    read_layers(value, [4, 3], torch.float32, "sizes=[4, 3] (one layer), scheme='kaiming', the defaults")


@points(NAME, 1.5)
def test_every_layer_has_its_schemes_variance(student):
    expect_scheme(student, [200, 300, 100, 64], 3, "xavier", "tanh")
    expect_scheme(student, [300, 200, 120, 96], 4, "kaiming", "relu")
    expect_scheme(student, [100, 150, 80], 5, "xavier", "sigmoid", dtype=torch.float64)
    expect_scheme(student, [120, 100, 60], 6, "normal", "relu", std=0.05)


def deep_stack_stds(width: int, depth: int, scheme: str, activation: str, std: float, seed: int) -> list:
    """Runs in the student process: the hidden activations' std through the student's init."""
    layers = init_mlp([width] * (depth + 1), torch.Generator().manual_seed(seed), scheme, activation, std)
    f = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[activation]
    h = torch.randn(64, width, generator=torch.Generator().manual_seed(seed + 1))  # std 1
    stds = []
    for W, b in layers[:-1]:
        h = f(h @ W + b)
        s = h.std().item()
        stds.append(s if math.isfinite(s) else float("inf"))
    return stds


def stack_setting(scheme, activation, std=None):
    extra = f", std={std}" if std is not None else ""
    return (f"50 layers of width 256, scheme={scheme!r}, activation={activation!r}{extra}, 64 inputs "
            f"with std 1")


@points(NAME, 1)
def test_deep_stack_keeps_its_size_where_naive_init_does_not(student):
    for scheme, activation in (("kaiming", "relu"), ("xavier", "tanh")):
        stds = drive(student, NAME, deep_stack_stds, 256, 50, scheme, activation, 1.0, 11)
        low, high = BANDS[activation]
        bad = [(k, s) for k, s in enumerate(stds, 1) if not low <= s <= high]
        if len(stds) != 49 or bad:
            where = f"hidden layer {bad[0][0]}'s std is {bad[0][1]:.3g}" if bad else f"{len(stds)} layers"
            fail(f"{where}; {scheme} keeps every hidden layer's activation std within [{low}, {high}] "
                 f"({stack_setting(scheme, activation)})"
                 + likely(None if activation == "relu" or not bad or bad[0][1] > low else
                          "the gain is missing: tanh shrinks a signal of std 1, and only its gain 5/3 "
                          "makes up for it"))
    naive = {"explodes": ("relu", 1.0, lambda s: s > 1e6), "vanishes": ("tanh", 0.01, lambda s: s < 1e-6)}
    for verb, (activation, std, far) in naive.items():
        stds = drive(student, NAME, deep_stack_stds, 256, 50, "normal", activation, std, 12)
        expect(len(stds) == 49 and far(stds[-1]),
               f"the naive init {verb} through 50 layers, but with your 'normal' scheme the last hidden "
               f"layer's std is {stds[-1] if stds else 'missing'} ({stack_setting('normal', activation, std)}); "
               f"'normal' draws every entry from N(0, std^2), whatever the layer's width")


def unit_spread_after_training(scheme: str, activation: str, seed: int) -> dict:
    """Runs in the student process: train the student's init on a small task, return for each
    hidden layer how far its units' parameters (incoming column, bias, outgoing row) differ."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(48, 3, generator=g)
    y = ((X[:, :1] * X[:, 1:2]) > 0).float()  # (48, 1): an XOR-like target
    layers = [(W.clone().requires_grad_(True), b.clone().requires_grad_(True))
              for W, b in init_mlp([3, 8, 8, 1], g, scheme, activation)]
    f = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[activation]
    for _ in range(40):
        h = X
        for k, (W, b) in enumerate(layers):
            h = h @ W + b if k == len(layers) - 1 else f(h @ W + b)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(h, y)
        grads = torch.autograd.grad(loss, [p for layer in layers for p in layer])
        with torch.no_grad():
            for p, grad in zip([p for layer in layers for p in layer], grads):
                p -= 0.5 * grad
    spreads = []
    for k in range(len(layers) - 1):
        W, b = layers[k]
        W_next = layers[k + 1][0]
        spread = max((W - W[:, :1]).abs().max().item(), (b - b[0]).abs().max().item(),
                     (W_next - W_next[:1, :]).abs().max().item())
        spreads.append(spread)
    moved = (layers[-1][1].abs().max().item() > 0)
    return {"spreads": spreads, "moved": moved}


@points(NAME, 1)
def test_zero_init_never_breaks_symmetry_and_kaiming_does(student):
    setting = "a 3 -> 8 -> 8 -> 1 network, 40 full-batch gradient steps (lr 0.5) on 48 samples"
    for activation in ("tanh", "relu"):
        got = drive(student, NAME, unit_spread_after_training, "zeros", activation, 21)
        spreads = got["spreads"]
        expect(all(s == 0.0 for s in spreads),
               f"after training from scheme 'zeros' ({activation}), the hidden units of a layer differ by up "
               f"to {max(spreads):.3g}; from zero init every unit of a layer computes the same thing and gets "
               f"the same gradient, so they stay identical forever ({setting})"
               + likely("the zero init is not all zeros: every W and every b must start at exactly 0"))
    got = drive(student, NAME, unit_spread_after_training, "kaiming", "tanh", 22)
    expect(min(got["spreads"]) > 1e-3,
           f"after training from scheme 'kaiming', a hidden layer's units are still (nearly) identical "
           f"(largest difference {min(got['spreads']):.3g}); random init exists to make them differ ({setting})"
           + likely("one column was drawn and copied across the layer's units: draw every entry"))


@points(NAME, 0.5)
def test_randomness_only_from_the_generator_and_bad_input(student):
    sizes = [6, 10, 4]
    for scheme in ("xavier", "normal"):
        a, b = (read_layers(student.call(NAME, sizes, gen(7), scheme, "tanh", global_seed=s)["result"], sizes,
                            torch.float32, describe(sizes=sizes, scheme=scheme)) for s in (1, 2))
        same = all(torch.equal(x[0], y[0]) for x, y in zip(a, b))
        expect(same, f"{NAME}({sizes}, generator seeded 7, {scheme!r}) gave different weights when only the "
                     f"global seed changed: every draw must use the generator")
    g = gen(0)
    expect_raises(student, NAME, ([3], g, "xavier"), "ValueError", setting="sizes=[3]",
                  hint="an MLP needs an input and an output width")
    expect_raises(student, NAME, ([3, 0, 2], g, "xavier"), "ValueError", setting="sizes=[3, 0, 2]",
                  hint="every width must be at least 1")
    expect_raises(student, NAME, ([3, 4, 2], g, "he"), "ValueError", setting="scheme='he'",
                  hint="the schemes are 'zeros', 'normal', 'xavier' and 'kaiming'")
    expect_raises(student, NAME, ([3, 4, 2], g, "kaiming", "gelu"), "ValueError", setting="activation='gelu'",
                  hint="the activations are lesson 2.1's: 'relu', 'tanh' and 'sigmoid'")
