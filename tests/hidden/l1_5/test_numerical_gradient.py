"""Hidden checks for `numerical_gradient` (central finite differences)."""

import torch

from looplab.checks import expect, fail, points
from looplab.sandbox.protocol import Function
from looplab.sandbox.runner import StudentError

from .common import (changed_entries_hint, describe, diagnose, expect_accurate, gradient_tensor,
                     rel)
from .functions import (BLACK_BOX, BUMPS, CUBIC_SINE, DETERMINANT, MARK, ROWS, SQUARES, TANH_COS,
                        WAVE, point)


@points("numerical_gradient", 1)
def test_matches_autograd_on_vectors_in_float64(student):
    # h = 1e-4: central differences are good to about 1e-9 here, forward ones only to 1e-5
    expect_accurate(student, CUBIC_SINE, point((5,), seed=1), 1e-4, 1e-6)
    expect_accurate(student, TANH_COS, point((8,), seed=2), 1e-4, 1e-6)
    expect_accurate(student, SQUARES, point((6,), seed=3), 1e-3, 1e-6)


@points("numerical_gradient", 1)
def test_matches_autograd_on_matrices_and_3d_tensors_in_float64(student):
    expect_accurate(student, ROWS, point((3, 4), seed=4), 1e-5, 1e-6)
    expect_accurate(student, DETERMINANT, point((3, 3), seed=5, scale=0.7), 1e-5, 1e-6)
    expect_accurate(student, BUMPS, point((2, 3, 2), seed=6), 1e-5, 1e-6)


@points("numerical_gradient", 1)
def test_keeps_shape_and_dtype_for_every_shape(student):
    cases = [(WAVE, (), torch.float64, 1e-5), (TANH_COS, (7,), torch.float32, 1e-2),
             (ROWS, (2, 5), torch.float32, 1e-2), (BUMPS, (2, 2, 3), torch.float64, 1e-5)]
    for k, (f, shape, dtype, h) in enumerate(cases):
        x = point(shape, seed=10 + k, dtype=dtype)
        got = gradient_tensor(student.numerical_gradient(f.remote(x), x, h), x,
                              "numerical_gradient", strict=True)
        limit = 1e-3 if dtype == torch.float32 else 1e-6
        err = rel(got, f.gradient(x))
        expect(err <= limit, f"numerical_gradient with {f.label}, {describe(x)}, h={h:g}: relative "
                             f"error {err:.2e} against the exact gradient, expected below {limit:.0e}"
                             + (diagnose(got, f, x, h) if dtype == torch.float64 else ""))


@points("numerical_gradient", 0.5)
def test_treats_f_as_a_black_box_that_may_return_a_float(student):
    x = point((3, 2), seed=20)
    try:
        result = student.numerical_gradient(BLACK_BOX.remote(x), x, 1e-5)
    except StudentError as err:
        if err.type == "NotImplementedError" or err.kind != "error":
            raise
        text = f"{err.message}\n{err.detail}"
        if "backward" in text or "does not require grad" in text or ".grad" in text:
            fail(f"numerical_gradient raised {err.message:.120} on an f computed with Python floats: "
                 f"finite differences only evaluate f; they never use autograd (.backward, .grad)")
        if "'float' object" in err.message:
            fail(f"numerical_gradient raised {err.message:.120}: f may return a Python float as "
                 f"well as a one-element tensor; read its value with float(f(x)), not f(x).item()")
        raise
    got = gradient_tensor(result, x, "numerical_gradient")
    err = rel(got, BLACK_BOX.gradient(x))
    expect(err <= 1e-6, f"numerical_gradient with {BLACK_BOX.label}, {describe(x)}, h=1e-05: "
                        f"relative error {err:.2e} against the exact gradient, expected below 1e-06")

    # an f that fails: its error must reach the caller unchanged
    failing = Function("def f(x):\n    raise ArithmeticError('looplab: f cannot be evaluated here')\n", "f")
    try:
        student.numerical_gradient(failing, point((4,), seed=21), 1e-5)
    except StudentError as err:
        expect(err.type == "ArithmeticError",
               f"when f raised ArithmeticError, numerical_gradient raised {err.message:.120}; let "
               f"f's exceptions propagate unchanged")
    else:
        fail("numerical_gradient returned a result although f raised ArithmeticError on every "
             "call; let f's exceptions propagate (do not catch them)")


@points("numerical_gradient", 1)
def test_leaves_x_exactly_as_it_was(student):
    for shape, dtype, h, seed in [((4, 3), torch.float64, 1e-3, 30), ((9,), torch.float32, 1e-2, 31)]:
        x = point(shape, seed=seed, dtype=dtype)
        reply = student.call("numerical_gradient", TANH_COS.remote(x), x, h, return_args=True)
        after = reply["args_after"][1]
        if not (isinstance(after, torch.Tensor) and after.shape == x.shape
                and after.dtype == x.dtype and torch.equal(after, x)):
            fail(f"numerical_gradient changed its input x ({describe(x)}, h={h:g})"
                 + (changed_entries_hint(x, after, h) if isinstance(after, torch.Tensor) else "")
                 + "; when it returns, every entry of x must hold exactly its original value")


@points("numerical_gradient", 0.5)
def test_evaluates_f_twice_per_entry(student):
    x = point((3, 4), seed=40)
    limit = 2 * x.numel()
    try:
        student.numerical_gradient(SQUARES.remote(x, max_calls=limit), x, 1e-4)
    except StudentError as err:
        if "evaluated more than" in err.message and MARK in err.message:
            fail(f"numerical_gradient evaluated f more than 2 * x.numel() = {limit} times for "
                 f"{describe(x)}: central differences need exactly two evaluations per entry, "
                 f"f(x + h e_i) and f(x - h e_i); f(x) itself is never needed")
        raise
