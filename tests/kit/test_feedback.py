"""The HTML feedback page, built from hand-made reports (no grading)."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from looplab.feedback import render_html
from looplab.report import CheckResult, Curve, Report, TaskResult

SVG = "{http://www.w3.org/2000/svg}"

HOSTILE = '<script>alert("x")</script>'


def make_report(**kw) -> Report:
    a = TaskResult()
    a.add(CheckResult("shapes", True, 2, 2))
    a.add(CheckResult("loss decreases", False, 0, 3, "loss went up:\nepoch 1: 2.3\nepoch 2: 9.1"))
    b = TaskResult(status="timeout")
    b.add(CheckResult("runs", False, 0, 1, "timed out after 10 s"))
    return Report("1.3", status="timeout", tasks={"train_loop": a, "evaluate": b},
                  notes=["a note"], output="hello\nworld", sandbox="bubblewrap", **kw)


def test_score_tasks_and_failed_messages():
    page = render_html(make_report(), student="Ada", assignment="Training loops")
    assert page.startswith("<!DOCTYPE html>")
    assert "2/6" in page
    for text in ("train_loop", "evaluate", "shapes", "timeout", "Ada", "Training loops",
                 "a note", "timed out after 10 s"):
        assert text in page
    assert "<pre>loss went up:\nepoch 1: 2.3\nepoch 2: 9.1</pre>" in page
    assert "hello\nworld" in page
    assert "without a sandbox" not in page
    assert "<img" not in page and "Loss curves" not in page


def test_hostile_text_is_escaped():
    report = make_report()
    report.tasks["train_loop"].checks[1].message = HOSTILE
    report.tasks[HOSTILE] = TaskResult(checks=[CheckResult(HOSTILE, True, 0, 0)])
    report.output = HOSTILE + "\n"
    report.notes.append(HOSTILE)
    report.status = HOSTILE
    report.curves.append(Curve(HOSTILE, HOSTILE + " $x^$", [1.0, 0.5], [1.0, 0.4]))
    page = render_html(report, student=HOSTILE, assignment=HOSTILE)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    assert "data:image/svg+xml;base64," in page


def test_curves_embed_svg():
    report = make_report(curves=[Curve("train_loop", "training loss", [2.3, 1.1, 0.6, 0.4],
                                       [2.3, 1.0, 0.5, 0.3]),
                                 Curve("train_loop", "wide range", [100.0, 1.0, 0.01, float("nan")],
                                       [100.0, 1.0, 0.001, float("inf")])])
    page = render_html(report)
    images = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2
    svgs = []
    for data in images:
        svg = ElementTree.fromstring(base64.b64decode(data))  # well-formed XML
        assert (svg.get("width"), svg.get("height")) == ("800", "450")
        assert len(base64.b64decode(data)) < 60_000
        svgs.append(svg)
    texts = ["".join(t.itertext()) for t in svgs[1].iter(f"{SVG}text")]
    assert "loss (log scale)" in texts and "1e-3" in texts  # 100 down to 0.001: log y
    assert "loss" in ["".join(t.itertext()) for t in svgs[0].iter(f"{SVG}text")]  # linear y
    assert "http://" not in page and "https://" not in page  # no external assets


def test_missing_sandbox_warns():
    report = make_report()
    report.sandbox = "none: bwrap not installed"
    page = render_html(report)
    assert 'class="warn"' in page and "without a sandbox" in page
    assert "none: bwrap not installed" in page


def test_empty_report_renders():
    page = render_html(Report("2.1"))
    assert "lesson 2.1" in page and "0/0" in page
    assert "No tasks were checked" in page
    assert page.rstrip().endswith("</html>")


def test_import_is_cheap():
    code = "import sys, looplab.feedback; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_untouched_task_says_why_once_and_the_page_names_the_file():
    stub = TaskResult(status="not_implemented")
    for name in ("shapes", "loss decreases", "speed"):
        stub.add(CheckResult(name, False, 0, 1, "not implemented: the function still raises NotImplementedError"))
    report = Report("1.3", status="not_implemented", tasks={"train_batch": stub}, file="work/lesson-1.3.ipynb")
    page = render_html(report)
    assert page.count("still raises NotImplementedError") == 1 and "all 3 checks" in page
    assert "work/lesson-1.3.ipynb" in page
    assert 'status: <b class="bad">not_implemented</b>' in page


def test_curve_heading_names_the_task_once():
    report = make_report(curves=[Curve("train", "train (N=40, lr=0.1)", [1.0, 0.5], [1.0, 0.4]),
                                 Curve("train", "validation loss", [1.0, 0.5], [1.0, 0.4])])
    page = render_html(report)
    assert "<h3>train (N=40, lr=0.1)</h3>" in page and "train: train" not in page
    assert "<h3>train: validation loss</h3>" in page


@pytest.mark.browser
def test_page_in_chromium_shows_every_section_and_its_plots_load(in_chromium):
    report = make_report(curves=[Curve("train_loop", "training loss", [2.3, 1.1, 0.6, 0.4],
                                       [2.3, 1.0, 0.5, 0.3]),
                                 Curve("evaluate", "wide range", [100.0, 1.0, 0.01, float("nan")],
                                       [100.0, 1.0, 0.001, float("inf")])])
    seen = in_chromium(render_html(report, student="ada", assignment="lesson-1.3"))
    assert seen["headings"] == ["Tasks", "Notes", "What your code printed", "Loss curves"]
    assert [(i["alt"], i["loaded"], i["width"], i["height"]) for i in seen["images"]] == [
        ("loss curve: train_loop: training loss", True, 800, 450),
        ("loss curve: evaluate: wide range", True, 800, 450)]
    assert seen["fetched"] == seen["external"] == []  # nothing from the network or disk: it works offline
