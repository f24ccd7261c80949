"""Hidden checks for `loss_grid` (the loss on a grid of (w, b), by broadcasting)."""

import torch

from looplab.checks import (as_tensor, assert_not_much_slower, expect, expect_unchanged,
                            fail, likely, points)

from .model import GRID, axes_around, least_squares, make_data, pointwise_grid, same

LOOP_HINT = ("a Python loop over the grid points is the usual cause: build the (P, Q, N) "
             "predictions at once by broadcasting, ws[:, None, None] * x + bs[None, :, None]")


def read_grid(got, ws, bs) -> torch.Tensor:
    """The returned grid as float64, after its type, shape (P, Q) and dtype are checked."""
    P, Q = len(ws), len(bs)
    what = f"loss_grid with len(ws)={P}, len(bs)={Q}"
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (Q, P) != (P, Q):
        fail(f"{what} returned a tensor of shape {(Q, P)}; expected {(P, Q)}" + likely(GRID["transposed"]))
    return as_tensor(got, what, shape=(P, Q), floating=True).detach().double()


@points("loss_grid", 2)
def test_matches_the_loss_computed_point_by_point(student):
    for n, seed, p, q in [(40, 1, 7, 5), (200, 2, 12, 9)]:
        x, y = make_data(n, seed)
        ws, bs = torch.linspace(-1.0, 5.0, p), torch.linspace(-4.0, 2.0, q)
        got, want = read_grid(student.loss_grid(x, y, ws, bs), ws, bs), pointwise_grid(x, y, ws, bs)
        bad = ~torch.isclose(got, want, rtol=1e-4, atol=1e-5 * float(want.abs().max()))
        if bad.any():
            i, j = bad.nonzero()[0].tolist()
            fail(f"loss_grid: entry [{i}, {j}] (w={ws[i].item():.4g}, b={bs[j].item():.4g}) is "
                 f"{got[i, j].item():.6g}, but the mean squared error of w * x + b there is "
                 f"{want[i, j].item():.6g} (N={n}, len(ws)={p}, len(bs)={q})"
                 + likely(GRID.diagnose(got, GRID.messages, same=same, x=x, y=y, ws=ws, bs=bs)))


@points("loss_grid", 1)
def test_lowest_grid_point_is_next_to_the_least_squares_solution(student):
    x, y = make_data(150, 3)
    w_star, b_star = least_squares(x, y)
    ws, bs = axes_around(w_star, b_star, 41, 33)
    grid = read_grid(student.loss_grid(x, y, ws, bs), ws, bs)
    i, j = divmod(int(grid.argmin()), len(bs))
    step_w, step_b = (ws[1] - ws[0]).item(), (bs[1] - bs[0]).item()
    expect(abs(ws[i].item() - w_star) <= step_w * 1.01 and abs(bs[j].item() - b_star) <= step_b * 1.01,
           f"loss_grid's lowest entry is at [{i}, {j}], (w, b) = ({ws[i].item():.4g}, {bs[j].item():.4g}); "
           f"the least-squares solution (torch.linalg.lstsq) is ({w_star:.4g}, {b_star:.4g}), which should "
           f"be within one grid step ({step_w:.3g} in w, {step_b:.3g} in b): the bottom of the bowl "
           f"is the closed-form solution")


@points("loss_grid", 0.5)
def test_inputs_unchanged(student):
    x, y = make_data(30, 4)
    ws, bs = torch.linspace(0.0, 4.0, 6), torch.linspace(-3.0, 1.0, 4)
    reply = expect_unchanged(student, "loss_grid", (x, y, ws, bs), ["x", "y", "ws", "bs"])
    read_grid(reply["result"], ws, bs)


@points("loss_grid", 1.5)
def test_not_much_slower_than_reference(student, reference_process):
    def make_args(r):
        x, y = make_data(24, 600 + r)
        return (x, y, torch.linspace(-1.0, 5.0, 200), torch.linspace(-5.0, 3.0, 160))
    assert_not_much_slower(student, reference_process, "loss_grid", make_args,
                           workload="a 200 x 160 grid, N=24", hint=LOOP_HINT)
