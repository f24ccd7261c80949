"""Hidden checks for `mse_loss` (mean squared error of y_hat = w * x)."""

from looplab.checks import (as_float, assert_float, assert_not_much_slower, expect,
                            expect_unchanged, points)

from .model import LOSS, data, exact_line

CASES = [(7, 2, -1.25), (200, 3, 2.0), (50, 4, 0.0), (1, 1, 0.5)]  # N, seed, w; N=1 last: it hides sum/mean
LOOP_HINT = ("a Python loop over the samples is the usual cause: compute all the errors at once "
             "with tensor arithmetic (w * x - y) and average them with .mean()")


def _loss(student, w, x, y, *, strict: bool = False) -> float:
    return as_float(student.mse_loss(w, x, y), f"mse_loss(w={w}, ...)", strict=strict)


@points("mse_loss", 1)
def test_matches_reference_on_several_data_sets(student, reference):
    for n, seed, w in CASES:
        x, y = data(n, seed)
        got = _loss(student, w, x, y)
        assert_float(got, reference.mse_loss(w, x, y), what=f"mse_loss(w={w})",
                     setting=f"N={n} samples",
                     diagnose=lambda: LOSS.diagnose(got, LOSS.messages, w=w, x=x, y=y))


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
    x, y = data(10, 6)
    _loss(student, 1.5, x, y, strict=True)


@points("mse_loss", 0.5)
def test_inputs_unchanged(student):
    x, y = data(12, 7)
    expect_unchanged(student, "mse_loss", (1.5, x, y), ("w", "x", "y"))


@points("mse_loss", 0.5)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        x, y = data(30_000, 700 + r)
        return (0.5 + r, x, y)
    assert_not_much_slower(student, reference_process, "mse_loss", make_args,
                           workload="N=30,000 samples", hint=LOOP_HINT)
