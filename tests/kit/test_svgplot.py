"""The feedback pages' loss plots (`looplab.svgplot`): the picture's content, from its SVG."""

from __future__ import annotations

import math
from xml.etree import ElementTree

from looplab.svgplot import HEIGHT, WIDTH, _integer_ticks, _nice_ticks, line_plot

SVG = "{http://www.w3.org/2000/svg}"


def parse(series, **labels):
    return ElementTree.fromstring(line_plot(series, xlabel=labels.get("x", "epoch"), ylabel=labels.get("y", "loss")))


def texts(svg) -> list[str]:
    return ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]


def test_two_series_draw_two_lines_a_legend_and_labelled_axes():
    svg = parse([("your code", [2.0, 1.0, 0.5], "dots"), ("reference", [2.0, 0.9, 0.4], "dashed")])
    assert (svg.get("width"), svg.get("height")) == (str(WIDTH), str(HEIGHT))
    lines = svg.findall(f"{SVG}polyline")
    assert len(lines) == 2 and lines[1].get("stroke-dasharray") and not lines[0].get("stroke-dasharray")
    assert len(lines[0].get("points").split()) == 3
    assert {"your code", "reference", "epoch", "loss", "0", "1", "2"} <= set(texts(svg))


def test_points_sit_where_their_values_are():
    svg = parse([("a", [0.0, 1.0], "dashed")])
    (x0, y0), (x1, y1) = [tuple(map(float, p.split(","))) for p in svg.find(f"{SVG}polyline").get("points").split()]
    assert x0 < x1 and y1 < y0  # later epoch to the right, larger loss higher up


def test_non_finite_values_leave_gaps_instead_of_breaking_the_plot():
    svg = parse([("a", [1.0, 0.5, math.nan, 0.3, 0.2], "dots"), ("b", [math.inf, math.nan], "dashed")])
    runs = [len(p.get("points").split()) for p in svg.findall(f"{SVG}polyline")]
    assert runs == [2, 2]  # a's line is cut at the gap; b has no finite point, so no line
    assert "nan" not in line_plot([("a", [math.nan], "dots")], xlabel="x", ylabel="y").lower()


def test_wide_ranges_use_a_log_axis_with_decade_ticks_and_flat_curves_still_draw():
    svg = parse([("a", [100.0, 1.0, 0.001], "dots")])
    assert "loss (log scale)" in texts(svg) and {"1e2", "1e0", "1e-2"} <= set(texts(svg))
    assert "loss" in texts(parse([("a", [0.5, 0.5, 0.5], "dots")]))  # zero range: padded, linear
    assert parse([], x="e", y="l") is not None  # nothing to draw: still an image


def test_labels_are_escaped():
    text = line_plot([("<script>alert(1)</script>", [1.0, 2.0], "dots")], xlabel="a&b", ylabel="<y>")
    assert "<script" not in text and "&lt;script&gt;" in text and "a&amp;b" in text


def test_ticks_are_round_and_few():
    assert _integer_ticks(3) == [0, 1, 2, 3]
    assert _integer_ticks(149) == list(range(0, 141, 20))
    assert all(len(_integer_ticks(n)) <= 11 for n in range(1, 2000))
    assert [label for _, label in _nice_ticks(0.27, 2.41)] == ["0.5", "1.0", "1.5", "2.0"]
    assert all(2 <= len(_nice_ticks(lo, lo + span)) <= 11
               for lo in (-3.0, 0.0, 0.1, 7.0) for span in (1e-6, 0.3, 1.0, 42.0, 1e5))
