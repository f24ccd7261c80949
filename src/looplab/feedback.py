"""A self-contained HTML feedback page for one checked submission.

Contract: `render_html(report, student=..., assignment=...)` returns one HTML
document as a string, with no external assets: CSS is inline and loss-curve
plots are embedded as base64 SVG data URIs (`looplab.svgplot`, 800x450). The page shows a header (student,
assignment or lesson, the file checked, total score, status, and a warning when the code ran
without the bubblewrap sandbox), a table of tasks, each task's checks (failed
ones with their full message; a task every check of which failed for one reason,
not implemented say, gets that reason once), notes, what the student's code printed, and one
plot per `Curve`. Every piece of text taken from the report or the arguments
is passed through `html.escape`: messages and output may hold anything a
hostile student wrote.
"""

from __future__ import annotations

import base64
import math
from html import escape

from looplab.report import Curve, Report, TaskResult, one_reason
from looplab.status import OK

_CSS = """
body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em} .meta{color:#555}
.warn{background:#fdd;border:2px solid #c00;padding:.6em;margin:1em 0;font-weight:bold}
table{border-collapse:collapse;margin:1em 0} td,th{border:1px solid #ccc;padding:.3em .7em}
th{background:#f3f3f3;text-align:left} td.pts{text-align:right}
.ok{color:#070} .bad{color:#b00}
pre{background:#f6f6f6;border:1px solid #ddd;padding:.6em;white-space:pre-wrap;overflow-x:auto}
ul.passed{color:#070;margin:.3em 0} .check{margin:.8em 0}
img{display:block;margin:.5em 0;max-width:100%}
"""


def _pts(x: float) -> str:
    return f"{x:g}"


def _cls(ok: bool) -> str:
    return "ok" if ok else "bad"


def _task_section(name: str, task: TaskResult) -> str:
    passed = [c for c in task.checks if c.passed]
    failed = [c for c in task.checks if not c.passed]
    parts = [f'<h3 id="task-{escape(name)}">{escape(name)}: '
             f"{_pts(task.score)}/{_pts(task.max_score)}"
             + ("" if task.status == OK else f' <span class="bad">[{escape(task.status)}]</span>')
             + "</h3>"]
    if passed:
        items = "".join(f"<li>&#10003; {escape(c.name)} ({_pts(c.points)}/{_pts(c.max_points)})</li>"
                        for c in passed)
        parts.append(f'<ul class="passed">{items}</ul>')
    for c in failed:
        parts.append(f'<div class="check"><span class="bad">&#10007; {escape(c.name)}</span> '
                     f"({_pts(c.points)}/{_pts(c.max_points)})"
                     + (f"<pre>{escape(c.message)}</pre>" if c.message else "") + "</div>")
    if not task.checks:
        parts.append("<p>No checks ran for this task.</p>")
    return "\n".join(parts)


def _reason_section(name: str, task: TaskResult, reason: str) -> str:
    """A task that was not graded at all: its one reason, once."""
    return (f'<h3 id="task-{escape(name)}">{escape(name)}: {_pts(task.score)}/{_pts(task.max_score)} '
            f'<span class="bad">[{escape(task.status)}]</span></h3>'
            f'<p><span class="bad">&#10007; all {len(task.checks)} checks:</span> {escape(reason)}</p>')


def _finite(values: list[float]) -> list[float]:
    return [float(v) if math.isfinite(float(v)) else math.nan for v in values]


def _plot_svg(curve: Curve) -> bytes:
    """Student vs reference loss per epoch, epochs counted from 0 as in the checks' messages
    ("epoch 0 loss ..."); the SVG document's bytes. No title: the heading above names it."""
    from looplab.svgplot import line_plot
    return line_plot([("your code", _finite(curve.student), "dots"),
                      ("reference", _finite(curve.reference), "dashed")],
                     xlabel="epoch (from 0)", ylabel="loss").encode()


def _curve_label(curve: Curve) -> str:
    """`task: title`, without saying the task twice when the title starts with it."""
    return curve.title if curve.title.startswith(curve.task) else f"{curve.task}: {curve.title}"


def _curve_section(curve: Curve) -> str:
    label = escape(_curve_label(curve))
    try:
        data = base64.b64encode(_plot_svg(curve)).decode("ascii")
    except Exception as e:  # a bad curve must not cost the student the whole page
        return f"<h3>{label}</h3><p>Could not draw this plot: {escape(repr(e))}</p>"
    return (f"<h3>{label}</h3>"
            f'<img alt="loss curve: {label}" src="data:image/svg+xml;base64,{data}">')


def render_html(report: Report, *, student: str | None = None,
                assignment: str | None = None) -> str:
    """The feedback page for `report` as one self-contained HTML document."""
    title = assignment or f"lesson {report.lesson}"
    complete = report.score == report.max_score and report.status == OK
    head = [f"<h1>{escape(title)}</h1>", '<p class="meta">']
    if student:
        head.append(f"Student: <b>{escape(student)}</b><br>")
    if assignment:
        head.append(f"Lesson: {escape(report.lesson)}<br>")
    if report.file:
        head.append(f"File checked: <code>{escape(report.file)}</code><br>")
    head.append(f'Score: <b class="{_cls(complete)}">{_pts(report.score)}/{_pts(report.max_score)}'
                f'</b> &middot; status: <b class="{_cls(report.status == OK)}">'
                f"{escape(report.status)}</b></p>")
    if report.sandbox and report.sandbox != "bubblewrap":
        head.append('<div class="warn">Warning: the student code ran without a sandbox: '
                    f"{escape(report.sandbox)}</div>")

    body = ["<h2>Tasks</h2>"]
    if report.tasks:
        rows = "".join(
            f'<tr><td><a href="#task-{escape(n)}">{escape(n)}</a></td>'
            f'<td class="pts">{_pts(t.score)}/{_pts(t.max_score)}</td>'
            f'<td class="{_cls(t.status == OK and t.score == t.max_score)}">{escape(t.status)}</td></tr>'
            for n, t in report.tasks.items())
        body.append(f"<table><tr><th>task</th><th>points</th><th>status</th></tr>{rows}</table>")
        body.extend(_reason_section(n, t, one_reason(t)) if one_reason(t) is not None
                    else _task_section(n, t) for n, t in report.tasks.items())
    else:
        body.append("<p>No tasks were checked.</p>")
    if report.notes:
        body.append("<h2>Notes</h2><ul>"
                    + "".join(f"<li>{escape(n)}</li>" for n in report.notes) + "</ul>")
    if report.output.strip():
        body.append(f"<h2>What your code printed</h2><pre>{escape(report.output)}</pre>")
    if report.curves:
        body.append("<h2>Loss curves</h2>")
        body.extend(_curve_section(c) for c in report.curves)

    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)} feedback</title><style>{_CSS}</style></head>\n<body>\n"
            + "\n".join(head) + "\n" + "\n".join(body) + "\n</body></html>\n")
