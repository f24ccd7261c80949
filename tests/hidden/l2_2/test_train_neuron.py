"""Hidden checks for `train_neuron`: the engine in a training loop. The reference is the oracle;
`neuron.neuron_loop` reproduces known mistakes to name them. A submission whose own Value is
wrong is told so, since its train_neuron inherits the error."""

import math

from looplab.checks import (StudentError, as_float, as_float_list, assert_trajectory,
                            describe, drive, expect, expect_raises, fail, kind, likely, points)

from .graphs import build_and_backward, torch_graph
from .neuron import KNOWN, neuron_data

NAME = "train_neuron"
RTOL, ATOL = 1e-5, 1e-8


def _read(value, what):
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        size = f" of length {len(value)}" if isinstance(value, (tuple, list)) else ""
        fail(f"{what} returned a {kind(value)}{size}; the contract asks for a tuple (losses, w, b)")
    losses, w, b = value
    return as_float_list(losses, f"{what}'s losses"), as_float_list(w, f"{what}'s w"), as_float(b, f"{what}'s b")


def _value_hint(student) -> str | None:
    """Whether the student's own Value already gets a neuron's gradient wrong."""
    leaves = [0.4, -0.3]  # w and b of a neuron, each used by two samples
    ops = [["mul_c", 0, 1.5], ["add", 2, 1], ["tanh", 3], ["add_c", 4, -0.2], ["mul", 5, 5],
           ["mul_c", 0, -0.8], ["add", 7, 1], ["tanh", 8], ["add_c", 9, 0.5], ["mul", 10, 10],
           ["add", 6, 11], ["mul_c", 12, 0.5]]
    try:
        got = drive(student, "Value", build_and_backward, leaves, ops)
        want = torch_graph(leaves, ops)["grad"][:2]
        if all(math.isclose(float(g), w, rel_tol=1e-5, abs_tol=1e-8) for g, w in zip(got["grad"][:2], want)):
            return None
    except (StudentError, TypeError, ValueError, KeyError):
        pass
    return ("your Value gives wrong gradients (or fails) on a single neuron's loss, "
            "mean of ((w * x + b).tanh() - y)**2 over two samples; train_neuron inherits that: fix Value first (see its checks)")


def _expect_reference(student, reference, *, n, d, epochs, lr, seed):
    w0, b0, X, y = neuron_data(n, d, seed)
    setting = describe(N=n, d=d, epochs=epochs, lr=lr)
    losses, w, b = _read(student.train_neuron(w0, b0, X, y, epochs, lr), NAME)
    want_losses, want_w, want_b = reference.train_neuron(w0, b0, X, y, epochs, lr)

    def diagnose():
        return (KNOWN.diagnose(losses, ["no_zero", "loss_after", "sum", "ascent", "no_tanh"],
                               w0=w0, b0=b0, X=X, y=y, epochs=epochs, lr=lr)
                or _value_hint(student))

    assert_trajectory(losses, want_losses, what=NAME, setting=setting, diagnose=diagnose,
                      rtol=RTOL, atol=ATOL)
    assert_trajectory(w + [b], want_w + [want_b], what=f"{NAME}'s final parameters (w..., b)",
                      setting=setting, unit="parameter", diagnose=diagnose, rtol=RTOL, atol=ATOL)


@points(NAME, 1)
def test_matches_reference_on_a_small_problem(student, reference):
    _expect_reference(student, reference, n=6, d=2, epochs=8, lr=0.5, seed=1)


@points(NAME, 1)
def test_matches_reference_with_more_samples_and_inputs(student, reference):
    _expect_reference(student, reference, n=30, d=3, epochs=12, lr=0.3, seed=2)
    _expect_reference(student, reference, n=1, d=1, epochs=5, lr=0.1, seed=3)


@points(NAME, 1)
def test_training_longer_equals_continuing_from_where_it_stopped(student):
    w0, b0, X, y = neuron_data(10, 2, seed=4)
    whole, _, _ = _read(student.train_neuron(w0, b0, X, y, 6, 0.4), NAME)
    first, w_mid, b_mid = _read(student.train_neuron(w0, b0, X, y, 3, 0.4), NAME)
    rest, _, _ = _read(student.train_neuron(w_mid, b_mid, X, y, 3, 0.4), NAME)
    assert_trajectory(whole, first + rest, what=f"{NAME} for 6 epochs",
                      setting="N=10, d=2, lr=0.4; against 3 epochs, then 3 more from the returned w, b: "
                              "each step depends only on the current parameters, so the two must agree",
                      against="the restarted run", rtol=RTOL, atol=ATOL,
                      diagnose=lambda: KNOWN.diagnose(whole, ["no_zero"], w0=w0, b0=b0, X=X, y=y,
                                                      epochs=6, lr=0.4))


@points(NAME, 0.5)
def test_zero_epochs_plain_floats_and_inputs_unchanged(student):
    w0, b0, X, y = neuron_data(5, 2, seed=5)
    losses, w, b = _read(student.train_neuron(w0, b0, X, y, 0, 0.1), NAME)
    expect(losses == [] and w == w0 and b == b0,
           f"{NAME} with epochs=0 returned ({losses}, {w}, {b}); expected ([], w0, b0) = ([], {w0}, {b0})")
    reply = student.call(NAME, w0, b0, X, y, 2, 0.1, return_args=True)
    losses, w, b = _read(reply["result"], NAME)
    expect(all(type(v) is float for v in [*losses, *w, b]),
           f"{NAME} must return plain Python floats (Value.data), got "
           f"{sorted({type(v).__name__ for v in [*losses, *w, b]})}")
    for name, before, after in zip(["w0", "b0", "X", "y"], [w0, b0, X, y], reply["args_after"]):
        expect(before == after, f"{NAME} changed its input `{name}` in place; leave the caller's lists as they were")


@points(NAME, 0.5)
def test_bad_input_raises_value_error(student):
    w0, b0, X, y = neuron_data(4, 2, seed=6)
    hint = "check that X is not empty, that len(y) == len(X) and that every row has len(w0) inputs"
    expect_raises(student, NAME, (w0, b0, [], [], 1, 0.1), "ValueError", setting="X=[] (no samples)", hint=hint)
    expect_raises(student, NAME, (w0, b0, X, y[:3], 1, 0.1), "ValueError", setting="4 rows, 3 targets", hint=hint)
    expect_raises(student, NAME, (w0, b0, X[:3] + [[1.0, 2.0, 3.0]], y, 1, 0.1), "ValueError",
                  setting="a row of 3 inputs with 2 weights", hint=hint)
