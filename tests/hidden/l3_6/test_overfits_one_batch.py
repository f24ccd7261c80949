"""Hidden checks for `overfits_one_batch`: its losses equal the reference's (torch.optim.Adam) step for step; the
check passes on correct models (ReLU, tanh residual) and fails on models with a planted bug (a sigmoid or ReLU
after the output, an input that never reaches the model, every sample seeing the batch mean); zero steps,
plain types, inputs unchanged, no randomness, bad input."""

from __future__ import annotations

from looplab.checks import (Function, as_float_list, as_pair, assert_trajectory, describe, expect, expect_raises,
                            fail, gen, kind, points)

NAME = "overfits_one_batch"

BODY = '''
def {name}(x, layers):
    h = {input}
    for k, (W, b) in enumerate(layers):
        z = h @ W + b
        if k == len(layers) - 1:
            h = z
        elif {residual} and 0 < k and z.shape == h.shape:
            h = h + torch.{act}(z)
        else:
            h = torch.{act}(z)
    return {output}
'''


def model(name: str, *, act: str = "relu", residual: bool = False, input: str = "x", output: str = "h") -> Function:
    return Function(BODY.format(name=name, act=act, residual=residual, input=input, output=output), name)


CORRECT = {
    "a ReLU MLP": model("relu_mlp"),
    "a tanh MLP with skip connections (lesson 3.4)": model("residual_tanh", act="tanh", residual=True),
}
BUGGY = {
    "a sigmoid after the output (the loss applies a second one)": model("double_sigmoid", output="torch.sigmoid(h)"),
    "a ReLU after the output (logits can never go below 0)": model("relu_output", output="torch.relu(h)"),
    "an input that never reaches the model (x * 0)": model("ignores_input", input="x * 0"),
    "every sample sees the batch mean (a broadcasting slip)": model("batch_mean",
                                                                    input="x.mean(0, keepdim=True).expand_as(x)"),
}


def batch(reference, n: int, widths: list[int], seed: int) -> tuple:
    X, y = reference.make_rings(n, gen(seed))
    return X, y, reference.init_mlp(widths, gen(seed + 1))


def read(result, *, strict: bool = False) -> tuple[bool, list[float]]:
    passed, losses = as_pair(result, NAME, "(passed, losses)")
    if type(passed) is not bool:
        fail(f"{NAME} returned passed as a {kind(passed)}; the contract asks for a Python bool (bool(...))")
    return passed, as_float_list(losses, f"{NAME}'s losses", strict=strict)


def run(student, reference, forward: Function, what: str, *, n: int, widths: list[int], seed: int, steps: int,
        lr: float, tol: float) -> tuple[bool, list[float], tuple[bool, list[float]], str]:
    X, y, layers0 = batch(reference, n, widths, seed)
    setting = describe(model=what, N=n, widths=" -> ".join(map(str, widths)), steps=steps, lr=lr, tol=tol)
    passed, losses = read(student.overfits_one_batch(forward, X, y, layers0, steps, lr, tol))
    want = reference.overfits_one_batch(forward.build(), X, y, layers0, steps, lr, tol)
    return passed, losses, want, setting


def why(losses: list[float], want: list[float]) -> str | None:
    if len(losses) == len(want) - 1 and losses == losses[:len(want) - 1]:
        return "the loss after the last step is not recorded: steps + 1 losses in all"
    if len(losses) > 1 and abs(losses[0] - want[0]) <= 1e-5 * abs(want[0]) + 1e-7:
        return ("the first loss agrees, later ones do not: the optimiser is torch.optim.Adam(params, lr=lr) with "
                "its defaults, and the gradients are zeroed before every backward")
    if losses and abs(losses[0] - want[0]) > 1e-4:
        return "the first loss is not the batch's loss at layers0: is it computed with the forward you were given?"
    return None


@points(NAME, 1.5)
def test_losses_match_reference_step_for_step(student, reference):
    for (what, forward), (n, widths, seed, steps, lr) in zip(CORRECT.items(), [(8, [2, 16, 16, 1], 11, 40, 0.01),
                                                                              (10, [2, 12, 12, 12, 1], 12, 30, 0.02)]):
        passed, losses, (want_passed, want), setting = run(student, reference, forward, what, n=n, widths=widths,
                                                           seed=seed, steps=steps, lr=lr, tol=0.5)
        assert_trajectory(losses, want, what=NAME, setting=setting, unit="step", rtol=1e-3, atol=1e-6,
                          diagnose=lambda: why(losses, want))
        expect(passed == want_passed, f"{NAME} returned passed={passed} with a last loss of {losses[-1]:.4g} and "
                                      f"tol=0.5; expected {want_passed} ({setting}): passed is last loss < tol")


@points(NAME, 1.5)
def test_passes_on_correct_models_and_fails_on_planted_bugs(student, reference):
    for what, forward in CORRECT.items():
        passed, losses, _, setting = run(student, reference, forward, what, n=8, widths=[2, 16, 16, 1], seed=13,
                                         steps=250, lr=0.01, tol=0.01)
        expect(passed, f"{NAME} failed a correct model: it should memorise the batch ({setting}); the last loss is "
                       f"{losses[-1]:.4g}; train the forward you are given, with its own layers" if losses
                       else f"{NAME} returned no losses ({setting})")
    for what, forward in BUGGY.items():
        passed, losses, _, setting = run(student, reference, forward, what, n=8, widths=[2, 16, 16, 1], seed=13,
                                         steps=250, lr=0.01, tol=0.01)
        expect(not passed, f"{NAME} passed a model with a planted bug ({setting}); such a model cannot fit the "
                           f"batch, so the check must fail: train the forward you are given, not a model of your own")


@points(NAME, 1)
def test_zero_steps_inputs_unchanged_no_randomness_and_bad_input(student, reference):
    forward = CORRECT["a ReLU MLP"]
    X, y, layers0 = batch(reference, 6, [2, 4, 1], 14)
    start = reference.overfits_one_batch(forward.build(), X, y, layers0, 0, 0.01, 10.0)[1]
    for tol in (10.0, 1e-3):
        passed, losses = read(student.overfits_one_batch(forward, X, y, layers0, 0, 0.01, tol))
        expect(len(losses) == 1 and abs(losses[0] - start[0]) <= 1e-5,
               f"{NAME} with steps=0 should return the starting loss alone, [{start[0]:.6g}], got {losses}")
        expect(passed == (start[0] < tol), f"{NAME} with steps=0 and tol={tol} returned passed={passed}; the starting "
                                           f"loss {start[0]:.4g} is {'below' if start[0] < tol else 'above'} tol")
    runs = []
    for seed in (1, 2):
        reply = student.call(NAME, forward, X, y, layers0, 5, 0.05, 0.01, global_seed=seed, return_args=True)
        runs.append(read(reply["result"], strict=True))
        X_after, y_after, layers_after = reply["args_after"][1:4]
        expect((X_after == X).all().item() and (y_after == y).all().item(), f"{NAME} changed X or y in place")
        for k, ((W, b), (W0, b0)) in enumerate(zip(layers_after, layers0), 1):
            expect((W.detach() == W0).all().item() and (b.detach() == b0).all().item(),
                   f"{NAME} changed layers0 in place (layer {k}): train on copies")
    expect(runs[0] == runs[1], f"{NAME} gave different results when only the global random seed changed")
    for args, setting, hint in (((X, y, layers0, -1, 0.01, 0.01), "steps=-1", "steps must be at least 0"),
                                ((X, y, layers0, 5, 0.0, 0.01), "lr=0.0", "lr must be positive"),
                                ((X, y, layers0, 5, 0.01, 0.0), "tol=0.0", "tol must be positive"),
                                ((X, y[:, 0], layers0, 5, 0.01, 0.01), "y of shape (6,)", "y must be (N, 1)")):
        expect_raises(student, NAME, (forward, *args), "ValueError", setting=setting, hint=hint)
