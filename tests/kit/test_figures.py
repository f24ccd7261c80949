"""Figures cross the process boundary as plain data (looplab.sandbox.figures)."""

from __future__ import annotations

import json

import pytest
from matplotlib.figure import Figure

from looplab.sandbox import protocol
from looplab.sandbox.figures import MAX_VERTICES, describe_figure

WS = [-1.0 + 0.25 * i for i in range(25)]  # 25 values of w, across
BS = [-2.0 + 0.25 * j for j in range(17)]  # 17 values of b, up
BOWL = [[(w - 1.0) ** 2 + 2 * (b + 0.5) ** 2 for w in WS] for b in BS]  # one row per b value


def landscape() -> tuple[Figure, object]:
    fig = Figure()
    ax = fig.add_subplot()
    ax.contour(WS, BS, BOWL, levels=[0.5, 1.0, 2.0, 4.0])
    ax.plot([3.0, 2.0, 1.5], [1.0, 0.0, -0.25], "o-", label="path")
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.set_title("bowl")
    return fig, ax


def roundtrip(value):
    """What the checker gets when a student function returns `value`."""
    return protocol.decode(json.loads(json.dumps(protocol.encode(value), allow_nan=True)))


def test_figure_description_holds_labels_lines_and_contour_levels():
    fig, _ = landscape()
    (ax,) = describe_figure(fig)["axes"]
    assert (ax["title"], ax["xlabel"], ax["ylabel"]) == ("bowl", "w", "b")
    (line,) = ax["lines"]
    assert line["label"] == "path" and line["n"] == 3
    assert line["xdata"] == [3.0, 2.0, 1.5] and line["ydata"] == [1.0, 0.0, -0.25]
    (cs,) = ax["contours"]
    assert not cs["filled"] and cs["levels"] == [0.5, 1.0, 2.0, 4.0]
    assert len(cs["vertices"]) == 4  # one vertex list per level
    for level, vertices in zip(cs["levels"], cs["vertices"]):
        assert vertices, f"level {level} has no vertices"
        for w, b in vertices:  # every vertex lies on its level (linear interpolation on a fine grid)
            assert abs((w - 1.0) ** 2 + 2 * (b + 0.5) ** 2 - level) < 0.05 * level + 0.02
    assert ax["collections"] == []  # the contour set is listed under "contours" only


def test_filled_contours_images_and_scatter_are_described():
    fig = Figure()
    ax = fig.add_subplot()
    ax.contourf(WS, BS, BOWL, levels=[0.0, 1.0, 3.0])
    ax.imshow(BOWL)
    ax.scatter([0.0, 1.0], [2.0, 3.0])
    (desc,) = describe_figure(fig)["axes"]
    (cs,) = desc["contours"]
    assert cs["filled"] and len(cs["vertices"]) == 2  # one band between consecutive levels
    assert desc["images"] == [{"type": "AxesImage", "shape": [17, 25]}]
    assert desc["collections"] == [{"type": "PathCollection", "offsets": [[0.0, 2.0], [1.0, 3.0]]}]


def test_long_contour_levels_are_subsampled():
    fine_w = [i / 200 for i in range(-400, 401)]
    fine_b = [j / 200 for j in range(-400, 401)]
    fig = Figure()
    fig.add_subplot().contour(fine_w, fine_b, [[w * w + b * b for w in fine_w] for b in fine_b], levels=[1.0])
    (cs,) = describe_figure(fig)["axes"][0]["contours"]
    assert 50 < len(cs["vertices"][0]) <= MAX_VERTICES


def test_figure_axes_and_tuple_cross_the_wire_as_plain_data():
    fig, ax = landscape()
    from_figure, from_axes = roundtrip(fig), roundtrip(ax)
    assert from_figure == json.loads(json.dumps(describe_figure(fig)))
    assert from_figure["kind"] == "Figure" and from_axes["kind"] == "Axes"
    assert from_axes["axes"] == from_figure["axes"]
    pair = roundtrip((fig, ax))
    assert isinstance(pair, tuple) and [p["kind"] for p in pair] == ["Figure", "Axes"]


def test_other_matplotlib_objects_are_refused_with_a_hint():
    _, ax = landscape()
    with pytest.raises(TypeError, match="return the matplotlib Figure"):
        protocol.encode(ax.lines[0])


def test_decoded_figures_stay_data_and_malformed_ones_are_refused():
    looks_like_a_tensor = {"__tensor__": {"dtype": "float32", "shape": [1], "data": "AACAPw=="}}
    body = {"kind": "Figure", "axes": [looks_like_a_tensor, None, True, 1, 2.5, "text"]}
    assert protocol.decode({"__figure__": body}) == body  # nothing inside is turned into objects
    for bad in ({1: "key"}, {"axes": [object()]}, {"axes": {(1, 2)}}, ["not", "a", "dict"]):
        with pytest.raises(protocol.ProtocolError):
            protocol.decode({"__figure__": bad})
