"""Expression graphs as plain data, the oracles that differentiate them, and the drivers that
build them with the student's code inside the student process.

A graph is `(leaves, ops)`: `leaves` are the leaf values (nodes 0..L-1); op k makes node L+k
and is `[kind, i]` (`tanh`, `exp`), `[kind, i, j]` (`add`, `mul`: node i with node j) or
`[kind, i, c]` with a plain number c (`add_c`: node + c, `c_add`: c + node, `mul_c`, `c_mul`).
The last node is the root. Node numbers are a topological order by construction.
"""

from __future__ import annotations

import math
import random

import torch

UNARY = ("tanh", "exp")
BINARY = ("add", "mul")
CONST = ("add_c", "c_add", "mul_c", "c_mul")


# --- drivers: run in the student process (only builtins, torch, math and the student's names) ---

def build_and_backward(leaves, ops):
    """Build the graph with the student's Value, call root.backward(); every node's data and grad."""
    nodes = [Value(x) for x in leaves]  # noqa: F821 - the student's class
    for op in ops:
        kind, a = op[0], nodes[op[1]]
        if kind == "add":
            out = a + nodes[op[2]]
        elif kind == "mul":
            out = a * nodes[op[2]]
        elif kind == "add_c":
            out = a + op[2]
        elif kind == "c_add":
            out = op[2] + a
        elif kind == "mul_c":
            out = a * op[2]
        elif kind == "c_mul":
            out = op[2] * a
        elif kind == "tanh":
            out = a.tanh()
        else:
            out = a.exp()
        nodes.append(out)
    grads_before = [n.grad for n in nodes]
    nodes[-1].backward()
    return {"data": [n.data for n in nodes], "grad": [n.grad for n in nodes],
            "grad_before": grads_before}


def two_graphs_on_shared_leaves(leaves, ops_first, ops_second):
    """Two graphs over the same leaf Values, backward() on each in turn; leaf grads after each."""
    shared = [Value(x) for x in leaves]  # noqa: F821

    def run(ops):
        nodes = list(shared)
        for op in ops:
            a = nodes[op[1]]
            nodes.append(a + nodes[op[2]] if op[0] == "add" else a * nodes[op[2]] if op[0] == "mul"
                         else a.tanh() if op[0] == "tanh" else a.exp())
        nodes[-1].backward()
        return [v.grad for v in shared]

    return {"after_first": run(ops_first), "after_second": run(ops_second)}


def children_and_data(x, y, c):
    """What each operation records: operand identities in children, data types, operands unchanged."""
    a, b = Value(x), Value(y)  # noqa: F821
    made = {"a+b": a + b, "a*b": a * b, "a*a": a * a, "a+c": a + c, "c*a": c * a,
            "tanh": a.tanh(), "exp": b.exp()}
    operands = {"a+b": [a, b], "a*b": [a, b], "a*a": [a, a], "a+c": [a], "c*a": [a],
                "tanh": [a], "exp": [b]}
    report = {}
    for key, out in made.items():
        kids = list(out.children)
        ids = [id(k) for k in kids]
        report[key] = {"data": out.data, "type": type(out.data).__name__,
                       "operands_in_children": all(id(o) in ids for o in operands[key]),
                       "n_children": len(kids), "grad": out.grad}
    report["leaf"] = {"children": len(list(a.children)), "grad": a.grad, "data": a.data,
                      "unchanged": a.data == float(x) and b.data == float(y)}
    return report


def topological_ids(children, root):
    """Nodes with the given children (lists of node numbers), topological_order(node root),
    and the node numbers it returned, in order."""

    class Node:
        def __init__(self, number):
            self.number, self.data, self.grad, self.children = number, 0.0, 0.0, ()

    nodes = [Node(i) for i in range(len(children))]
    for node, kids in zip(nodes, children):
        node.children = tuple(nodes[k] for k in kids)
    before = [tuple(id(k) for k in n.children) for n in nodes]
    order = topological_order(nodes[root])  # noqa: F821 - the student's function
    unchanged = before == [tuple(id(k) for k in n.children) for n in nodes]
    numbers = [n.number if isinstance(n, Node) else None for n in order] if isinstance(order, (list, tuple)) else None
    return {"type": type(order).__name__, "numbers": numbers, "unchanged": unchanged}


# --- the oracle: torch.autograd on the same description ----------------------------------

def torch_graph(leaves, ops):
    """Every node's data and d(root)/d(node), from torch.autograd in float64."""
    nodes = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in leaves]
    for op in ops:
        kind, a = op[0], nodes[op[1]]
        out = {"add": lambda: a + nodes[op[2]], "mul": lambda: a * nodes[op[2]],
               "add_c": lambda: a + op[2], "c_add": lambda: op[2] + a, "mul_c": lambda: a * op[2],
               "c_mul": lambda: op[2] * a, "tanh": lambda: torch.tanh(a), "exp": lambda: torch.exp(a)}[kind]()
        out.retain_grad()
        nodes.append(out)
    nodes[-1].backward()
    return {"data": [n.item() for n in nodes],
            "grad": [n.grad.item() if n.grad is not None else 0.0 for n in nodes]}


# --- the same graphs with known mistakes, to name them -----------------------------------

def locals_of(leaves, ops):
    """data of every node, and for every op node its (child, local derivative) pairs."""
    data, local = [float(x) for x in leaves], [[] for _ in leaves]
    for op in ops:
        kind, i = op[0], op[1]
        x = data[i]
        if kind in BINARY:
            j = op[2]
            value = x + data[j] if kind == "add" else x * data[j]
            pairs = [(i, 1.0), (j, 1.0)] if kind == "add" else [(i, data[j]), (j, x)]
        elif kind in CONST:
            c = float(op[2])
            value = x + c if kind in ("add_c", "c_add") else x * c
            pairs = [(i, 1.0 if kind in ("add_c", "c_add") else c)]
        elif kind == "tanh":
            value = math.tanh(x)
            pairs = [(i, 1.0 - value * value)]
        else:
            value = math.exp(x)
            pairs = [(i, value)]
        data.append(value)
        local.append(pairs)
    return data, local


def simulate(leaves, ops, mistake=None):
    """Every node's grad as an engine with `mistake` computes it (None: correct)."""
    data, local = locals_of(leaves, ops)
    kinds = [None] * len(leaves) + [op[0] for op in ops]
    inputs = [None] * len(leaves) + [data[op[1]] for op in ops]
    for k, kind in enumerate(kinds):  # local-derivative mistakes
        if kind == "tanh" and mistake == "tanh_of_input":
            local[k] = [(local[k][0][0], 1.0 - inputs[k] ** 2)]
        elif kind == "tanh" and mistake == "tanh_no_square":
            local[k] = [(local[k][0][0], 1.0 - data[k])]
        elif kind == "exp" and mistake == "exp_of_input":
            local[k] = [(local[k][0][0], inputs[k])]
        elif kind == "mul" and mistake == "mul_swapped":
            (i, _), (j, _) = local[k]
            local[k] = [(i, data[i]), (j, data[j])]
    n = len(data)
    grad = [0.0] * n
    grad[-1] = 0.0 if mistake == "no_seed" else 1.0

    def push(k):
        for child, d in local[k]:
            if mistake == "overwrite":
                grad[child] = d * grad[k]
            elif mistake == "no_upstream":
                grad[child] += d
            else:
                grad[child] += d * grad[k]

    if mistake in ("naive_recursion", "recursion_seen"):
        seen = set()
        stack = [n - 1]  # the recursive walk, unrolled: node, then its children, depth first
        while stack:
            k = stack.pop()
            if mistake == "recursion_seen" and k in seen:
                continue
            seen.add(k)
            push(k)
            stack.extend(reversed([c for c, _ in local[k]]))
        return grad
    order = range(n) if mistake == "forward_order" else range(n - 1, -1, -1)
    for k in order:
        push(k)
    return grad


# --- graphs ------------------------------------------------------------------------------

def random_graph(seed, n_leaves, n_ops):
    """A random expression graph whose nodes are often used more than once; values stay small."""
    rng = random.Random(seed)
    leaves = [round(rng.uniform(-1.5, 1.5), 3) for _ in range(n_leaves)]
    data = list(leaves)
    ops = []
    while len(ops) < n_ops:
        recent = max(0, len(data) - 4)
        i, j = rng.randrange(recent, len(data)), rng.randrange(len(data))
        kind = rng.choice(BINARY * 3 + CONST + UNARY * 2)
        if kind == "exp" and abs(data[i]) > 2:
            kind = "tanh"
        op = [kind, i, j] if kind in BINARY else [kind, i] if kind in UNARY else [kind, i, round(rng.uniform(-2, 2), 2)]
        value = locals_of(data, [op])[0][-1]
        if abs(value) > 20:
            op, value = ["tanh", i], math.tanh(data[i])
        ops.append(op)
        data.append(value)
    return leaves, ops


def diamond():
    """x = 3a feeds two branches that meet again: d = (2x) * (x + 1) + a; x must collect both
    branches before it passes anything on to a."""
    return [0.7], [["mul_c", 0, 3.0], ["mul_c", 1, 2.0], ["add_c", 1, 1.0], ["mul", 2, 3], ["add", 4, 0]]


def deep_chain(steps):
    """v <- tanh(v * 0.999 + 0.02 a) repeated, with a leaf a used at every step: 4 ops a step."""
    leaves, ops = [0.3, 0.5], []
    v = 0
    for _ in range(steps):
        ops += [["mul_c", v, 0.999], ["mul_c", 1, 0.02], ["add", 2 + len(ops), 3 + len(ops)]]
        v = 1 + len(ops)
        if len(ops) % 40 == 0:
            ops.append(["tanh", v])
            v = 1 + len(ops)
    return leaves, ops


def describe_node(leaves, ops, k):
    """`node 7 = node 3 * node 5` for messages."""
    if k < len(leaves):
        return f"leaf {k} (data {leaves[k]})"
    op = ops[k - len(leaves)]
    kind = op[0]
    if kind in UNARY:
        return f"node {k} = node {op[1]}.{kind}()"
    if kind in BINARY:
        return f"node {k} = node {op[1]} {'+' if kind == 'add' else '*'} node {op[2]}"
    sym = "+" if "add" in kind else "*"
    return f"node {k} = node {op[1]} {sym} {op[2]}" if kind.endswith("_c") else f"node {k} = {op[2]} {sym} node {op[1]}"


def show(leaves, ops, limit=8):
    """The first ops of a graph, for messages."""
    lines = [describe_node(leaves, ops, len(leaves) + k) for k in range(min(len(ops), limit))]
    more = f"; ... ({len(ops)} ops)" if len(ops) > limit else ""
    return f"leaves {leaves[:6]}{'...' if len(leaves) > 6 else ''}; " + "; ".join(lines) + more
