"""Hidden checks for `Value`: the student's class is exercised inside the student process by
drivers (graphs.py) that build graphs from plain descriptions, call backward() and return
every node's data and grad as floats; torch.autograd on the same graph is the oracle."""

from looplab.checks import StudentError, drive, expect, fail, likely, points, unfinished

from .engine import RECURSION, expect_graph, run
from .graphs import children_and_data, deep_chain, diamond, random_graph, torch_graph, two_graphs_on_shared_leaves

NAME = "Value"

SINGLE_OPS = [
    ("a + b", [0.6, -1.3], [["add", 0, 1]], ("overwrite", "no_seed", "no_upstream")),
    ("a * b", [0.6, -1.3], [["mul", 0, 1]], ("mul_swapped", "no_seed")),
    ("a.tanh()", [0.8], [["tanh", 0]], ("tanh_of_input", "tanh_no_square", "no_seed")),
    ("a.exp()", [0.8], [["exp", 0]], ("exp_of_input", "no_seed")),
    ("a + 2.5", [0.6], [["add_c", 0, 2.5]], ()),
    ("2.5 + a", [0.6], [["c_add", 0, 2.5]], ()),
    ("a * -1.5", [0.6], [["mul_c", 0, -1.5]], ()),
    ("-1.5 * a", [0.6], [["c_mul", 0, -1.5]], ()),
    ("((a * b) + c).tanh() * 2", [0.6, -1.3, 0.4], [["mul", 0, 1], ["add", 3, 2], ["tanh", 4], ["mul_c", 5, 2.0]],
     ("no_upstream", "forward_order", "mul_swapped", "tanh_of_input", "tanh_no_square")),
]


@points(NAME, 1)
def test_each_operation_matches_torch(student):
    for text, leaves, ops, candidates in SINGLE_OPS:
        expect_graph(student, leaves, ops, what=f"root = {text}", candidates=candidates)


@points(NAME, 1)
def test_a_node_used_twice_collects_both_contributions(student):
    cases = [("a + a", [0.7], [["add", 0, 0]]),
             ("a * a", [0.7], [["mul", 0, 0]]),
             ("(a * b) + a", [0.7, -2.0], [["mul", 0, 1], ["add", 2, 0]]),
             ("a.tanh() * a", [0.7], [["tanh", 0], ["mul", 1, 0]])]
    for text, leaves, ops in cases:
        expect_graph(student, leaves, ops, what=f"root = {text} (a is used twice)",
                     candidates=("overwrite", "no_seed"))


@points(NAME, 1)
def test_diamond_graph_needs_the_topological_order(student):
    leaves, ops = diamond()
    expect_graph(student, leaves, ops,
                 what="diamond: x = 3a, root = (2x) * (x + 1) + a (x feeds two branches that meet again)",
                 candidates=("naive_recursion", "recursion_seen", "forward_order", "overwrite",
                             "no_upstream", "no_seed"))


@points(NAME, 1)
def test_random_graphs_match_torch(student):
    for seed, n_leaves, n_ops in [(1, 3, 12), (2, 4, 25), (3, 5, 40), (4, 2, 30)]:
        leaves, ops = random_graph(seed, n_leaves, n_ops)
        expect_graph(student, leaves, ops,
                     what=f"random graph (seed {seed}, {n_leaves} leaves, {n_ops} operations, nodes reused)")


@points(NAME, 1)
def test_deep_chain_has_no_recursion_limit(student):
    leaves, ops = deep_chain(1250)
    expect_graph(student, leaves, ops,
                 what=f"a chain {len(ops)} operations deep, v <- (v * 0.999 + 0.02 a), a tanh now and then")


@points(NAME, 0.5)
def test_grads_accumulate_across_backward_calls_like_pytorch(student):
    leaves = [0.5, -1.2]
    first, second = [["mul", 0, 1], ["tanh", 2]], [["add", 0, 1], ["mul", 2, 0]]
    try:
        got = drive(student, NAME, two_graphs_on_shared_leaves, leaves, first, second)
    except StudentError as err:
        if unfinished(err):
            raise
        fail(f"two graphs on the same leaves a, b: your Value raised {err.message}")
    want_first = torch_graph(leaves, first)["grad"][:2]
    want_second = torch_graph(leaves, second)["grad"][:2]
    want = [x + y for x, y in zip(want_first, want_second)]
    after = [float(v) for v in got["after_second"]]
    if all(abs(g - w) <= 1e-6 + 1e-5 * abs(w) for g, w in zip(after, want)):
        return
    only_second = all(abs(g - w) <= 1e-6 + 1e-5 * abs(w) for g, w in zip(after, want_second))
    fail(f"tanh(a * b).backward(), then ((a + b) * a).backward() on the same leaves a={leaves[0]}, "
         f"b={leaves[1]}: the leaves' grads are {after}, expected the sum over both calls {want}"
         + likely("backward() reset the grads: it must add into .grad (like PyTorch's .grad); the caller "
                  "zeroes grads between steps" if only_second else None))


@points(NAME, 0.5)
def test_children_data_and_new_grads_follow_the_contract(student):
    report = drive(student, NAME, children_and_data, 2, -3, 1.5)
    leaf = report["leaf"]
    expect(leaf["children"] == 0, f"a leaf Value(2) must have children == (), got {leaf['children']} entries")
    expect(leaf["grad"] == 0.0, f"a new Value's grad must be 0.0, got {leaf['grad']!r}")
    expect(leaf["unchanged"], "an operation changed its operands' data: return a new Value instead")
    expect(type(leaf["data"]) is float, f"Value(2).data must be the float 2.0, got a {type(leaf['data']).__name__}")
    for key, entry in report.items():
        if key == "leaf":
            continue
        expect(entry["type"] == "float", f"({key}).data must be a Python float, got {entry['type']}")
        expect(entry["operands_in_children"],
               f"({key}).children must hold its operand Values (the graph backward() walks)")
        want = 1 if key in ("tanh", "exp") else 2
        expect(entry["n_children"] == want,
               f"({key}).children must hold {want} Value(s), got {entry['n_children']}")
