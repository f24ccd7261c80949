"""Fixtures for the kit's own tests.

`checker` is one grading context for the whole session (torch imported once,
one zygote); `grade` checks a source string as if a student had submitted it.
"""

from __future__ import annotations

import os

# One xdist worker per core: each worker, and the kernels it starts, computes on one thread,
# so that workers do not fight over the cores (the student processes already use one).
os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

import pytest  # noqa: E402

from looplab import lessons  # noqa: E402
from looplab.report import Report  # noqa: E402

ROOT = lessons.data_root()
REFERENCE_1_3 = lessons.get("1.3").solution(ROOT).read_text()


@pytest.fixture(scope="session")
def checker():
    from looplab.check import Checker
    c = Checker(ROOT)
    yield c
    c.close()


@pytest.fixture
def grade(checker, tmp_path: Path) -> Callable[..., Report]:
    def run(source: str, lesson: str = "1.3", name: str = "submission.py", limits=None,
            **options) -> Report:
        path = tmp_path / name
        path.write_text(source)
        return checker.check(lesson, path, limits=limits, **options)
    return run


def example(lesson_id: str, kind: str) -> str:
    """The source of a lesson's `looplab demo` example of this kind (from its catalogue)."""
    from looplab import catalogue
    return dict(catalogue.examples(lessons.get(lesson_id), ROOT))[kind]


def mutate(source: str, old: str, new: str, count: int = 1) -> str:
    """Replace `old` (which must occur exactly `count` times) with `new`."""
    assert source.count(old) == count, f"{old!r} occurs {source.count(old)} times, not {count}"
    return source.replace(old, new)


def failed_messages(report: Report, task: str) -> str:
    return "\n".join(c.message for c in report.tasks[task].checks if not c.passed)


# A page as headless Chromium renders it: the probe below runs after the load event (every
# image decoded or failed) and writes what it saw into the DOM that --dump-dom prints.
_PROBE = """<script>addEventListener("load", () => {
  const probe = document.createElement("pre");
  probe.id = "looplab-probe";
  probe.textContent = JSON.stringify({
    images: [...document.images].map(i => ({alt: i.alt, loaded: i.complete && i.naturalWidth > 0,
                                           width: i.naturalWidth, height: i.naturalHeight})),
    headings: [...document.querySelectorAll("h2")].map(h => h.textContent),
    sections: Object.fromEntries([...document.querySelectorAll("section[id]")].map(
      s => [s.id, s.getBoundingClientRect().height])),
    fetched: performance.getEntriesByType("resource").map(r => r.name),
    external: [...document.querySelectorAll("[src], [href]")].map(e => e.getAttribute("src") ?? e.getAttribute("href"))
      .filter(url => !url.startsWith("data:") && !url.startsWith("#")),
  });
  document.body.appendChild(probe);
});</script>"""


@pytest.fixture
def in_chromium(tmp_path: Path) -> Callable[[str], dict]:
    """`in_chromium(page)`: render an HTML page in headless Chromium (Debian's `chromium`) and
    return what the probe saw: images (loaded, size), h2 headings, section heights, the URLs it
    fetched and every src/href that is neither a data: URI nor an anchor (`external`).
    Skips only when chromium is not installed."""
    import html
    import json
    import re
    import shutil
    import subprocess
    browser = shutil.which("chromium")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium; .ci/run installs it)")

    def render(page: str) -> dict:
        assert "</body>" in page
        path = tmp_path / "page.html"
        path.write_text(page.replace("</body>", _PROBE + "</body>", 1))
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=10000",
             "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120)
        found = re.search(r'<pre id="looplab-probe">(.*?)</pre>', done.stdout, re.S)
        assert found, f"chromium rendered no probe (exit {done.returncode}): {done.stderr[-2000:]}"
        return json.loads(html.unescape(found.group(1)))
    return render
