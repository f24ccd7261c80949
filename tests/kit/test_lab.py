"""`looplab lab`: JupyterLab without nbgrader's instructor tools, served for real.

Two JupyterLab servers start side by side on free ports: `looplab lab` (the student route)
and plain `jupyter lab` (what instructors get). The student's page must have nbgrader's
Create Assignment, Formgrader and course list turned off and no formgrader pages, while
Validate and the assignment list stay; the plain server shows the instructor tools, which
proves the difference comes from `looplab lab`.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from looplab.lab import HIDDEN

TOKEN = "looplab-test"
KEPT = ("@jupyter/nbgrader:validate-assignment", "@jupyter/nbgrader:assignment-list")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}?token={TOKEN}", timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as err:
        return err.code


def page_config(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={TOKEN}", timeout=10) as reply:
        html = reply.read().decode()
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, html[:500]
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    options = ["--no-browser", "--allow-root", f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={root}"]
    commands = {"student": [sys.executable, "-m", "looplab", "lab"],
                "plain": [sys.executable, "-m", "jupyterlab"]}
    started = {}
    try:
        for name, command in commands.items():
            port = free_port()
            with (root / f"{name}.log").open("w") as log:  # the server keeps its own copy
                started[name] = (port, subprocess.Popen([*command, *options, f"--port={port}"], stdout=log,
                                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
        deadline = time.monotonic() + 120
        for name, (port, process) in started.items():
            while True:
                try:
                    if status(port, "/api") == 200:
                        break
                except OSError:
                    pass
                assert process.poll() is None, (root / f"{name}.log").read_text()[-2000:]
                assert time.monotonic() < deadline, f"{name} JupyterLab did not start"
                time.sleep(0.3)
        yield {name: port for name, (port, _) in started.items()}
    finally:
        for _, process in started.values():
            process.terminate()
        for _, process in started.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_the_student_route_hides_the_instructor_tools_and_keeps_validate(servers):
    disabled = page_config(servers["student"]).get("disabledExtensions", [])
    assert set(HIDDEN) <= set(disabled), disabled
    assert not set(KEPT) & set(disabled), disabled
    assert status(servers["student"], "/formgrader") == 404
    assert status(servers["student"], "/assignments") != 404  # the assignment list's server part


def test_plain_jupyter_lab_shows_them_so_the_difference_is_looplab_lab(servers):
    disabled = page_config(servers["plain"]).get("disabledExtensions", [])
    assert not set(HIDDEN) & set(disabled), disabled
    assert status(servers["plain"], "/formgrader") != 404
