"""Matplotlib figures as plain data, so that they can cross the process boundary.

A student function may return a Figure, an Axes or a tuple (fig, ax). The wire
format is JSON, so the student process describes the figure here and only the
description travels: per axes its texts, limits, lines, contour sets, other
collections and images, as lists of floats and strings. Checks judge that data
(which lines hold which points, which contour levels pass where), never pixels.

`describe_figure` runs in the student process, next to untrusted code; the
checker validates what arrives and builds no objects from it (see protocol.py).
"""

from __future__ import annotations

from typing import Any

MAX_VERTICES = 200  # per contour level: an even subsample is enough to judge where it runs
MAX_POINTS = 10_000  # per line or scatter; longer ones are cut (the length is still reported)


def describe_figure(obj: Any) -> dict:
    """Describe a Figure, an Axes, or a tuple/list of them, as plain JSON data.

    Returns {"kind": "Figure" | "Axes" | "tuple", "suptitle": str, "axes": [axes, ...]}
    where each axes is {"title", "xlabel", "ylabel", "xlim", "ylim", "lines",
    "contours", "collections", "images"} (see `_axes`). Axes appear once each, in
    the order found. Raises TypeError for anything else.
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    items = list(obj) if isinstance(obj, (tuple, list)) else [obj]
    axes: list = []
    suptitle = ""
    for item in items:
        if isinstance(item, (Figure, SubFigure)):
            found = list(item.axes)
            suptitle = suptitle or item.get_suptitle()
        elif isinstance(item, Axes):
            found = [item]
        else:
            raise TypeError(f"cannot describe a {type(item).__module__}.{type(item).__qualname__}; "
                            f"return the matplotlib Figure (or the tuple (fig, ax))")
        axes += [ax for ax in found if all(ax is not seen for seen in axes)]
    kind = "tuple" if isinstance(obj, (tuple, list)) else type(obj).__name__
    return {"kind": kind, "suptitle": suptitle, "axes": [_axes(ax) for ax in axes]}


def _axes(ax: Any) -> dict:
    from matplotlib.contour import ContourSet
    from matplotlib.image import AxesImage

    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    return {
        "title": ax.get_title(),
        "xlabel": ax.get_xlabel(),
        "ylabel": ax.get_ylabel(),
        "xlim": _floats(ax.get_xlim()),
        "ylim": _floats(ax.get_ylim()),
        "lines": [_line(line) for line in ax.lines],
        "contours": [_contour(c) for c in contours],
        "collections": [_collection(c) for c in ax.collections if not isinstance(c, ContourSet)],
        "images": [{"type": type(im).__name__, "shape": list(im.get_array().shape)}
                   for im in ax.images if isinstance(im, AxesImage) and im.get_array() is not None],
    }


def _line(line: Any) -> dict:
    xy = line.get_xydata()  # (n, 2) in data coordinates; tensors and lists are converted
    return {"label": str(line.get_label()), "n": len(xy),
            "xdata": _floats(xy[:MAX_POINTS, 0]), "ydata": _floats(xy[:MAX_POINTS, 1]),
            "marker": str(line.get_marker()), "linestyle": str(line.get_linestyle())}


def _contour(cs: Any) -> dict:
    """Levels, filled or not, and per level an even subsample of its path's vertices.

    A line contour has one path per level; a filled one has one per band between
    consecutive levels. Closing vertices (CLOSEPOLY) carry no position and are dropped.
    """
    from matplotlib.path import Path

    vertices = []
    for path in cs.get_paths():
        points = path.vertices
        if path.codes is not None:
            points = points[path.codes != Path.CLOSEPOLY]
        stride = max(1, -(-len(points) // MAX_VERTICES))
        vertices.append([_floats(p) for p in points[::stride]])
    return {"type": type(cs).__name__, "filled": bool(cs.filled), "levels": _floats(cs.levels),
            "zmin": float(cs.zmin), "zmax": float(cs.zmax), "vertices": vertices}


def _collection(c: Any) -> dict:
    offsets = c.get_offsets()
    return {"type": type(c).__name__, "offsets": [_floats(p) for p in offsets[:MAX_POINTS]]}


def _floats(values: Any) -> list[float]:
    return [float(v) for v in values]
