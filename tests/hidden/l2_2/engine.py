"""Running the student's Value through a driver and judging the result against torch.autograd.

Shared by the checks of Value and train_neuron: each compares every node's data and grad with
torch's, names the node closest to the root that differs, and names the likely mistake by
running the same graph through `graphs.simulate` with each known mistake.
"""

from __future__ import annotations

from looplab.checks import (StudentError, as_float, close, drive, fail, kind, likely,
                            unfinished)

from .graphs import build_and_backward, describe_node, show, simulate, torch_graph

RTOL, ATOL = 1e-5, 1e-8

MISTAKES = {
    "overwrite": "a node used twice must collect both contributions: add into grad "
                 "(`self.grad += ...`), never overwrite it (`=`)",
    "no_seed": "seed the root: backward() must start with root.grad = 1.0 (d root / d root)",
    "forward_order": "nodes were visited children first: iterate over "
                     "reversed(topological_order(root)) so each node has its whole grad before "
                     "it passes it on",
    "naive_recursion": "backward walks the graph recursively, passing grads on before a node "
                       "has collected them all: use the topological order (reverse), visiting "
                       "each node once after all its parents",
    "recursion_seen": "each node is visited once, but in depth-first order from the root, "
                      "before all its parents have passed their grads on: use the topological "
                      "order (reverse), not a plain recursive walk",
    "tanh_of_input": "tanh's local derivative is 1 - tanh(x)**2 with t = tanh(x), the output; "
                     "1 - x**2 uses the input",
    "tanh_no_square": "tanh's local derivative is 1 - t**2 (t = tanh(x)); the square is missing",
    "exp_of_input": "exp's local derivative is exp(x), the output itself, not x",
    "mul_swapped": "product rule: d(a*b)/da = b and d(a*b)/db = a (each operand gets the "
                   "other's data)",
    "no_upstream": "chain rule: a child's share is local derivative * out.grad; the "
                   "multiplication by out.grad is missing",
}
ALL = tuple(MISTAKES)
RECURSION = ("recursion: build the topological order with an explicit stack/iteration; Python "
             "stops at about 1000 nested calls and this graph is thousands of nodes deep")


def error_hint(err: StudentError) -> str | None:
    """The likely mistake behind an exception of the student's Value."""
    text = err.message
    if err.type == "RecursionError":
        return RECURSION
    if err.type == "TypeError" and "unsupported operand" in text:
        return ("a plain number on the left (2 + a, 3 * a) needs __radd__ and __rmul__; "
                "Python calls them when int/float cannot add or multiply a Value")
    if err.type == "AttributeError" and ("'float' object" in text or "'int' object" in text):
        return "wrap a plain number operand in a Value first (a + 2, a * 3)"
    return None


def run(student, leaves: list, ops: list, what: str) -> dict:
    """The student's data and grads on the graph; a failure names the student's exception."""
    try:
        return drive(student, "Value", build_and_backward, leaves, ops)
    except StudentError as err:
        if unfinished(err):
            raise
        fail(f"{what}: your Value raised {err.message}\n(graph: {show(leaves, ops)})"
             + likely(error_hint(err)))


def floats(values, what: str, n: int) -> list[float]:
    if not isinstance(values, list) or len(values) != n:
        fail(f"{what}: expected {n} numbers, got {kind(values)}")
    return [as_float(v, what) for v in values]


def expect_graph(student, leaves: list, ops: list, *, what: str,
                 candidates: tuple[str, ...] = ALL) -> None:
    """Fail unless the student's Value gives torch.autograd's data and grads on every node."""
    got = run(student, leaves, ops, what)
    want = torch_graph(leaves, ops)
    n = len(leaves) + len(ops)
    if not isinstance(got, dict):
        fail(f"{what}: the driver got {kind(got)} back")
    data = floats(got.get("data"), f"{what}: a node's .data", n)
    for k, (g, w) in enumerate(zip(data, want["data"])):
        if not close(g, w, RTOL, ATOL):
            fail(f"{what}: {describe_node(leaves, ops, k)} holds data {g:.6g}, expected {w:.6g} "
                 f"(the forward pass)\n(graph: {show(leaves, ops)})")
    before = floats(got.get("grad_before"), f"{what}: a new node's .grad", n)
    if any(g != 0.0 for g in before):
        fail(f"{what}: a new Value's grad must be 0.0 until backward() runs, got "
             f"{next(g for g in before if g != 0.0)!r}")
    grads = floats(got.get("grad"), f"{what}: a node's .grad", n)
    wrong = [k for k in range(n) if not close(grads[k], want["grad"][k], RTOL, ATOL)]
    if not wrong:
        return
    k = wrong[-1]  # the differing node closest to the root: where the error starts
    fail(f"{what}: d(root)/d({describe_node(leaves, ops, k)}) is {grads[k]:.6g}, torch.autograd "
         f"says {want['grad'][k]:.6g} ({len(wrong)} of {n} grads differ)\n(graph: {show(leaves, ops)})"
         + likely(diagnose(grads, leaves, ops, candidates)))


def diagnose(grads: list[float], leaves: list, ops: list, candidates: tuple[str, ...]) -> str | None:
    correct = simulate(leaves, ops)
    for name in candidates:
        sim = simulate(leaves, ops, name)
        if all(close(s, c, RTOL, ATOL) for s, c in zip(sim, correct)):
            continue  # this mistake changes nothing on this graph
        if all(close(g, s, RTOL, ATOL) for g, s in zip(grads, sim)):
            return MISTAKES[name]
    return None
