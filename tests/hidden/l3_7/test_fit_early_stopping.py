"""Hidden checks for `fit_early_stopping`: the reference's losses, best and stopping epochs on several
settings (min_delta, label smoothing, a partial last batch, a batch larger than the data, a model handed
over in evaluation mode), the best state restored exactly (BatchNorm buffers included), evaluation mode
and no graph for validation and training mode for the batches (every forward pass is watched), inputs
unchanged, bad settings raise ValueError. The model (Linear, BatchNorm1d, ReLU, Dropout, Linear) is
built inside the student process by a driver, from the same parameters and torch.manual_seed."""

from __future__ import annotations

import inspect
import textwrap

import torch

from looplab.checks import (Function, assert_tensor, assert_trajectory, describe, drive, expect, expect_raises,
                            fail, gen, likely, points)

NAME = "fit_early_stopping"

MESSAGES = {
    "restore_last": "the model ends with the last epoch's weights, not the best: keep a COPY of the best "
                    "state (copy.deepcopy(model.state_dict()); the dict itself holds the live tensors) and "
                    "load it back at the end",
    "params_only": "only the parameters are restored: BatchNorm's running_mean and running_var are in "
                   "model.state_dict() too and must come back with the best weights",
    "val_train_mode": "validation runs in training mode: call model.eval() before the validation pass",
    "no_train_again": "model.train() is not called again after validation, so later epochs train in evaluation "
                      "mode (no dropout, frozen BatchNorm statistics)",
    "patience_off_by_one": "the loop stops one epoch late: stop as soon as `patience` epochs in a row failed to "
                           "improve (bad_epochs >= patience)",
    "no_reset": "the count of bad epochs is not reset to 0 when an epoch improves",
    "min_delta_ignored": "min_delta is ignored: an epoch improves only if val_loss < best - min_delta",
    "smoothing_in_val": "label smoothing is applied to the validation loss too; use it for the training loss only",
    "unweighted": "the epoch's training loss is the plain mean of batch losses; weight each by its batch size "
                  "(the last batch may be smaller)",
}

# One change to the reference's loop per mistake: the simulations that name a failure.
EDITS = {
    "restore_last": [("        model.load_state_dict(best_state)\n", "        pass\n")],
    "params_only": [("best_state = copy.deepcopy(model.state_dict())",
                     "best_state = {k: v.detach().clone() for k, v in model.named_parameters()}"),
                    ("model.load_state_dict(best_state)", "model.load_state_dict(best_state, strict=False)")],
    "val_train_mode": [("        model.eval()  # dropout off", "        pass  # dropout off")],
    "no_train_again": [("        model.train()  # dropout on", "        model.train() if epoch == 0 else None  #")],
    "patience_off_by_one": [("if bad_epochs >= patience:", "if bad_epochs > patience:")],
    "no_reset": [("best_loss, best_epoch, bad_epochs = val_loss, epoch, 0", "best_loss, best_epoch = val_loss, epoch")],
    "min_delta_ignored": [("if val_loss < best_loss - min_delta:", "if val_loss < best_loss:")],
    "smoothing_in_val": [("val_loss = F.cross_entropy(model(X_val), y_val).item()",
                          "val_loss = F.cross_entropy(model(X_val), y_val, label_smoothing=label_smoothing).item()")],
    "unweighted": [("total += loss.item() * len(idx)", "total += loss.item() * N / len(range(0, N, batch_size))")],
}


def run_fit(params, X, y, Xv, yv, options, generator, seed, p_drop, start_eval):
    """Driver: build the model, watch every forward pass, train it with fit_early_stopping."""
    torch.manual_seed(seed)
    d, h, K = params[0].shape[1], params[0].shape[0], params[-1].shape[0]
    model = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.BatchNorm1d(h), torch.nn.ReLU(),
                                torch.nn.Dropout(p_drop), torch.nn.Linear(h, K))
    with torch.no_grad():
        for p, v in zip(model.parameters(), params):
            p.copy_(v)
    if start_eval:
        model.eval()
    calls = []

    def watch(module, inputs):
        x = inputs[0]
        is_val = x.shape == Xv.shape and bool(torch.equal(x, Xv))
        calls.append([is_val, bool(module.training), bool(torch.is_grad_enabled())])

    model.register_forward_pre_hook(watch)
    data = [X.clone(), y.clone(), Xv.clone(), yv.clone()]
    out = fit_early_stopping(model, X, y, Xv, yv, generator=generator, **options)
    unchanged = [bool(torch.equal(a, b)) for a, b in zip(data, [X, y, Xv, yv])]
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return {"out": out, "state": state, "calls": calls, "training": bool(model.training), "unchanged": unchanged}


def run_here(namespace: dict, *args):
    """`run_fit` in the checker's process, with `namespace`'s fit_early_stopping (the reference's or a mistake's)."""
    scope = dict(namespace)
    exec(textwrap.dedent(inspect.getsource(run_fit)), scope)
    return scope["run_fit"](*args)


def mistaken(reference, name: str) -> dict:
    source = inspect.getsource(reference.fit_early_stopping)
    for old, new in EDITS[name]:
        assert source.count(old) == 1, (name, old)
        source = source.replace(old, new)
    scope = dict(vars(reference))
    exec(source, scope)
    return scope


SETTINGS = {
    "a": dict(n=48, m=40, d=6, h=12, K=3, p_drop=0.2, seed=1,
              options=dict(lr=0.5, batch_size=16, max_epochs=40, patience=3)),
    "b": dict(n=50, m=30, d=5, h=10, K=3, p_drop=0.3, seed=2,
              options=dict(lr=0.4, batch_size=12, max_epochs=40, patience=4, min_delta=0.02, label_smoothing=0.1)),
    "c": dict(n=30, m=25, d=4, h=8, K=2, p_drop=0.1, seed=3,
              options=dict(lr=0.3, batch_size=64, max_epochs=12, patience=20), start_eval=True),
}


def problem(n, m, d, h, K, seed, **_):
    g = gen(seed)
    w = torch.randn(d, K, generator=g)
    X, Xv = torch.randn(n, d, generator=g), torch.randn(m, d, generator=g)
    y = (X @ w + 0.8 * torch.randn(n, K, generator=g)).argmax(1)  # noisy labels: the model overfits
    yv = (Xv @ w).argmax(1)
    params = [0.5 * torch.randn(h, d, generator=g), 0.1 * torch.randn(h, generator=g),
              torch.ones(h), torch.zeros(h), 0.5 * torch.randn(K, h, generator=g), torch.zeros(K)]
    return params, X, y, Xv, yv


def args_of(key: str) -> tuple:
    s = SETTINGS[key]
    params, X, y, Xv, yv = problem(**s)
    return (params, X, y, Xv, yv, s["options"], gen(s["seed"] + 50), s["seed"] + 70, s["p_drop"],
            s.get("start_eval", False))


def setting_of(key: str) -> str:
    s = SETTINGS[key]
    note = {"b": " (a partial last batch)", "c": " (batch larger than the data; model handed over in eval mode)"}
    return describe(N=s["n"], M=s["m"], **s["options"]) + note.get(key, "")


def copy_args(args: tuple) -> tuple:
    params, X, y, Xv, yv, options, g, *rest = args
    fresh_g = torch.Generator()
    fresh_g.set_state(g.get_state())
    return ([p.clone() for p in params], X.clone(), y.clone(), Xv.clone(), yv.clone(), dict(options), fresh_g, *rest)


_CACHE: dict = {}


def reference_run(reference, key: str, mistake: str | None = None) -> dict:
    if (key, mistake) not in _CACHE:
        scope = vars(reference) if mistake is None else mistaken(reference, mistake)
        _CACHE[key, mistake] = run_here(scope, *copy_args(args_of(key)))
    return _CACHE[key, mistake]


def student_run(student, key: str) -> dict:
    got = drive(student, NAME, run_fit, *args_of(key))
    if not isinstance(got, dict) or not isinstance(got.get("out"), dict):
        fail(f"{NAME} did not return a dict ({setting_of(key)})")
    out = got["out"]
    for field in ("train_losses", "val_losses", "best_epoch", "stopped_epoch"):
        if field not in out:
            fail(f"{NAME}'s result has no key {field!r}; the contract asks for train_losses, val_losses, "
                 f"best_epoch and stopped_epoch")
    return got


def same_out(got: dict, want: dict) -> bool:
    def close(a, b):
        return len(a) == len(b) and all(abs(p - q) <= 1e-4 + 1e-4 * abs(q) for p, q in zip(a, b))
    return (close(got["train_losses"], want["train_losses"]) and close(got["val_losses"], want["val_losses"])
            and got["best_epoch"] == want["best_epoch"] and got["stopped_epoch"] == want["stopped_epoch"])


def same_state(got: dict, want: dict) -> bool:
    return got.keys() == want.keys() and all(
        torch.allclose(got[k].double(), want[k].double(), rtol=1e-4, atol=1e-5) for k in want)


def name_mistake(reference, key: str, got: dict, names, same) -> str | None:
    for name in names:
        if same(got, reference_run(reference, key, name)):
            return MESSAGES[name]
    return None


LOOP_MISTAKES = ["val_train_mode", "no_train_again", "patience_off_by_one", "no_reset", "min_delta_ignored",
                 "smoothing_in_val", "unweighted"]


def expect_reference_run(student, reference, key: str) -> None:
    got = student_run(student, key)["out"]
    want = reference_run(reference, key)["out"]
    setting = setting_of(key)
    diagnose = lambda: name_mistake(reference, key, got, LOOP_MISTAKES, lambda g, w: same_out(g, w["out"]))
    for field in ("val_losses", "train_losses"):
        assert_trajectory(got[field], want[field], what=f"{NAME}'s {field}", setting=setting, diagnose=diagnose)
    for field in ("best_epoch", "stopped_epoch"):
        if got[field] != want[field]:
            fail(f"{NAME}'s {field} is {got[field]}, expected {want[field]} ({setting})" + likely(diagnose()))


@points(NAME, 3)
def test_matches_reference(student, reference):
    for key in ("a", "b", "c"):
        expect_reference_run(student, reference, key)


@points(NAME, 2)
def test_restores_the_best_state_exactly(student, reference):
    for key in ("a", "b"):
        got = student_run(student, key)
        want = reference_run(reference, key)
        if got["out"]["best_epoch"] == got["out"]["stopped_epoch"]:
            continue  # nothing to restore in this run; the stopping epochs are test_matches_reference's
        if not same_state(got["state"], want["state"]):
            wrong = next((k for k in want if k not in got["state"] or not torch.allclose(
                got["state"][k].double(), want[k].double(), rtol=1e-4, atol=1e-5)), "?")
            named = name_mistake(reference, key, got["state"], ["restore_last", "params_only"],
                                 lambda g, w: same_state(g, w["state"]))
            fail(f"after {NAME}, model.state_dict()[{wrong!r}] differs from the best epoch's "
                 f"(epoch {want['out']['best_epoch']}, stopped at {want['out']['stopped_epoch']}; {setting_of(key)})"
                 + likely(named))


@points(NAME, 2)
def test_validates_in_eval_mode_and_trains_in_train_mode(student):
    for key in ("a", "c"):
        got = student_run(student, key)
        setting = setting_of(key)
        val = [c for c in got["calls"] if c[0]]
        train = [c for c in got["calls"] if not c[0]]
        expect(len(val) == len(got["out"]["val_losses"]),
               f"{NAME} made {len(val)} forward passes of the whole X_val for {len(got['out']['val_losses'])} epochs "
               f"({setting}); validate with one forward pass of X_val per epoch")
        expect(all(not c[1] for c in val), f"{NAME} ran a validation pass with the model in training mode "
                                           f"({setting})" + likely(MESSAGES["val_train_mode"]))
        expect(all(not c[2] for c in val), f"{NAME} built autograd's graph during validation ({setting}); "
                                           f"validate under torch.no_grad()")
        expect(all(c[1] for c in train), f"{NAME} ran a training batch with the model in evaluation mode "
                                         f"({setting})" + likely(MESSAGES["no_train_again"] if key == "a" else
                                                                 "call model.train() at the start of every epoch: "
                                                                 "the model may arrive in evaluation mode"))
        expect(not got["training"], f"{NAME} left the model in training mode ({setting}); end in evaluation mode")


@points(NAME, 1)
def test_inputs_unchanged_and_bad_settings_raise(student):
    got = student_run(student, "a")
    expect(all(got["unchanged"]), f"{NAME} changed X_train, y_train, X_val or y_val in place; leave the data as it was")
    base = args_of("a")
    for change, setting in [(dict(max_epochs=0), "max_epochs=0"), (dict(patience=0), "patience=0"),
                            (dict(batch_size=0), "batch_size=0"), (dict(min_delta=-0.1), "min_delta=-0.1")]:
        args = list(base)
        args[5] = {**base[5], **change}
        expect_raises(student, NAME, tuple(args), "ValueError", setting=setting,
                      hint="max_epochs, patience and batch_size must be at least 1, min_delta at least 0",
                      driver=Function(textwrap.dedent(inspect.getsource(run_fit)), "run_fit"))
