"""Known mistakes for lesson 1.4, recognised from what a function returned.

`diagnose_grid` compares a wrong loss grid with the grids some mistakes would
give; `simulate_path` runs gradient descent in float64 with one mistake
switched on, and `diagnose_path` names the first mistake whose path the
student's matches. Both return a description, or None.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .data import pointwise_grid

GRID_MISTAKES = {
    "transposed": "the grid's axes are swapped: row i must follow ws[i] and column j bs[j], "
                  "shape (len(ws), len(bs))",
    "roles": "w and b are exchanged inside the model: grid[i, j] must be the loss of ws[i] * x + bs[j]",
    "sum": "the squared errors are summed over the samples instead of averaged",
    "half": "the loss is halved; the lesson's loss is the plain mean of the squared errors",
    "rmse": "this is the root of the mean squared error; return the mean squared error itself",
}

PATH_MISTAKES = {
    "after_only": "only the points after each update are recorded, so the starting point "
                  "(w0, b0) is missing: put it in the path first",
    "no_last": "each point is recorded before its update, so the point after the last update is "
               "missing: record (w0, b0), then the point after every update",
    "one_ahead": "the path starts one update past (w0, b0): row 0 must be the initial point itself",
    "ascent": "the update adds the gradient instead of subtracting it",
    "sum": "the gradient sums over the samples instead of averaging, so every step is N times too large",
    "no_two": "the factor 2 from differentiating the square is missing, so every step is half as long",
    "swapped": "the columns are swapped: each row must be (w, b), in that order",
    "no_bias": "the bias b is never updated",
    "sequential": "b's gradient is computed after w has already moved: compute both gradients at "
                  "the same point, then update both",
}


def _close(a: Tensor, b: Tensor, rtol: float = 1e-3, atol: float = 1e-4) -> bool:
    if a.shape != b.shape or not torch.isfinite(b).all():
        return False
    scale = max(1.0, float(b.abs().max()) if b.numel() else 0.0)
    return torch.allclose(a.double(), b.double(), rtol=rtol, atol=atol * scale)


def diagnose_grid(got: Tensor, x: Tensor, y: Tensor, ws: Tensor, bs: Tensor) -> str | None:
    truth = pointwise_grid(x, y, ws, bs)
    candidates = {
        "transposed": truth.T,
        "roles": ((bs.double()[None, :, None] * x.double() + ws.double()[:, None, None]
                   - y.double()) ** 2).mean(-1),
        "sum": truth * len(x),
        "half": truth / 2,
        "rmse": truth.sqrt(),
    }
    for name, want in candidates.items():
        if _close(got, want):
            return GRID_MISTAKES[name]
    return None


def simulate_path(x: Tensor, y: Tensor, w0: float, b0: float, lr: float, steps: int,
                  mistake: str | None = None) -> Tensor:
    """Gradient descent's (w, b) path in float64; shape (steps + 1, 2) unless the mistake changes it."""
    x, y = x.double(), y.double()
    w, b = float(w0), float(b0)
    scale = {"sum": 2.0 * len(x), "no_two": 1.0}.get(mistake, 2.0) / len(x)
    sign = 1.0 if mistake == "ascent" else -1.0
    rows = [(w, b)]
    for _ in range(steps + (mistake == "one_ahead")):
        r = w * x + b - y  # (N,) residuals
        gw = scale * float((r * x).sum())
        w_new = w + sign * lr * gw
        if mistake == "sequential":
            r = w_new * x + b - y
        gb = scale * float(r.sum())
        w, b = w_new, (b if mistake == "no_bias" else b + sign * lr * gb)
        rows.append((w, b))
    path = torch.tensor(rows, dtype=torch.float64)
    if mistake in ("after_only", "one_ahead"):
        path = path[1:]
    elif mistake == "no_last":
        path = path[:-1]
    elif mistake == "swapped":
        path = path.flip(1)
    return path


def diagnose_path(got: Tensor, x: Tensor, y: Tensor, w0: float, b0: float, lr: float,
                  steps: int) -> str | None:
    for name in PATH_MISTAKES:
        with torch.no_grad():
            want = simulate_path(x, y, w0, b0, lr, steps, name)
        if _close(got, want):
            return PATH_MISTAKES[name]
    return None
