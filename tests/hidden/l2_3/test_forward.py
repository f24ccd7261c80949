"""Hidden checks for `forward`: H = tanh(X @ W1 + b1), logits = H @ W2 + b2."""

import torch

from looplab.checks import as_tensor, assert_tensor, diagnose, expect_unchanged, likely, points

from .model import FORWARD_MISTAKES, fwd, network, read_tensors, shapes

SETTINGS = [(8, 3, 5, 4, 1, 1.0), (1, 2, 1, 2, 2, 1.0), (30, 5, 16, 3, 3, 3.0)]


def _named(got, X, params):
    return diagnose(got, ((msg, (lambda m=m: fwd(X, params, m))) for m, msg in FORWARD_MISTAKES.items()),
                    same=lambda a, b: all(torch.allclose(x.double(), y.double(), rtol=1e-6, atol=1e-9)
                                          for x, y in zip(a, b)))


@points("forward", 1)
def test_matches_reference(student, reference):
    for n, d, h, k, seed, scale in SETTINGS:
        X, _, params = network(n, d, h, k, seed, scale=scale)
        setting = shapes(X, params) + (", large weights" if scale > 1 else "")
        want = reference.forward(X, *params)
        got = read_tensors(student.forward(X, *params), "forward", want, ("H", "logits"))
        for name, a, b in zip(("H", "logits"), got, want):
            assert_tensor(a, b, what=f"forward ({name})", setting=setting, rtol=1e-9, atol=1e-12,
                          diagnose=lambda: _named(got, X, params))


@points("forward", 1)
def test_float32_and_inputs_unchanged(student, reference):
    X, _, params = network(6, 4, 7, 3, 4, dtype=torch.float32)
    reply = expect_unchanged(student, "forward", (X, *params), ["X", "W1", "b1", "W2", "b2"])
    want = reference.forward(X, *params)
    got = read_tensors(reply["result"], "forward", want, ("H", "logits"))
    for name, a, b in zip(("H", "logits"), got, want):
        assert_tensor(a, b, what=f"forward ({name})", setting=shapes(X, params), rtol=1e-5, atol=1e-6)
