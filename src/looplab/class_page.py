"""The class report as one self-contained HTML page, for the instructor.

Contract: `render_page(summary)` returns one HTML document with no external assets
and no scripts: CSS inline, two plots (the score distribution and each task's mean
and pass rate, 800x450, matplotlib's Agg backend) embedded as base64 PNG data URIs.
Its sections, each a `<section id=...>`: `scores`, `tasks`, `mistakes`, `statuses`,
`slowest`. Every text taken from stored results (student ids, messages) goes through
`html.escape`: a result file may hold whatever a student's code printed or raised.
"""

from __future__ import annotations

import base64
import io
from html import escape

from looplab.class_report import ClassSummary

SECTIONS = ("scores", "tasks", "mistakes", "statuses", "slowest")
SHOWN_NAMES = 12  # students listed per mistake or status before "and N more"

_CSS = """
body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
.meta{color:#555} table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.3em .7em;vertical-align:top}
th{background:#f3f3f3;text-align:left} td.n{text-align:right}
img{display:block;margin:.5em 0;max-width:100%} .names{color:#555;font-size:.9em}
"""


def _png(draw) -> str:
    """Run `draw(ax)` on an 800x450 figure; the PNG as a data URI."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    try:
        draw(ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _histogram(summary: ClassSummary):
    def draw(ax) -> None:
        top = summary.max_score or 1.0
        bins = [top * i / min(20, max(int(top), 1)) for i in range(min(20, max(int(top), 1)) + 1)]
        ax.hist(list(summary.scores.values()), bins=bins, edgecolor="white")
        ax.set_xlim(0, top)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel(f"score (of {summary.max_score:g})")
        ax.set_ylabel("submissions")
    return draw


def _task_bars(summary: ClassSummary):
    def draw(ax) -> None:
        names = [t.name for t in summary.tasks]
        xs = range(len(names))
        ax.bar([x - 0.2 for x in xs], [t.mean / t.max_points if t.max_points else 0 for t in summary.tasks],
               0.4, label="mean points (share of the task's)")
        ax.bar([x + 0.2 for x in xs], [t.pass_rate for t in summary.tasks], 0.4, label="full points")
        ax.set_xticks(list(xs), names, rotation=20, ha="right")
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("share of submissions / points")
        ax.legend(loc="upper right")
    return draw


def _names(students: list[str]) -> str:
    shown = ", ".join(escape(s) for s in students[:SHOWN_NAMES])
    more = len(students) - SHOWN_NAMES
    return f'<span class="names">{shown}{f" and {more} more" if more > 0 else ""}</span>'


def _section(key: str, title: str, body: str) -> str:
    return f'<section id="{key}"><h2>{title}</h2>\n{body}\n</section>'


def _scores(summary: ClassSummary) -> str:
    return _section("scores", "Score distribution",
                    f'<img alt="histogram of the scores" width="800" height="450" '
                    f'src="{_png(_histogram(summary))}">')


def _tasks(summary: ClassSummary) -> str:
    rows = "".join(
        f"<tr><td>{escape(t.name)}</td><td class=n>{t.mean:.2f}/{t.max_points:g}</td>"
        f"<td class=n>{t.pass_rate:.0%}</td>"
        f"<td>{escape(', '.join(f'{k} {v}' for k, v in t.statuses.items())) or '&ndash;'}</td></tr>"
        for t in summary.tasks)
    return _section("tasks", "Tasks",
                    "<table><tr><th>task</th><th>mean points</th><th>full points</th>"
                    f"<th>not graded (status: submissions)</th></tr>{rows}</table>"
                    f'<img alt="mean points and full-point share per task" width="800" height="450" '
                    f'src="{_png(_task_bars(summary))}">')


def _mistakes(summary: ClassSummary) -> str:
    if not summary.mistakes:
        return _section("mistakes", "Most common named mistakes",
                        "<p>No failed check named a likely mistake.</p>")
    rows = "".join(f"<tr><td class=n>{len(m.students)}</td><td>{escape(', '.join(m.tasks))}</td>"
                   f"<td>{escape(m.message)}<br>{_names(m.students)}</td></tr>"
                   for m in summary.mistakes)
    return _section("mistakes", "Most common named mistakes",
                    "<p>What the checks recognised by reproducing it, counted once per student.</p>"
                    f"<table><tr><th>students</th><th>task</th><th>likely mistake</th></tr>{rows}</table>")


def _statuses(summary: ClassSummary) -> str:
    rows = "".join(f"<tr><td>{escape(k)}</td><td class=n>{len(v)}</td><td>{_names(v)}</td></tr>"
                   for k, v in summary.statuses.items())
    return _section("statuses", "Statuses",
                    "<p>One per submission, its most severe task's: timeout, crashed, memory, disk, "
                    "missing (nothing submitted or nothing defined), not_implemented (untouched), "
                    "error, ok (graded; points may still be lost).</p>"
                    f"<table><tr><th>status</th><th>submissions</th><th>students</th></tr>{rows}</table>")


def _slowest(summary: ClassSummary) -> str:
    if not summary.slowest:
        return _section("slowest", "Slowest against the reference",
                        f"<p>Nothing to compare: {escape(summary.slow_basis)}.</p>")
    rows = "".join(f"<tr><td>{escape(s.student)}</td><td class=n>{s.ratio:.1f}x</td>"
                   f"<td>{escape(s.where)}</td></tr>" for s in summary.slowest)
    return _section("slowest", "Slowest against the reference",
                    f"<p>Compared by {escape(summary.slow_basis)}.</p>"
                    f"<table><tr><th>student</th><th>time / reference</th><th>measured on</th></tr>"
                    f"{rows}</table>")


def render_page(summary: ClassSummary) -> str:
    """The class report for `summary` as one self-contained HTML document."""
    title = f"{summary.assignment} class report"
    scores = list(summary.scores.values())
    head = (f"<h1>{escape(title)}</h1><p class=meta>{escape(summary.title)} &middot; "
            f"{len(scores)} graded submission(s) &middot; mean {sum(scores) / len(scores):.2f}"
            f"/{summary.max_score:g}</p>")
    body = [_scores(summary), _tasks(summary), _mistakes(summary), _statuses(summary),
            _slowest(summary)]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n<body>\n{head}\n"
            + "\n".join(body) + "\n</body></html>\n")
