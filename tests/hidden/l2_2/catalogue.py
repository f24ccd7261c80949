"""Lesson 2.2's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake must lose points on its task (named there) and nowhere
else, except in the tasks listed in `spreads`, whose own code calls the mistaken one (Value's
backward calls topological_order; train_neuron uses Value). Each alternative keeps full marks.
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("2.2")
USES_TOPO = ("Value", "train_neuron")
USES_VALUE = ("train_neuron",)

RECURSIVE_TOPO = '''
    order: list[Any] = []
    seen: set[int] = set()

    def visit(node: Any) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        for child in node.children:
            visit(child)
        order.append(node)

    visit(root)
    return order
'''

NO_VISITED_TOPO = '''
    order: list[Any] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in node.children)
    return order
'''

PREORDER_REVERSED_TOPO = '''
    order: list[Any] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)  # appended on arrival, before its children
        stack.extend(node.children)
    return order[::-1]
'''

KAHN_TOPO = '''
    # Kahn's algorithm: count each node's parents inside the graph, then peel from the root.
    nodes: dict[int, Any] = {}
    parents: dict[int, int] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in nodes:
            continue
        nodes[id(node)] = node
        for child in node.children:
            parents[id(child)] = parents.get(id(child), 0) + 1
            stack.append(child)
    ready = [root]
    parents_first: list[Any] = []
    while ready:
        node = ready.pop()
        parents_first.append(node)
        for child in node.children:
            parents[id(child)] -= 1
            if parents[id(child)] == 0:
                ready.append(child)
    return parents_first[::-1]
'''

NAIVE_BACKWARD = '''    def backward(self, seed: bool = True) -> None:
        if seed:
            self.grad = 1.0
        self._backward()
        for child in self.children:
            child.backward(seed=False)
'''

RESET_BACKWARD = '''    def backward(self) -> None:
        order = topological_order(self)
        for node in order:
            node.grad = 0.0  # start from a clean slate
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
'''

REFERENCE_BACKWARD = '''    def backward(self) -> None:
        self.grad = 1.0  # d(root)/d(root)
        for node in reversed(topological_order(self)):  # each parent before its children
            node._backward()
'''

LOCAL_GRADS_VALUE = '''
class Value:
    """A scalar node that stores its local derivatives instead of a closure."""

    def __init__(self, data: float, children: tuple["Value", ...] = (), op: str = "",
                 local: tuple[float, ...] = ()) -> None:
        self.data = float(data)
        self.grad = 0.0
        self.children = tuple(children)
        self.op = op
        self.local = local  # d(self)/d(child) for each child, fixed at creation

    @staticmethod
    def wrap(x: "Value | float") -> "Value":
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other: "Value | float") -> "Value":
        other = Value.wrap(other)
        return Value(self.data + other.data, (self, other), "+", (1.0, 1.0))

    def __mul__(self, other: "Value | float") -> "Value":
        other = Value.wrap(other)
        return Value(self.data * other.data, (self, other), "*", (other.data, self.data))

    __radd__ = __add__
    __rmul__ = __mul__

    def __neg__(self) -> "Value":
        return self * -1.0

    def __sub__(self, other: "Value | float") -> "Value":
        return self + (-Value.wrap(other))

    def __pow__(self, k: int) -> "Value":
        return Value(self.data ** k, (self,), f"**{k}", (k * self.data ** (k - 1),))

    def tanh(self) -> "Value":
        t = math.tanh(self.data)
        return Value(t, (self,), "tanh", (1.0 - t * t,))

    def exp(self) -> "Value":
        e = math.exp(self.data)
        return Value(e, (self,), "exp", (e,))

    def backward(self) -> None:
        self.grad = 1.0
        for node in reversed(topological_order(self)):
            for child, d in zip(node.children, node.local):
                child.grad += d * node.grad

    def __repr__(self) -> str:
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g})"
'''

SUB_POW_TRAIN = '''
    if not X or len(y) != len(X) or any(len(row) != len(w0) for row in X):
        raise ValueError("X must be non-empty, with one target per row and len(w0) inputs per row")
    losses: list[float] = []
    w, b = list(w0), float(b0)
    for _ in range(epochs):
        wv, bv = [Value(v) for v in w], Value(b)  # fresh leaves every epoch: no grads to clear
        loss = sum(((sum((wj * xj for wj, xj in zip(wv, row)), bv).tanh() - t) ** 2
                    for row, t in zip(X, y)), Value(0.0)) * (1.0 / len(X))
        loss.backward()
        losses.append(loss.data)
        w = [v.data - lr * v.grad for v in wv]
        b = bv.data - lr * bv.grad
    return losses, w, b
'''

TORCH_TRAIN = '''
    if len(X) == 0 or len(y) != len(X) or any(len(row) != len(w0) for row in X):
        raise ValueError("bad shapes")
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    losses: list[float] = []
    for _ in range(epochs):
        loss = ((torch.tanh(Xt @ w + b) - yt) ** 2).mean()
        w.grad = b.grad = None
        loss.backward()
        losses.append(loss.item())
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
    return losses, w.tolist(), b.item()
'''

ADD_LINES = ("            self.grad += out.grad  # d(a + b)/da = 1\n"
             "            other.grad += out.grad  # d(a + b)/db = 1\n")
MUL_LINES = ("            self.grad += other.data * out.grad  # d(a b)/da = b\n"
             "            other.grad += self.data * out.grad  # d(a b)/db = a\n")
TANH_LINE = "            self.grad += (1.0 - t * t) * out.grad  # d tanh(x)/dx = 1 - tanh(x)^2\n"
EXP_LINE = "            self.grad += e * out.grad  # d exp(x)/dx = exp(x)\n"
RADD = '''    def __radd__(self, other: float) -> "Value":
        return self + other  # 2 + a: addition does not care about the order

    def __rmul__(self, other: float) -> "Value":
        return self * other  # 3 * a

'''

MISTAKES = [
    # topological_order
    Mistake("recursive_dfs", "topological_order", replace_body(REFERENCE, "topological_order", RECURSIVE_TOPO),
            named="recursion: build the topological order with an explicit stack/iteration", spreads=USES_TOPO),
    Mistake("no_visited_set", "topological_order", replace_body(REFERENCE, "topological_order", NO_VISITED_TOPO),
            named="remember the nodes already visited", spreads=USES_TOPO),
    Mistake("root_first", "topological_order", mutate(REFERENCE, "    return order\n", "    return order[::-1]\n"),
            named="the list is root first", spreads=USES_TOPO),
    Mistake("preorder_reversed", "topological_order",
            replace_body(REFERENCE, "topological_order", PREORDER_REVERSED_TOPO),
            named="append it only once every child is in the list", spreads=USES_TOPO),
    Mistake("leaves_left_out", "topological_order",
            mutate(REFERENCE, "            order.append(node)  # all of its children",
                   "            if node.children:\n                order.append(node)  # all of its children"),
            named="the leaves must be listed too"),
    # Value
    Mistake("overwrite_in_add", "Value", mutate(REFERENCE, ADD_LINES, ADD_LINES.replace("+=", "=")),
            named="never overwrite it (`=`)", spreads=USES_VALUE, example="buggy"),
    Mistake("overwrite_in_mul", "Value", mutate(REFERENCE, MUL_LINES, MUL_LINES.replace("+=", "=")),
            named="never overwrite it (`=`)", spreads=USES_VALUE),
    Mistake("no_seed", "Value", mutate(REFERENCE, "        self.grad = 1.0  # d(root)/d(root)\n", ""),
            named="seed the root", spreads=USES_VALUE),
    Mistake("recursive_backward", "Value", mutate(REFERENCE, REFERENCE_BACKWARD, NAIVE_BACKWARD),
            named="backward walks the graph recursively", spreads=USES_VALUE),
    Mistake("children_first", "Value",
            mutate(REFERENCE, "in reversed(topological_order(self)):", "in topological_order(self):"),
            named="nodes were visited children first", spreads=USES_VALUE),
    Mistake("tanh_derivative_of_input", "Value",
            mutate(REFERENCE, TANH_LINE, TANH_LINE.replace("(1.0 - t * t)", "(1.0 - self.data ** 2)")),
            named="1 - x**2 uses the input", spreads=USES_VALUE),
    Mistake("tanh_derivative_without_square", "Value",
            mutate(REFERENCE, TANH_LINE, TANH_LINE.replace("(1.0 - t * t)", "(1.0 - t)")),
            named="the square is missing", spreads=USES_VALUE),
    Mistake("exp_derivative_of_input", "Value", mutate(REFERENCE, EXP_LINE, EXP_LINE.replace("e * out", "self.data * out")),
            named="exp's local derivative is exp(x)"),
    Mistake("product_rule_swapped", "Value",
            mutate(REFERENCE, MUL_LINES, MUL_LINES.replace("self.grad += other.data", "self.grad += self.data")
                   .replace("other.grad += self.data", "other.grad += other.data")),
            named="product rule", spreads=USES_VALUE),
    Mistake("no_radd_rmul", "Value", mutate(REFERENCE, RADD, ""), named="needs __radd__ and __rmul__"),
    Mistake("number_not_wrapped", "Value",
            mutate(REFERENCE, "        other = other if isinstance(other, Value) else Value(other)\n"
                              "        out = Value(self.data + other.data",
                   "        out = Value(self.data + other.data"),
            named="wrap a plain number operand in a Value", spreads=USES_VALUE),
    Mistake("backward_resets_grads", "Value", mutate(REFERENCE, REFERENCE_BACKWARD, RESET_BACKWARD),
            named="backward() reset the grads"),
    Mistake("chain_rule_without_upstream_grad", "Value",
            edit(REFERENCE, (ADD_LINES, ADD_LINES.replace("+= out.grad", "+= 1.0")),
                 (MUL_LINES, MUL_LINES.replace(" * out.grad", "")),
                 (TANH_LINE, TANH_LINE.replace(" * out.grad", "")),
                 (EXP_LINE, EXP_LINE.replace("e * out.grad", "e"))),
            named="the multiplication by out.grad is missing", spreads=USES_VALUE),
    # train_neuron
    Mistake("grads_never_zeroed", "train_neuron",
            mutate(REFERENCE, "        for p in [*w, b]:\n            p.grad = 0.0  # backward adds into .grad: clear last epoch's gradient first\n", ""),
            named="grads were not set back to 0.0"),
    Mistake("sum_not_mean", "train_neuron", mutate(REFERENCE, "loss = total * (1.0 / n)", "loss = total"),
            named="the contract asks for the mean"),
    Mistake("gradient_ascent", "train_neuron", mutate(REFERENCE, "p.data -= lr * p.grad", "p.data += lr * p.grad"),
            named="the step goes uphill"),
    Mistake("no_tanh", "train_neuron", mutate(REFERENCE, "error = z.tanh() + (-target)", "error = z + (-target)"),
            named="the prediction is missing tanh"),
    Mistake("w0_updated_in_place", "train_neuron",
            mutate(REFERENCE, "    return losses, [wj.data for wj in w], b.data\n",
                   "    w0[:] = [wj.data for wj in w]  # hand back the trained weights\n    return losses, w0, b.data\n"),
            named="changed its input `w0` in place"),
    Mistake("no_input_validation", "train_neuron",
            mutate(REFERENCE, "    if n == 0 or len(y) != n or any(len(row) != len(w0) for row in X):\n"
                              "        raise ValueError(f\"need N >= 1 rows of {len(w0)} inputs and one target per row; \"\n"
                              "                         f\"got {n} rows and {len(y)} targets\")\n", ""),
            named="the contract asks for ValueError"),
]

ALTERNATIVES = [
    Alternative("kahn_topological_order", replace_body(REFERENCE, "topological_order", KAHN_TOPO),
                style="topological order by Kahn's algorithm (counting parents) instead of a depth-first stack"),
    Alternative("stored_local_derivatives",
                replace_body(REFERENCE.split("class Value:")[0] + LOCAL_GRADS_VALUE.strip("\n") + "\n\n\n"
                             + "def train_neuron" + REFERENCE.split("def train_neuron", 1)[1],
                             "train_neuron", SUB_POW_TRAIN),
                style="Value stores its local derivatives (no closures) and adds -, ** ; train_neuron makes "
                      "fresh leaves each epoch instead of zeroing grads", example="correct"),
    Alternative("torch_autograd_training", replace_body(REFERENCE, "train_neuron", TORCH_TRAIN),
                style="train_neuron with torch float64 tensors and autograd instead of the Value engine"),
]
