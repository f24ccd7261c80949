"""Reading the description of a figure that the student process sends back, in the checks.

Only plain data arrives: per axes its labels, lines and contour sets. A contour
set is judged by where its lines run: along one contour line the loss is
constant, so the true loss at the vertices of each level must hardly vary.
That holds for contours of any increasing function of the loss (the mean or the
sum of squares, its logarithm), and fails for contours drawn with w and b swapped.
"""

from __future__ import annotations

import torch
from torch import Tensor

from looplab.checks import StudentError, expect_unchanged, fail, likely

from .model import mse_at

SPREAD = 0.02  # the loss may vary by this fraction of the grid's loss range along one level
NOT_TRANSPOSED = ("matplotlib's contour(X, Y, Z) wants Z with one row per Y value and one column "
                  "per X value: with w on the horizontal axis, pass grid.T (grid[i, j] is the loss "
                  "of ws[i], bs[j])")


def draw(student, x, y, ws, bs, path, *, unchanged: bool = False) -> object:
    """Call plot_landscape and return what it returned; with `unchanged`, fail if it changed
    an input. A grid passed to contour without .T raises a TypeError when len(ws) != len(bs)."""
    args = (x, y, ws, bs, path)
    try:
        if unchanged:
            return expect_unchanged(student, "plot_landscape", args, ["x", "y", "ws", "bs", "path"])["result"]
        return student.plot_landscape(*args)
    except StudentError as err:
        if err.type == "TypeError" and "must match number of" in err.message:
            fail(f"plot_landscape raised {err.message} (len(ws)={len(ws)}, len(bs)={len(bs)})"
                 + likely(NOT_TRANSPOSED))
        raise


def axes_of(result: object) -> list[dict]:
    """The described axes of a returned Figure, Axes or (fig, ax); fail on anything else."""
    items = list(result) if isinstance(result, (tuple, list)) else [result]
    found = [item for item in items if isinstance(item, dict) and isinstance(item.get("axes"), list)]
    if not found:
        kind = "None" if result is None else type(result).__name__
        fail(f"plot_landscape returned {kind}; the contract asks for the matplotlib Figure "
             f"(or the tuple (fig, ax)): end with `return fig`")
    axes = [ax for item in found for ax in item["axes"]]
    if not axes:
        fail("plot_landscape returned a Figure without any axes; draw on `fig, ax = plt.subplots()`")
    return axes


def contour_lines(axes: list[dict]) -> list[tuple[dict, dict]]:
    """(axes, contour set) for every contour set drawn as lines; fail if there is none."""
    found = [(ax, cs) for ax in axes for cs in ax["contours"] if not cs["filled"]]
    if found:
        return found
    if any(cs["filled"] for ax in axes for cs in ax["contours"]):
        fail("the figure has only filled contours (contourf); draw the contour lines with "
             "ax.contour(...) as the contract asks (a filled layer underneath is fine)")
    drawn = sorted({c["type"] for ax in axes for c in ax["collections"]}
                   | {im["type"] for ax in axes for im in ax["images"]})
    fail("the figure has no contour lines" + (f" (it holds {', '.join(drawn)})" if drawn else "")
         + ": draw the loss grid with ax.contour(ws, bs, grid.T, ...)")
    raise AssertionError("unreachable")


def worst_spread(cs: dict, x: Tensor, y: Tensor, place) -> tuple[float, int]:
    """The largest loss range along one level (true loss at `place(u, v)`), and the levels drawn."""
    worst, drawn = 0.0, 0
    for level in cs["vertices"]:
        if len(level) < 2:
            continue
        uv = torch.tensor(level, dtype=torch.float64)  # (n, 2) horizontal, vertical
        w, b = place(uv[:, 0], uv[:, 1])
        loss = mse_at(x, y, w, b)
        worst, drawn = max(worst, float(loss.max() - loss.min())), drawn + 1
    return worst, drawn


def find_line(axes: list[dict], points: Tensor) -> dict | None:
    """The axes holding a line whose points equal `points` ((K, 2) as horizontal, vertical)."""
    for ax in axes:
        for line in ax["lines"]:
            if line["n"] != len(points):
                continue
            xy = torch.tensor([line["xdata"], line["ydata"]], dtype=torch.float64).T
            if torch.allclose(xy, points.double(), rtol=1e-5, atol=1e-5):
                return ax
    return None
