"""Hidden checks for `gradient_step` (w - lr * grad)."""

from looplab.checks import as_float, assert_float, expect, points

from .model import STEP

CASES = [(1.0, 2.0, 0.1), (-0.5, -4.0, 0.25), (3.0, 0.5, 1.5), (0.0, 10.0, 0.01)]  # w, grad, lr


def _step(student, w, grad, lr, *, strict: bool = False) -> float:
    return as_float(student.gradient_step(w, grad, lr),
                    f"gradient_step(w={w}, grad={grad}, lr={lr})", strict=strict)


@points("gradient_step", 1)
def test_matches_the_update_rule(student, reference):
    for w, grad, lr in CASES:
        got = _step(student, w, grad, lr)
        assert_float(got, reference.gradient_step(w, grad, lr), rtol=1e-6, atol=1e-9,
                     what=f"gradient_step(w={w}, grad={grad}, lr={lr})", setting="w - lr * grad",
                     diagnose=lambda: STEP.diagnose(got, STEP.messages, w=w, grad=grad, lr=lr))


@points("gradient_step", 0.5)
def test_zero_learning_rate_or_zero_gradient_leaves_w_unchanged(student):
    for w, grad, lr in [(0.7, 3.0, 0.0), (-2.5, 0.0, 0.3)]:
        got = _step(student, w, grad, lr)
        expect(abs(got - w) <= 1e-7 * abs(w),
               f"gradient_step(w={w}, grad={grad}, lr={lr}) returned {got:.6g}; with "
               f"{'lr=0' if lr == 0 else 'a zero gradient'} the step is 0 and w must come back "
               f"unchanged")


@points("gradient_step", 0.5)
def test_returns_a_python_float(student):
    _step(student, 1.0, 2.0, 0.1, strict=True)
