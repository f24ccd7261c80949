"""Hidden checks for `mse_loss` (mean squared error of y_hat = w * x)."""

from looplab.checks import expect, fail, points
from looplab.checks.timing import assert_not_much_slower

from .common import GLOBAL_SEED, as_float, close, expect_inputs_unchanged
from .data import exact_line, make_data
from .mistakes import diagnose_loss

CASES = [(7, 2, -1.25), (200, 3, 2.0), (50, 4, 0.0), (1, 1, 0.5)]  # N, seed, w; N=1 last: it hides sum/mean
LOOP_HINT = ("a Python loop over the samples is the usual cause: compute all the errors at once "
             "with tensor arithmetic (w * x - y) and average them with .mean()")


def _loss(student, w, x, y, *, strict: bool = False) -> float:
    value = student.call("mse_loss", w, x, y, global_seed=GLOBAL_SEED)["result"]
    return as_float(value, f"mse_loss(w={w}, ...) returned a value that", strict=strict)


@points("mse_loss", 1)
def test_matches_reference_on_several_data_sets(student, reference):
    for n, seed, w in CASES:
        x, y = make_data(n, seed)
        got, want = _loss(student, w, x, y), reference.mse_loss(w, x, y)
        if not close(got, want):
            mistake = diagnose_loss(got, w, x, y)
            fail(f"mse_loss(w={w}) on N={n} samples returned {got:.6g}, expected {want:.6g}"
                 + (f"\nlikely mistake: {mistake}" if mistake else ""))


@points("mse_loss", 0.5)
def test_zero_for_a_perfect_fit_and_positive_otherwise(student):
    x, y = exact_line(30, 5, w_true=-0.75)
    at_line = _loss(student, -0.75, x, y)
    expect(abs(at_line) <= 1e-10,
           f"mse_loss returned {at_line:.3g} for w=-0.75 on data that lies exactly on y = -0.75 * x; "
           f"every error is 0 there, so the loss must be 0")
    off = _loss(student, 0.25, x, y)
    expect(off > 0, f"mse_loss returned {off:.3g} for w=0.25 on the same data (the line is "
                    f"y = -0.75 * x); every error is non-zero there, so the loss must be positive")


@points("mse_loss", 0.5)
def test_returns_a_python_float(student):
    x, y = make_data(10, 6)
    _loss(student, 1.5, x, y, strict=True)


@points("mse_loss", 0.5)
def test_inputs_unchanged(student):
    x, y = make_data(12, 7)
    expect_inputs_unchanged(student, "mse_loss", 1.5, x, y)


@points("mse_loss", 0.5)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        x, y = make_data(30_000, 700 + r)
        return (0.5 + r, x, y)
    assert_not_much_slower(student, reference_process, "mse_loss", make_args,
                           workload="N=30,000 samples", hint=LOOP_HINT)
