"""Hidden checks for `backward`: the hand-written gradients equal autograd's, without autograd."""

import torch

from looplab.checks import (assert_not_much_slower, diagnose, expect, expect_unchanged, fail, likely,
                            points)

from .model import (BACKWARD_MISTAKES, NAMES, relative_error, agrees, autograd_gradients, bwd, in_inference_mode,
                    network, read_tensors, shapes)

GRAD_NAMES = tuple(f"d{n}" for n in NAMES)
TOL = 1e-6
SETTINGS = [(16, 3, 5, 4, 1, 1.0), (1, 2, 1, 2, 2, 1.0), (40, 6, 9, 7, 3, 3.0)]
LOOP_HINT = ("likely mistake: a Python loop over the samples; one matrix product per layer (H.T @ dZ2, "
             "X.T @ dZ1) sums over all samples at once")


def _named(got, X, y, params):
    return diagnose(got, ((msg, (lambda m=m: bwd(X, y, params, m))) for m, msg in BACKWARD_MISTAKES.items()),
                    same=agrees)


def expect_autograd_agreement(got, X, y, params, setting: str) -> None:
    """Each gradient within lesson 1.5's relative error TOL of autograd's."""
    want = autograd_gradients(X, y, params)
    for name, a, b in zip(GRAD_NAMES, got, want):
        err = relative_error(a, b)
        if not err < TOL:
            fail(f"backward: {name} differs from autograd's gradient by a relative error (lesson 1.5's) of "
                 f"{err:.3g}; expected below {TOL:g} ({setting})" + likely(_named(got, X, y, params)))


@points("backward", 2)
def test_gradients_equal_autograd(student):
    for n, d, h, k, seed, scale in SETTINGS:
        X, y, params = network(n, d, h, k, seed, scale=scale)
        setting = shapes(X, params) + (", large weights (saturated tanh units)" if scale > 1 else "")
        got = read_tensors(student.backward(X, y, *params), "backward", params, GRAD_NAMES)
        expect_autograd_agreement(got, X, y, params, setting)


@points("backward", 1)
def test_runs_without_autograd(student):
    X, y, params = network(12, 4, 6, 3, 5)
    result = in_inference_mode(student, "backward", X, y, *params)
    got = read_tensors(result, "backward inside torch.inference_mode()", params, GRAD_NAMES)
    expect_autograd_agreement(got, X, y, params, shapes(X, params) + ", inside torch.inference_mode()")


@points("backward", 1)
def test_float32_inputs_unchanged_and_not_marked(student):
    X, y, params = network(10, 3, 4, 2, 6, dtype=torch.float32)
    reply = expect_unchanged(student, "backward", (X, y, *params), ["X", "y", *NAMES])
    for name, after in zip(["X", *NAMES], [reply["args_after"][0], *reply["args_after"][2:]]):
        expect(not getattr(after, "requires_grad", False),
               f"backward set requires_grad on its input {name}: it uses autograd; compute the gradients by hand "
               f"and leave the inputs as they were")
    got = read_tensors(reply["result"], "backward", params, GRAD_NAMES)
    want = autograd_gradients(X.double(), y, tuple(p.double() for p in params))
    for name, a, b in zip(GRAD_NAMES, got, want):
        expect(relative_error(a, b) < 1e-4, f"backward: {name} in float32 differs from autograd's float64 gradient by a "
                                  f"relative error of {relative_error(a, b):.3g}; expected below 1e-4 ({shapes(X, params)})")


@points("backward", 1)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        X, y, params = network(4096, 8, 64, 5, 100 + r)
        return (X, y, *params)
    assert_not_much_slower(student, reference_process, "backward", make_args,
                           workload="N=4096, d=8, h=64, k=5, float64", hint=LOOP_HINT)
