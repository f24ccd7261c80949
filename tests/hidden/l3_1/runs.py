"""100-step runs of an optimiser on a small MLP: the student's step function (through a driver,
inside the student process), PyTorch's torch.optim class, or a simulated mistake.

`run_steps` is the one loop all three share. It is sent to the student process as source text
(`STEPS`), so it may use only builtins and torch. Each step computes the MLP's loss on (X, y),
its gradients with autograd, blanks the gradients named in `none_at` (step index -> parameter
indices: a parameter that took no part in this step's loss), calls `step(params, grads,
state, **hyper)` and records every parameter after the update.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import torch
from torch import Tensor

from looplab.checks import Function, drive, gen, one_thread

OPTIMISER = {"sgd_momentum_step": "SGD", "rmsprop_step": "RMSprop", "adam_step": "Adam"}


def run_steps(step, X, y, layers0, hyper, steps, none_at):
    """{"trajectory": (steps, P) tensor of all parameters after each update, "state": state}."""
    params = [t.detach().clone().requires_grad_(True) for layer in layers0 for t in layer]
    own = list(params)  # our own references: an update must move these tensors in place
    state = {}
    rows = []
    for k in range(steps):
        h = X
        for j in range(0, len(params), 2):
            h = h @ params[j] + params[j + 1]
            if j < len(params) - 2:
                h = torch.tanh(h)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(h, y)
        grads = list(torch.autograd.grad(loss, params))
        for j in none_at.get(k, []):
            grads[j] = None
        step(list(params), grads, state, **hyper)
        rows.append(torch.cat([p.detach().reshape(-1).clone() for p in own]))
    return {"trajectory": torch.stack(rows), "state": state}


STEPS = Function(inspect.getsource(run_steps) + """

def drive_steps(name, *args):
    return run_steps(globals()[name], *args)
""", "drive_steps")


def torch_name(task: str, hyper: dict) -> str:
    """The torch.optim class the task's step function must agree with (AdamW for decoupled Adam)."""
    if task == "adam_step" and hyper.get("decoupled"):
        return "AdamW"
    return OPTIMISER[task]


def torch_step(task: str, hyper: dict, holder: dict | None = None) -> Callable[..., None]:
    """A step function in the lesson's contract backed by a torch.optim optimiser: the oracle.
    The optimiser lives in `holder["optimiser"]` (its state is read once, at the end)."""
    name = torch_name(task, hyper)
    kwargs = {k: v for k, v in hyper.items() if k != "decoupled"}
    if name == "AdamW":
        kwargs.setdefault("weight_decay", 0.0)  # AdamW's own default is 0.01; adam_step's is 0
    holder = {} if holder is None else holder

    def step(params: list[Tensor], grads: list, state: dict, **_: Any) -> None:
        if "optimiser" not in holder:
            holder["params"] = params
            holder["optimiser"] = getattr(torch.optim, name)(params, **kwargs)
        for p, g in zip(holder["params"], grads):
            p.grad = g
        holder["optimiser"].step()
        for p in holder["params"]:
            p.grad = None
    return step


def torch_run(task: str, X: Tensor, y: Tensor, layers0: list, hyper: dict, steps: int,
              none_at: dict) -> dict:
    """run_steps with torch.optim; "state" is the optimiser's state_dict()["state"], step as an int."""
    holder: dict = {}
    with one_thread():
        out = run_steps(torch_step(task, hyper, holder), X, y, layers0, hyper, steps, none_at)
    state = holder["optimiser"].state_dict()["state"] if "optimiser" in holder else {}
    out["state"] = {i: {key: int(value.item()) if key == "step" else value.clone() for key, value in entry.items()}
                    for i, entry in state.items()}
    return out


def problem(n: int, widths: list[int], seed: int, dtype: torch.dtype = torch.float64) -> tuple:
    """Lesson 2.1's rings and a fresh MLP of the given widths, in `dtype` (float64: tight checks)."""
    g = gen(seed)
    y = (torch.arange(n) % 2).to(dtype).unsqueeze(1)  # (n, 1)
    radius = 1.0 + y[:, 0] + 0.25 * torch.randn(n, generator=g, dtype=dtype)
    angle = 6.283185307179586 * torch.rand(n, generator=g, dtype=dtype)
    X = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)  # (n, 2)
    layers = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        bound = fan_in ** -0.5
        W = (2 * torch.rand(fan_in, fan_out, generator=g, dtype=dtype) - 1) * bound
        b = (2 * torch.rand(fan_out, generator=g, dtype=dtype) - 1) * bound
        layers.append((W, b))
    return X, y, layers


# --- judging a student's run -----------------------------------------------------------------

RTOL, ATOL = 1e-8, 1e-10  # float64: PyTorch and a correct hand-written step agree to ~1e-13


def sizes(layers0: list) -> list[tuple[str, int]]:
    """(name, number of entries) of each parameter, in params order: W_1, b_1, W_2, ..."""
    out = []
    for k, (W, b) in enumerate(layers0, 1):
        out += [(f"W_{k}", W.numel()), (f"b_{k}", b.numel())]
    return out


def where(flat: int, layers0: list) -> str:
    """'params[2] (W_2) entry 7' for a flat index into the concatenated parameters."""
    for i, (name, count) in enumerate(sizes(layers0)):
        if flat < count:
            return f"params[{i}] ({name}) entry {flat}"
        flat -= count
    return f"entry {flat}"


def first_step_difference(got: Tensor, want: Tensor, layers0: list, against: str) -> str:
    """'' when the trajectories agree, else the first step and entry where they part."""
    for k in range(want.shape[0]):
        bad = ~torch.isclose(got[k], want[k], rtol=RTOL, atol=ATOL, equal_nan=True)
        if bad.any():
            j = int(bad.nonzero()[0])
            return (f"after step {k + 1} of {want.shape[0]}, {where(j, layers0)} is "
                    f"{got[k, j].item():.12g}; {against} gives {want[k, j].item():.12g}")
    return ""


def student_run(student: Any, task: str, args: tuple, setting: str) -> dict:
    """The student's run through the driver; an exception it raised fails with a teaching message."""
    return student_run_driver(student, task, STEPS, (task, *args), setting)


def hint_for(message: str) -> str | None:
    if "leaf Variable" in message or "requires grad" in message:
        return ("params require gradients, so an in-place update must not be recorded by autograd: "
                "update them inside `with torch.no_grad():`, as torch.optim's step() does")
    if "NoneType" in message:
        return ("a parameter whose gradient is None took no part in the loss: skip it (no update, "
                "and its state stays as it is), as torch.optim does")
    return None


def expect_matches_torch(student: Any, task: str, hyper: dict, *, seed: int, steps: int = 100,
                         widths: tuple[int, ...] = (2, 6, 5, 1), n: int = 40,
                         none_at: dict | None = None, names: Any = None, note: str = "") -> None:
    """The student's `task` over `steps` steps on the MLP equals torch.optim's, after every step,
    and its final state equals the optimiser's state_dict()["state"]."""
    from looplab.checks import describe, fail
    none_at = none_at or {}
    X, y, layers0 = problem(n, list(widths), seed)
    against = f"torch.optim.{torch_name(task, hyper)}"
    setting = describe(**hyper) + f"; {steps} steps, MLP {' -> '.join(map(str, widths))}, float64" + note
    got = student_run(student, task, (X, y, layers0, hyper, steps, none_at), setting)
    want = torch_run(task, X, y, layers0, hyper, steps, none_at)
    trajectory = got["trajectory"]
    start = torch.cat([t.reshape(-1) for layer in layers0 for t in layer])
    if torch.equal(trajectory[-1], start) and not torch.equal(want["trajectory"][-1], start):
        fail(f"{task} never moved the parameters ({setting}): update each params[i] in place "
             f"(p.add_(...), p -= ..., inside torch.no_grad()); rebinding a name or a list entry "
             f"leaves the caller's tensor where it was")
    difference = first_step_difference(trajectory, want["trajectory"], layers0, against)
    if difference:
        from .sims import diagnose_run
        with one_thread():
            hint = diagnose_run(task, trajectory,
                                lambda step: run_steps(step, X, y, layers0, hyper, steps, none_at),
                                want["trajectory"], names)
        fail(f"{task}: {difference} ({setting})" + hint)
    expect_state(got["state"], want["state"], task=task, hyper=hyper, against=against, setting=setting)


def expect_state(got: Any, want: dict, *, task: str, hyper: dict, against: str, setting: str) -> None:
    """The state dict equals torch's state_dict()["state"]: the same parameter indices, and per
    index the same keys, `step` a Python int, the buffers equal."""
    from looplab.checks import fail, kind, likely
    if not isinstance(got, dict):
        fail(f"{task} left `state` as a {kind(got)}; it must stay the dict it was given")
    if set(got) != set(want):
        extra = "" if want else (" (with momentum=0 there is nothing to remember, so PyTorch keeps "
                                 "no state)")
        fail(f"{task}'s state has entries {sorted(got, key=str)}; {against} has {sorted(want)}, one per "
             f"parameter that has had a gradient, keyed by its index in params ({setting}){extra}"
             + likely("a parameter whose gradient is None must not get (or change) a state entry"
                      if set(want) < set(got) and want else None))
    for i, entry in want.items():
        mine = got[i]
        if not isinstance(mine, dict):
            fail(f"{task}'s state[{i}] is a {kind(mine)}; expected a dict like {sorted(entry)}")
        for key, value in entry.items():
            if key not in mine:
                fail(f"{task}'s state[{i}] has keys {sorted(mine)}; PyTorch's names are {sorted(entry)}")
            if key == "step":
                if type(mine[key]) is not int or mine[key] != value:
                    fail(f"{task}'s state[{i}]['step'] is {mine[key]!r} ({kind(mine[key])}); expected the "
                         f"Python int {value}, the number of updates params[{i}] has had ({setting})"
                         + likely(ADAM_STEP if task == "adam_step" else None))
                continue
            ok = (isinstance(mine[key], Tensor) and mine[key].shape == value.shape
                  and mine[key].dtype == value.dtype and torch.allclose(mine[key].double(), value.double(), rtol=1e-7, atol=1e-10))
            if not ok:
                lr = hyper.get("lr", 0.0)
                folded = (isinstance(mine[key], Tensor) and mine[key].shape == value.shape and lr
                          and torch.allclose(mine[key].double(), lr * value.double(), rtol=1e-6, atol=1e-10))
                got_kind = (f"a {mine[key].dtype} tensor of shape {tuple(mine[key].shape)}"
                            if isinstance(mine[key], Tensor) else f"a {kind(mine[key])}")
                fail(f"{task}'s state[{i}]['{key}'] ({got_kind}) differs from {against}'s ({value.dtype}, shape "
                     f"{tuple(value.shape)}) after the last step ({setting})" + likely(
                         f"{key} holds lr times PyTorch's buffer (the lr was folded into it); the steps "
                         f"agree only while lr never changes, and lesson 3.2 changes it" if folded else None))


ADAM_STEP = "each parameter counts its own updates, from 1 on its first gradient (None gradients do not count)"


def keep_grads(name, params, grads1, grads2, hyper):
    """Two calls in a row on parameters that require gradients; returns both gradient lists."""
    step = globals()[name]
    params = [p.clone().requires_grad_(True) for p in params]
    state = {}
    step(params, grads1, state, **hyper)
    step(params, grads2, state, **hyper)
    return {"grads1": grads1, "grads2": grads2}


def expect_grads_unchanged(student: Any, task: str, hyper: dict) -> None:
    """Two calls; neither may change a gradient it was given (not even through its state)."""
    from looplab.checks import describe, expect
    g = gen(5)
    params = [torch.randn(3, 2, generator=g, dtype=torch.float64), torch.randn(2, generator=g, dtype=torch.float64)]
    grads1 = [torch.randn_like(p) for p in params]
    grads2 = [torch.randn_like(p) for p in params]
    before = [t.clone() for t in grads1 + grads2]
    got = student_run_driver(student, task, Function(inspect.getsource(keep_grads), "keep_grads"),
                             (task, params, grads1, grads2, hyper), describe(**hyper))
    after = list(got["grads1"]) + list(got["grads2"])
    for t, b in zip(after, before):
        expect(isinstance(t, Tensor) and torch.equal(t, b),
               f"{task} changed a gradient it was given ({describe(**hyper)}, two calls in a row): "
               f"never modify grads in place (write g = g + weight_decay * p, not g.add_(...)), and "
               f"never store a gradient itself as a buffer you later update in place: "
               f"store a copy (g.clone())")


def student_run_driver(student: Any, task: str, fn: Function, args: tuple, setting: str) -> Any:
    from looplab.checks import StudentError, fail, likely, unfinished
    try:
        return drive(student, task, fn, *args)
    except StudentError as err:
        if unfinished(err):
            raise
        fail(f"{task} raised {err.message} ({setting})" + likely(hint_for(err.message)))


def expect_none_skipped(student: Any, reference: Any, task: str, hyper: dict) -> None:
    """One call with state from two earlier steps and gradients [g, None, g, None]: params[1] and
    params[3] stay put, state[1] stays exactly as it was, params[3] (never a gradient) gets no
    entry, and params[0], params[2] move as the reference moves them."""
    import copy

    from looplab.checks import StudentError, describe, expect, fail, likely, unfinished
    g = gen(11)
    params = [torch.randn(4, 3, generator=g, dtype=torch.float64), torch.randn(3, generator=g, dtype=torch.float64),
              torch.randn(3, generator=g, dtype=torch.float64), torch.randn(2, generator=g, dtype=torch.float64)]
    state: dict = {}
    for _ in range(2):
        getattr(reference, task)(params[:3], [torch.randn_like(p) for p in params[:3]], state, **hyper)
    grads = [torch.randn_like(params[0]), None, torch.randn_like(params[2]), None]
    want_params = [p.clone() for p in params]
    want_state = copy.deepcopy(state)
    getattr(reference, task)(want_params, grads, want_state, **hyper)
    setting = describe(**hyper) + "; grads = [g, None, g, None], state from two earlier steps of params[0:3]"
    try:
        reply = student.call(task, [p.clone() for p in params], grads, copy.deepcopy(state), **hyper,
                             return_args=True)
    except StudentError as err:
        if unfinished(err):
            raise
        fail(f"{task} raised {err.message} ({setting})" + likely(hint_for(err.message)))
    got_params, _, got_state = reply["args_after"][:3]
    for i in (1, 3):
        expect(torch.equal(got_params[i], params[i]),
               f"{task} changed params[{i}], whose gradient is None ({setting}): skip such a parameter")
    expect(isinstance(got_state, dict) and 3 not in got_state,
           f"{task} made a state entry for params[3], which has never had a gradient ({setting}): "
           f"PyTorch makes a parameter's state on its first gradient")
    expect(1 in got_state and _same_entry(got_state[1], state[1]),
           f"{task} changed state[1] although grads[1] is None ({setting}): a skipped parameter's state "
           f"stays exactly as it was (its step count too)")
    for i in (0, 2):
        expect(torch.allclose(got_params[i], want_params[i], rtol=RTOL, atol=ATOL),
               f"{task} moved params[{i}] differently from the reference when another parameter's "
               f"gradient is None ({setting}): the others are updated as usual")


def _same_entry(got: Any, want: dict) -> bool:
    if not isinstance(got, dict) or set(got) != set(want):
        return False
    return all(torch.equal(got[k], v) if isinstance(v, Tensor) else got[k] == v for k, v in want.items())
