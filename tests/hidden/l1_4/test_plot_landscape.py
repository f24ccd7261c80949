"""Hidden checks for `plot_landscape` (contours of the loss with the descent path on top).

The figure arrives as plain data (see figure.py); nothing here looks at pixels.
"""

import torch

from looplab.checks import expect, fail, likely, points

from .figure import NOT_TRANSPOSED, SPREAD, axes_of, contour_lines, draw, find_line, worst_spread
from .model import START, axes_around, least_squares, make_data, mse_at


def setting(seed: int, p: int, q: int, lr: float, steps: int, reference):
    x, y = make_data(100, seed)
    ws, bs = axes_around(*least_squares(x, y), p, q)
    return x, y, ws, bs, reference.gd_path(x, y, *START, lr, steps)


def loss_range(x, y, ws, bs) -> float:
    W, B = torch.meshgrid(ws, bs, indexing="ij")
    loss = mse_at(x, y, W.flatten(), B.flatten())
    return float(loss.max() - loss.min())


@points("plot_landscape", 2)
def test_draws_contour_lines_of_the_loss(student, reference):
    x, y, ws, bs, path = setting(21, 40, 40, 0.1, 20, reference)  # square, so a missing .T shows
    found = contour_lines(axes_of(draw(student, x, y, ws, bs, path)))
    allowed = SPREAD * loss_range(x, y, ws, bs)
    same = lambda u, v: (u, v)  # noqa: E731 - horizontal is w, vertical is b
    for _, cs in found:
        spread, drawn = worst_spread(cs, x, y, same)
        if drawn >= 3 and spread <= allowed:
            break
    else:
        _, cs = max(found, key=lambda pair: sum(len(level) for level in pair[1]["vertices"]))
        spread, drawn = worst_spread(cs, x, y, same)
        if drawn < 3:
            fail(f"the contour set draws {drawn} level(s) inside the grid; draw several, e.g. "
                 f"ax.contour(..., levels=15), so the shape of the valley shows")
        fail(f"the contour lines do not follow the loss: along one level the loss of this data "
             f"varies by {spread:.3g}, more than {SPREAD:.0%} of its range over the grid"
             + _why(cs, x, y, ws, bs, allowed))
    (w_lo, w_hi), (b_lo, b_hi) = (ws[0].item(), ws[-1].item()), (bs[0].item(), bs[-1].item())
    boxed = all(w_lo - 1e-3 <= u <= w_hi + 1e-3 and b_lo - 1e-3 <= v <= b_hi + 1e-3
                for level in cs["vertices"] for u, v in level)
    expect(boxed, f"some contour lines run outside w in [{w_lo:.3g}, {w_hi:.3g}], b in "
                  f"[{b_lo:.3g}, {b_hi:.3g}]: draw the loss on the grid given by ws and bs")


def _why(cs, x, y, ws, bs, allowed: float) -> str:
    """Name the likely mistake: axes swapped, or the grid passed without .T."""
    if worst_spread(cs, x, y, lambda u, v: (v, u))[0] <= allowed:
        return likely("w and b are swapped; w goes on the horizontal axis: ax.contour(ws, bs, grid.T)")
    step_w, step_b = (ws[1] - ws[0]).item(), (bs[1] - bs[0]).item()

    def untransposed(u, v):  # the value drawn at (ws[j], bs[i]) was grid[j, i] = L(ws[i], bs[j])
        return ws[0] + (v - bs[0]) / step_b * step_w, bs[0] + (u - ws[0]) / step_w * step_b
    if worst_spread(cs, x, y, untransposed)[0] <= allowed:
        return likely(NOT_TRANSPOSED)
    return ""


@points("plot_landscape", 1.5)
def test_draws_the_path_over_the_contours(student, reference):
    x, y, ws, bs, path = setting(22, 41, 33, 0.3, 15, reference)
    axes = axes_of(draw(student, x, y, ws, bs, path))
    ax = find_line(axes, path)
    if ax is None:
        k = len(path)
        if find_line(axes, path.flip(1)) is not None:
            fail("the path is drawn with w and b swapped: w goes on the horizontal axis, "
                 "ax.plot(path[:, 0], path[:, 1])")
        scattered = any(len(c["offsets"]) == k and torch.allclose(
            torch.tensor(c["offsets"], dtype=torch.float64), path.double(), atol=1e-5)
            for a in axes for c in a["collections"])
        lengths = sorted({line["n"] for a in axes for line in a["lines"]})
        fail(f"no line in the figure goes through the path's {k} points in order"
             + (" (they are drawn with scatter, which does not join them)" if scattered else
                f" (lines found with {lengths} points)" if lengths else " (the figure has no lines)")
             + ": draw it with ax.plot(path[:, 0], path[:, 1], ...)")
    expect(bool(ax["contours"]), "the path is drawn on axes without the contours; draw both on the "
                                 "same axes, the path on top")


@points("plot_landscape", 0.5)
def test_axes_are_labelled_w_and_b(student, reference):
    x, y, ws, bs, path = setting(23, 30, 25, 0.1, 10, reference)
    for ax, _ in contour_lines(axes_of(draw(student, x, y, ws, bs, path))):
        expect("w" in ax["xlabel"].lower() and "b" in ax["ylabel"].lower(),
               f"the axes are labelled {ax['xlabel']!r} (horizontal) and {ax['ylabel']!r} (vertical); "
               f"label them with the parameters: ax.set_xlabel('w'), ax.set_ylabel('b')")


@points("plot_landscape", 1)
def test_returns_the_figure_and_leaves_inputs_unchanged(student, reference):
    x, y, ws, bs, path = setting(24, 20, 16, 0.1, 5, reference)
    axes_of(draw(student, x, y, ws, bs, path, unchanged=True))
