"""The lesson's model, w * x + b on one feature: its data, its exact loss, and its known mistakes.

The checks judge a student's grid and path against the truths computed here in float64
(the loss point by point, the least-squares solution), and name a wrong result by
reproducing it: `GRID` and `PATH` simulate loss_grid and gd_path with one mistake
switched on (`looplab.checks.Mistakes`).
"""

from __future__ import annotations

import torch
from torch import Tensor

from looplab.checks import Mistakes, gen, roughly_equal

START = (-0.5, 2.5)  # (w0, b0) up the side of the valley, so paths have somewhere to go


def make_data(n: int, seed: int, noise: float = 0.3) -> tuple[Tensor, Tensor]:
    """x (n,) float32 around 1 (so w and b are coupled), y (n,) = w* x + b* + noise."""
    g = gen(seed)
    x = 1.0 + 0.8 * torch.randn(n, generator=g)
    w_true = 2.0 + torch.rand(1, generator=g).item()
    b_true = -1.0 - torch.rand(1, generator=g).item()
    y = w_true * x + b_true + noise * torch.randn(n, generator=g)
    return x, y


def least_squares(x: Tensor, y: Tensor) -> tuple[float, float]:
    """The (w, b) with the smallest mean squared error, in closed form (float64)."""
    A = torch.stack([x.double(), torch.ones(len(x), dtype=torch.float64)], dim=1)  # (N, 2)
    w, b = torch.linalg.lstsq(A, y.double()[:, None]).solution.flatten().tolist()
    return w, b


def mse_at(x: Tensor, y: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """The loss at each of the points (w[k], b[k]), in float64; w and b have shape (K,)."""
    return ((w.double()[:, None] * x.double() + b.double()[:, None] - y.double()) ** 2).mean(dim=1)


def pointwise_grid(x: Tensor, y: Tensor, ws: Tensor, bs: Tensor) -> Tensor:
    """grid[i, j] = L(ws[i], bs[j]), one point at a time (float64): the check's own truth."""
    x64, y64 = x.double(), y.double()
    out = torch.empty(len(ws), len(bs), dtype=torch.float64)
    for i, w in enumerate(ws.double().tolist()):
        for j, b in enumerate(bs.double().tolist()):
            out[i, j] = ((w * x64 + b - y64) ** 2).mean()
    return out


def axes_around(w: float, b: float, p: int, q: int, half_w: float = 3.0,
                half_b: float = 4.0) -> tuple[Tensor, Tensor]:
    """ws (p,) and bs (q,) spanning the point (w, b), off-centre so no grid node sits on it."""
    ws = torch.linspace(w - half_w * 0.9, w + half_w * 1.1, p)
    bs = torch.linspace(b - half_b * 1.1, b + half_b * 0.9, q)
    return ws, bs


def same(got: Tensor, want: Tensor) -> bool:
    """A student's float32 result agrees with a float64 simulation (finite simulations only)."""
    return bool(torch.isfinite(want).all()) and roughly_equal(got, want, rtol=1e-3)


# --- loss_grid with a mistake ------------------------------------------------------------

def simulate_grid(x: Tensor, y: Tensor, ws: Tensor, bs: Tensor, mistake: str) -> Tensor:
    truth = pointwise_grid(x, y, ws, bs)
    if mistake == "roles":
        return ((bs.double()[None, :, None] * x.double() + ws.double()[:, None, None]
                 - y.double()) ** 2).mean(-1)
    return {"transposed": truth.T, "sum": truth * len(x), "half": truth / 2,
            "rmse": truth.sqrt()}[mistake]


GRID = Mistakes({
    "transposed": "the grid's axes are swapped: row i must follow ws[i] and column j bs[j], "
                  "shape (len(ws), len(bs))",
    "roles": "w and b are exchanged inside the model: grid[i, j] must be the loss of ws[i] * x + bs[j]",
    "sum": "the squared errors are summed over the samples instead of averaged",
    "half": "the loss is halved; the lesson's loss is the plain mean of the squared errors",
    "rmse": "this is the root of the mean squared error; return the mean squared error itself",
}, simulate_grid)


# --- gd_path with a mistake ----------------------------------------------------------------

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
        return path[1:]
    if mistake == "no_last":
        return path[:-1]
    return path.flip(1) if mistake == "swapped" else path


PATH = Mistakes({
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
}, simulate_path)
