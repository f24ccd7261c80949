"""Hidden checks for `topological_order`, on graphs of plain nodes built by a driver inside the
student process (graphs.topological_ids), so they never depend on the student's Value."""

import random
from collections import Counter

from looplab.checks import StudentError, drive, fail, likely, points, unfinished

from .engine import RECURSION
from .graphs import topological_ids

NAME = "topological_order"


def _reachable(children: list[list[int]], root: int) -> set[int]:
    seen, stack = set(), [root]
    while stack:
        k = stack.pop()
        if k not in seen:
            seen.add(k)
            stack.extend(children[k])
    return seen


def _describe(children: list[list[int]], root: int) -> str:
    shown = ", ".join(f"{k}: {c}" for k, c in enumerate(children[:10]))
    more = f", ... ({len(children)} nodes)" if len(children) > 10 else ""
    return f"children {{{shown}{more}}}, root {root}"


def expect_order(student, children: list[list[int]], root: int, what: str) -> None:
    setting = f"{what}; {_describe(children, root)}"
    try:
        got = drive(student, NAME, topological_ids, children, root)
    except StudentError as err:
        if unfinished(err):
            raise
        fail(f"topological_order on {setting} raised {err.message}"
             + likely(RECURSION if err.type == "RecursionError" else None))
    if got["numbers"] is None or got["type"] != "list":
        fail(f"topological_order returned a {got['type']}; the contract asks for a list of nodes ({setting})")
    order = got["numbers"]
    if None in order:
        fail(f"topological_order returned something that is not one of the graph's nodes ({setting})")
    if not got["unchanged"]:
        fail(f"topological_order changed the nodes' children: leave the graph as it is ({setting})")
    want = _reachable(children, root)
    repeated = sorted(k for k, count in Counter(order).items() if count > 1)
    if repeated:
        fail(f"topological_order lists node {repeated[0]} more than once ({setting})"
             + likely("a node reached through two parents must appear once: remember the nodes "
                      "already visited (a set of id(node))"))
    missing, extra = want - set(order), set(order) - want
    if missing:
        leaves = [k for k in missing if not children[k]]
        fail(f"topological_order left out {len(missing)} node(s), e.g. node {min(missing)} ({setting})"
             + likely("the leaves must be listed too" if leaves and len(leaves) == len(missing) else None))
    if extra:
        fail(f"topological_order listed node {min(extra)}, which is not below the root ({setting})")
    position = {k: i for i, k in enumerate(order)}
    for k in order:
        for c in children[k]:
            if position[c] > position[k]:
                reverse = order[0] == root
                fail(f"topological_order puts node {k} before its child {c}; every node must come "
                     f"after all of its children, the root last ({setting})"
                     + likely("the list is root first: the contract asks for children before parents "
                              "(append a node after its children; backward() then walks it reversed)"
                              if reverse else
                              "a node was appended before all of its children were placed: append it "
                              "only once every child is in the list (post-order)"))


@points(NAME, 1)
def test_small_graphs_in_a_valid_order(student):
    expect_order(student, [[]], 0, "a single leaf (the root itself)")
    expect_order(student, [[], [0], [1]], 2, "a chain leaf -> 1 -> 2")
    expect_order(student, [[], [0, 0], [1, 0]], 2, "node 1 = a * a (the same child twice)")
    expect_order(student, [[], [0], [1], [1], [2, 3], [4, 0]], 5, "a diamond: node 1 feeds 2 and 3, which meet in 4")
    expect_order(student, [[], [], [0], [0, 1], [2]], 4, "nodes 1 and 3 exist but are not below the root")
    expect_order(student, [[], [], [0, 1], [1, 0], [2, 3], [3, 2]], 5, "two parents over the same two leaves, in both orders")


@points(NAME, 1)
def test_random_graphs_in_a_valid_order(student):
    for seed, n in [(1, 12), (2, 40), (3, 120), (4, 300)]:
        rng = random.Random(seed)
        children = [[] for _ in range(3)]
        for k in range(3, n):
            children.append([rng.randrange(max(0, k - 6), k) for _ in range(rng.choice((1, 2, 2, 3)))])
        expect_order(student, children, n - 1, f"a random graph of {n} nodes (seed {seed}), nodes reused")


@points(NAME, 1)
def test_deep_chain_has_no_recursion_limit(student):
    n = 5000
    children = [[]] + [[k - 1] if k % 3 else [k - 1, k - 2] for k in range(1, n)]
    children[1] = [0]
    expect_order(student, children, n - 1, f"a chain {n} nodes deep")
