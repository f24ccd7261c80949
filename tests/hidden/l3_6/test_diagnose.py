"""Hidden checks for `diagnose`: the right label on histories the checker records from real short runs with
known faults (learning rate far too high, diverging to NaN, far too low, dead ReLUs, a tiny training set),
each rule and its order on histories made by hand, history unchanged, no randomness, bad input."""

from __future__ import annotations

from looplab.checks import describe, expect, expect_raises, fail, gen, kind, points

NAME = "diagnose"
LABELS = ("healthy", "lr_too_high", "lr_too_low", "not_learning", "overfitting")


def real_run(reference, fault: str, seed: int) -> tuple[dict, str]:
    """(history, setting): a short real run of the reference train_monitored with one known fault."""
    n, widths, epochs, lr, noise = 300, [2, 16, 16, 1], 80, 0.5, 0.25
    if fault == "lr_too_high":
        lr = 30.0
    elif fault == "nan":
        lr = 1e20
    elif fault == "lr_too_low":
        lr = 2e-4
    elif fault == "overfitting":
        n, widths, epochs, noise = 16, [2, 64, 64, 1], 300, 0.5
    X, y = reference.make_rings(n, gen(seed), noise)
    X_val, y_val = reference.make_rings(200, gen(seed + 100), noise)
    layers0 = reference.init_mlp(widths, gen(seed + 1))
    if fault == "dead_relus":  # every hidden bias pushed far below zero: every ReLU outputs 0
        layers0 = [(W, b - 10.0) if k < len(layers0) - 1 else (W, b) for k, (W, b) in enumerate(layers0)]
    setting = describe(N=n, widths=" -> ".join(map(str, widths)), epochs=epochs, lr=lr, noise=noise,
                       hidden_biases_minus_10=fault == "dead_relus")
    return reference.train_monitored(X, y, X_val, y_val, layers0, epochs, lr), setting


REAL = [  # (fault, seed, the label it must get)
    ("healthy", 31, "healthy"), ("healthy", 32, "healthy"),
    ("lr_too_high", 33, "lr_too_high"), ("nan", 34, "lr_too_high"),
    ("lr_too_low", 35, "lr_too_low"), ("lr_too_low", 36, "lr_too_low"),
    ("overfitting", 37, "overfitting"), ("overfitting", 38, "overfitting"),
    ("dead_relus", 39, "not_learning"), ("dead_relus", 40, "not_learning"),
]


def label(student, history: dict, what: str) -> str:
    got = student.diagnose(history)
    if type(got) is not str or got not in LABELS:
        fail(f"{NAME} returned {got!r} ({kind(got)}) for {what}; the contract asks for one of {LABELS}")
    return got


def summary(history: dict) -> str:
    train, val = history["train_loss"], history["val_loss"]
    return (f"train loss {train[0]:.4g} -> {train[-1]:.4g} over {len(train)} steps, validation loss best "
            f"{min(val):.4g}, last {val[-1]:.4g}")


@points(NAME, 2)
def test_right_label_on_real_runs_with_known_faults(student, reference):
    for fault, seed, want in REAL:
        history, setting = real_run(reference, fault, seed)
        got = label(student, history, f"a real run ({setting})")
        expect(got == want, f"{NAME} said {got!r} for a real run with a known fault ({fault}), expected {want!r} "
                            f"({setting}; {summary(history)})")


def made_up(train: list[float], val: list[float], ratios: list[float], spread: float = 10.0) -> dict:
    """A history by hand, three layers: each step's ratios are r, r / spread, r / spread**2 in a shuffled order."""
    rows = [[r / spread, r, r / spread ** 2] for r in ratios]
    return {"train_loss": train, "val_loss": val, "update_ratios": rows,
            "train_acc": [0.5] * len(train), "val_acc": [0.5] * len(train), "grad_norms": [[1.0] * 3] * len(train)}


NAN, INF = float("nan"), float("inf")
DOWN = [0.7, 0.5, 0.35, 0.3]
FLAT_VAL = [0.7, 0.5, 0.42, 0.41]
RULES = [  # (what the case tests, history)
    ("a NaN in the middle of train_loss: rule 1 (any NaN or inf), even though the last loss is finite",
     made_up([0.7, NAN, 0.6, 0.5], FLAT_VAL, [1e-2] * 4)),
    ("an inf train_loss at the end: rule 1", made_up([0.7, 0.6, 0.9, INF], FLAT_VAL, [1e-2] * 4)),
    ("last train loss above the first: rule 1, checked before everything else",
     made_up([0.7, 0.3, 0.5, 0.71], [0.7, 0.3, 0.9, 1.2], [1e-7] * 4)),
    ("last train loss exactly equal to the first: not rule 1 (it asks for last > first); r = 1e-2, so rule 4",
     made_up([0.7, 0.6, 0.65, 0.7], FLAT_VAL, [1e-2] * 4)),
    ("r is the LARGEST ratio of each step: a layer at 1e-3 with the others 10 and 100 times smaller",
     made_up(DOWN, FLAT_VAL, [1e-3] * 4)),
    ("r is the MEDIAN over steps: two steps at 1e-5 and two at 1e-2 give r = (1e-5 + 1e-2) / 2, "
     "statistics.median's mean of the two middle values", made_up(DOWN, FLAT_VAL, [1e-5, 1e-2, 1e-5, 1e-2])),
    ("r is the MEDIAN over steps, not the mean: steps at 1e-5, 1e-5, 1e-5, 1 (mean 0.25)",
     made_up(DOWN, FLAT_VAL, [1e-5, 1e-5, 1e-5, 1.0])),
    ("r is the MEDIAN over steps, not the last step: ratios 1e-2, 1e-2, 1e-2, 1e-7",
     made_up(DOWN, FLAT_VAL, [1e-2, 1e-2, 1e-2, 1e-7])),
    ("r below 1e-6 is rule 2 (not_learning), checked BEFORE rule 3 (lr_too_low)",
     made_up([0.7, 0.7, 0.7, 0.7], FLAT_VAL, [5e-7] * 4)),
    ("r between 1e-6 and 1e-4 with a loss that still falls a lot: rule 3 comes before rules 4 and 5",
     made_up(DOWN, [0.7, 0.3, 0.6, 0.9], [5e-5] * 4)),
    ("a fair step (r = 1e-3) and a loss that falls by 0.5% only: rule 4 (not_learning)",
     made_up([0.8, 0.798, 0.797, 0.796], FLAT_VAL, [1e-3] * 4)),
    ("a loss that falls by 2%: not rule 4; validation steady, so healthy",
     made_up([0.8, 0.79, 0.786, 0.784], FLAT_VAL, [1e-3] * 4)),
    ("validation 20% above its best at the end: rule 5 (overfitting)",
     made_up(DOWN, [0.7, 0.5, 0.5, 0.6], [1e-2] * 4)),
    ("validation 5% above its best at the end: within the 10% rule 5 allows, so healthy",
     made_up(DOWN, [0.7, 0.5, 0.5, 0.525], [1e-2] * 4)),
    ("validation above its best but falling at the end (the best is the minimum over all steps, not the "
     "first): 0.3 best, then 0.5, 0.45", made_up(DOWN, [0.7, 0.3, 0.5, 0.45], [1e-2] * 4)),
    ("a single step: r is its largest ratio, last = first", made_up([0.7], [0.7], [1e-2])),
]


@points(NAME, 1.5)
def test_each_rule_and_their_order_on_made_up_histories(student, reference):
    for what, history in RULES:
        want = reference.diagnose(history)
        got = label(student, history, what)
        expect(got == want, f"{NAME} said {got!r}, expected {want!r}: {what}")


@points(NAME, 0.5)
def test_history_unchanged_no_randomness_and_bad_input(student, reference):
    history = made_up(DOWN, [0.7, 0.5, 0.5, 0.6], [1e-2] * 4)
    answers = []
    for seed in (1, 2):
        reply = student.call(NAME, history, global_seed=seed, return_args=True)
        answers.append(reply["result"])
        expect(reply["args_after"][0] == history, f"{NAME} changed the history it was given: read it, never "
                                                  f"sort or pop its lists in place")
    expect(answers[0] == answers[1], f"{NAME} gave different answers when only the global random seed changed")
    expect_raises(student, NAME, (made_up([], [], []),), "ValueError", setting="a history with no steps",
                  hint="train_loss is empty")
    expect_raises(student, NAME, (made_up(DOWN, FLAT_VAL[:3], [1e-2] * 4),), "ValueError",
                  setting="val_loss of 3 entries, train_loss of 4", hint="the lists must have one length")
    expect_raises(student, NAME, (made_up(DOWN, FLAT_VAL, [1e-2] * 3),), "ValueError",
                  setting="update_ratios of 3 entries, train_loss of 4", hint="the lists must have one length")
