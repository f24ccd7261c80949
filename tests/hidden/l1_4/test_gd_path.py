"""Hidden checks for `gd_path` (the (w, b) points gradient descent visits)."""

import torch

from looplab.checks import as_tensor, describe, expect, expect_unchanged, fail, likely, points

from .model import PATH, START, least_squares, make_data, same


def diagnose(got, x, y, w0, b0, lr, steps) -> str | None:
    return PATH.diagnose(got, PATH.messages, same=same, x=x, y=y, w0=w0, b0=b0, lr=lr, steps=steps)


def path_of(student, x, y, w0, b0, lr, steps) -> torch.Tensor:
    """The returned path as float64, after its type, shape (steps + 1, 2) and dtype are checked."""
    got = student.gd_path(x, y, w0, b0, lr, steps)
    what = f"gd_path with steps={steps}"
    shape = tuple(got.shape) if isinstance(got, torch.Tensor) else None
    if shape == (steps, 2):
        fail(f"{what} returned a tensor of shape {shape}; expected {(steps + 1, 2)}"
             + (likely(diagnose(got.detach().double(), x, y, w0, b0, lr, steps))
                or ": one row per visited point, the start, then one after each of the `steps` updates"))
    if shape == (2, steps + 1) != (steps + 1, 2):
        fail(f"{what} returned a tensor of shape {shape}; expected {(steps + 1, 2)}"
             + likely("the path is transposed; stack the points as rows (w, b)"))
    return as_tensor(got, what, shape=(steps + 1, 2), floating=True).detach().double()


@points("gd_path", 1)
def test_starts_at_the_initial_point_with_one_row_per_step(student):
    x, y = make_data(50, 11)
    w0, b0 = START
    for steps in (0, 1, 7):
        got = path_of(student, x, y, w0, b0, 0.1, steps)
        if not torch.allclose(got[0], torch.tensor([w0, b0], dtype=torch.float64), atol=1e-6):
            fail(f"gd_path(w0={w0}, b0={b0}, steps={steps}) starts at ({got[0, 0].item():.5g}, "
                 f"{got[0, 1].item():.5g}); row 0 must be the initial point (w0, b0) itself"
                 + likely(diagnose(got, x, y, w0, b0, 0.1, steps)))


def expect_reference(student, reference, *, n: int, seed: int, lr: float, steps: int) -> None:
    x, y = make_data(n, seed)
    w0, b0 = START
    got = path_of(student, x, y, w0, b0, lr, steps)
    want = reference.gd_path(x, y, w0, b0, lr, steps).double()
    bad = ~torch.isclose(got, want, rtol=1e-4, atol=1e-4)
    if bad.any():
        k = int(bad.nonzero()[0, 0])
        fail(f"gd_path: point {k} is ({got[k, 0].item():.6g}, {got[k, 1].item():.6g}), the reference "
             f"is at ({want[k, 0].item():.6g}, {want[k, 1].item():.6g}) "
             f"({describe(N=n, w0=w0, b0=b0, lr=lr, steps=steps)})"
             + likely(diagnose(got, x, y, w0, b0, lr, steps)))


@points("gd_path", 1)
def test_matches_reference_with_a_small_learning_rate(student, reference):
    expect_reference(student, reference, n=40, seed=12, lr=0.05, steps=30)


@points("gd_path", 1)
def test_matches_reference_where_the_path_zigzags(student, reference):
    expect_reference(student, reference, n=120, seed=13, lr=0.3, steps=25)


@points("gd_path", 1)
def test_ends_at_the_least_squares_solution(student):
    x, y = make_data(200, 14)
    w_star, b_star = least_squares(x, y)
    got = path_of(student, x, y, *START, 0.2, 400)
    end = got[-1]
    if not (abs(end[0].item() - w_star) < 1e-3 and abs(end[1].item() - b_star) < 1e-3):
        fail(f"after 400 steps with lr=0.2, gd_path ends at ({end[0].item():.5g}, {end[1].item():.5g}); "
             f"gradient descent should have reached the least-squares solution "
             f"({w_star:.5g}, {b_star:.5g}) (torch.linalg.lstsq)"
             + likely(diagnose(got, x, y, *START, 0.2, 400)))


@points("gd_path", 1)
def test_zero_learning_rate_stays_put_and_inputs_unchanged(student):
    x, y = make_data(30, 15)
    reply = expect_unchanged(student, "gd_path", (x, y, *START, 0.0, 4), ["x", "y"])
    got = as_tensor(reply["result"], "gd_path with steps=4", shape=(5, 2), floating=True).double()
    expect(torch.allclose(got, torch.tensor([START] * 5, dtype=torch.float64), atol=1e-6),
           f"gd_path with lr=0 moved: rows {got.tolist()}; with a zero learning rate every row "
           f"must stay at (w0, b0) = {START}")
