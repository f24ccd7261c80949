"""A catalogue of realistic student mistakes for lesson 1.4.

Each mistake is the reference solution with one thing done wrong. Grading it
must (a) cost points on the task the mistake is in, (b) leave the tasks it
cannot affect at full marks, and (c) say what went wrong: some failed check of
the task names the mistake.

plot_landscape calls the student's own loss_grid, so a loss_grid mistake that
changes where the contours run (or breaks the call) costs points there too;
a mere change of scale, such as a sum instead of a mean, does not. The plot
checks draw a path made by the reference, so gd_path mistakes stay in gd_path.
"""

from __future__ import annotations

import pytest
from conftest import ROOT, mutate
from catalogue import Mistake, assert_caught, others_of

from looplab import lessons

LESSON = lessons.get("1.4")
REFERENCE = LESSON.solution(ROOT).read_text()
TASKS = LESSON.tasks
others = others_of(TASKS)


# --- pieces of the reference that the mistakes change -------------------------

PREDICTIONS = "predictions = ws[:, None, None] * x + bs[None, :, None]"
MEAN = "return ((predictions - y) ** 2).mean(dim=-1)  # (P, Q)"
GRID_BODY = f"    {PREDICTIONS}  # (P, Q, N): every model, every sample\n    {MEAN}"
DOUBLE_LOOP = '''    grid = torch.empty(len(ws), len(bs))
    for i in range(len(ws)):
        for j in range(len(bs)):
            grid[i, j] = ((ws[i] * x + bs[j] - y) ** 2).mean()
    return grid'''
PATH_START = "    points = [theta]\n    for _ in range(steps):"
UPDATE = "theta = theta - lr * grad"
SEQUENTIAL = '''        w, b = theta
        r = w * x + b - y  # (N,) residuals at the current point
        w = w - lr * 2 * (r * x).mean()
        r = w * x + b - y  # recomputed with the new w
        b = b - lr * 2 * r.mean()
        theta = torch.stack([w, b])
        points.append(theta)'''
PATH_STEP = '''        w, b = theta
        r = w * x + b - y  # (N,) residuals at the current point
        grad = torch.stack([2 * (r * x).mean(), 2 * r.mean()])  # (2,): dL/dw, dL/db
        theta = theta - lr * grad
        points.append(theta)'''
CONTOUR = 'ax.contour(ws, bs, grid.T, levels=levels.tolist(), cmap="viridis")'
PATH_LINE = "ax.plot(path[:, 0], path[:, 1],"

LOSS_GRID = [
    Mistake("grid_axes_swapped", "loss_grid",
            mutate(REFERENCE, PREDICTIONS, "predictions = ws[None, :, None] * x + bs[:, None, None]"),
            "the grid's axes are swapped", others("loss_grid", "plot_landscape")),
    Mistake("sum_instead_of_mean", "loss_grid",
            mutate(REFERENCE, MEAN, "return ((predictions - y) ** 2).sum(dim=-1)"),
            "summed over the samples instead of averaged", others("loss_grid")),
    Mistake("w_and_b_exchanged_in_the_model", "loss_grid",
            mutate(REFERENCE, PREDICTIONS, "predictions = bs[None, :, None] * x + ws[:, None, None]"),
            "w and b are exchanged inside the model", others("loss_grid", "plot_landscape")),
    Mistake("python_double_loop", "loss_grid",
            mutate(REFERENCE, GRID_BODY, DOUBLE_LOOP),
            "a Python loop over the grid points", others("loss_grid")),
    Mistake("inputs_reshaped_in_place", "loss_grid",
            mutate(REFERENCE, PREDICTIONS,
                   "predictions = ws.unsqueeze_(-1).unsqueeze_(-1) * x + bs[None, :, None]"),
            "changed its input `ws` in place", others("loss_grid", "plot_landscape")),
]

GD_PATH = [
    Mistake("starting_point_missing", "gd_path",
            mutate(REFERENCE, PATH_START, "    points = []\n    for _ in range(steps):"),
            "the starting point (w0, b0) is missing", others("gd_path")),
    Mistake("last_point_missing", "gd_path",
            mutate(mutate(REFERENCE, PATH_START, "    points = []\n    for _ in range(steps):\n"
                          "        points.append(theta)"),
                   "        theta = theta - lr * grad\n        points.append(theta)",
                   "        theta = theta - lr * grad"),
            "the point after the last update is missing", others("gd_path")),
    Mistake("gradient_ascent", "gd_path",
            mutate(REFERENCE, UPDATE, "theta = theta + lr * grad"),
            "adds the gradient instead of subtracting it", others("gd_path")),
    Mistake("factor_two_forgotten", "gd_path",
            mutate(REFERENCE, "grad = torch.stack([2 * (r * x).mean(), 2 * r.mean()])",
                   "grad = torch.stack([(r * x).mean(), r.mean()])"),
            "the factor 2 from differentiating the square is missing", others("gd_path")),
    Mistake("b_updated_with_the_new_w", "gd_path",
            mutate(REFERENCE, PATH_STEP, SEQUENTIAL),
            "b's gradient is computed after w has already moved", others("gd_path")),
]

PLOT_LANDSCAPE = [
    Mistake("no_contour_only_an_image", "plot_landscape",
            mutate(REFERENCE, CONTOUR, 'ax.pcolormesh(ws, bs, grid.T, cmap="viridis")'),
            "the figure has no contour lines (it holds QuadMesh)", others("plot_landscape")),
    Mistake("filled_contours_only", "plot_landscape",
            mutate(REFERENCE, CONTOUR, 'ax.contourf(ws, bs, grid.T, levels=levels.tolist(), cmap="viridis")'),
            "only filled contours", others("plot_landscape")),
    Mistake("grid_not_transposed", "plot_landscape",
            mutate(REFERENCE, CONTOUR, 'ax.contour(ws, bs, grid, levels=levels.tolist(), cmap="viridis")'),
            "pass grid.T", others("plot_landscape")),
    Mistake("contour_axes_swapped", "plot_landscape",
            mutate(REFERENCE, CONTOUR, 'ax.contour(bs, ws, grid, levels=levels.tolist(), cmap="viridis")'),
            "w and b are swapped; w goes on the horizontal axis", others("plot_landscape")),
    Mistake("path_drawn_with_w_and_b_swapped", "plot_landscape",
            mutate(REFERENCE, PATH_LINE, "ax.plot(path[:, 1], path[:, 0],"),
            "the path is drawn with w and b swapped", others("plot_landscape")),
    Mistake("figure_not_returned", "plot_landscape",
            mutate(REFERENCE, "    return fig\n", "    plt.show()\n"),
            "plot_landscape returned None", others("plot_landscape")),
]

CATALOGUE = LOSS_GRID + GD_PATH + PLOT_LANDSCAPE


def test_catalogue_is_complete():
    assert len(CATALOGUE) >= 8
    assert {m.task for m in CATALOGUE} == set(TASKS)
    assert all(m.source != REFERENCE for m in CATALOGUE)
    assert len({m.id for m in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("mistake", CATALOGUE, ids=lambda m: f"{m.task}-{m.id}")
def test_mistake_loses_points_and_is_named(grade, mistake):
    assert_caught(grade(mistake.source, lesson="1.4"), mistake)
