"""The sandbox: student code sees only its scratch directory and the Python environment."""

from __future__ import annotations

import os
import socket
import sys
import threading

import pytest

from conftest import REFERENCE_1_3, ROOT, failed_messages
from looplab.report import render_text
from looplab.sandbox import bwrap

needs_bwrap = pytest.mark.skipif(bwrap.available() is not None,
                                 reason=f"no sandbox here: {bwrap.available()}")

PROBE = '''
import os, socket
def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    found = []
    for path in {paths!r}:
        try:
            with open(path) as f:
                f.read(1)
            found.append("read " + path)
        except OSError:
            pass
    try:
        with open({write!r}, "w") as f:
            f.write("x")
        found.append("wrote")
    except OSError:
        pass
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
        found.append("network")
    except OSError:
        pass
    if os.getuid() == 0 and {root_expected}:
        found.append("root")
    raise RuntimeError("PROBE " + ",".join(found) + " END")
'''


@needs_bwrap
def test_course_directory_network_and_root_are_out_of_reach(grade, tmp_path):
    secret_paths = [str(ROOT / "solutions" / "lesson-1.3.py"),
                    str(ROOT / "tests" / "hidden" / "l1_3" / "mistakes.py"),
                    str(ROOT / "README.md"), str(tmp_path / "other-student.txt")]
    (tmp_path / "other-student.txt").write_text("answers")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    threading.Thread(target=lambda: server.accept(), daemon=True).start()
    probe = PROBE.format(paths=secret_paths, write=str(ROOT / "written-by-student"),
                         port=server.getsockname()[1], root_expected=os.geteuid() == 0)
    report = grade(REFERENCE_1_3.split("def epochs_to_target")[0] + probe)
    server.close()
    message = failed_messages(report, "epochs_to_target")
    assert "PROBE  END" in message, message
    assert not (ROOT / "written-by-student").exists()
    assert report.sandbox == "bubblewrap"


def test_without_a_sandbox_grading_goes_on_and_says_so_loudly(tmp_path):
    from looplab.check import Checker
    checker = Checker(ROOT, sandbox=False)
    try:
        path = tmp_path / "s.py"
        path.write_text(REFERENCE_1_3)
        report = checker.check("1.3", path)
    finally:
        checker.close()
    assert report.score == report.max_score
    assert report.sandbox == "not requested"
    assert "WARNING: student code ran without a sandbox" in render_text(report)


@needs_bwrap
def test_only_the_system_python_and_the_kits_code_are_mounted(grade):
    listing = REFERENCE_1_3.split("def epochs_to_target")[0] + f'''
import os
def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    seen = {{p: sorted(os.listdir(p)) for p in ["/", {str(ROOT)!r}] if os.path.isdir(p)}}
    raise RuntimeError("SEEN " + repr(seen) + " END")
'''
    message = failed_messages(grade(listing), "epochs_to_target")
    seen = eval(message.split("SEEN ", 1)[1].split(" END", 1)[0])  # our own probe's repr
    python_tops = {os.path.realpath(p).split(os.sep)[1] for p in (sys.prefix, sys.base_prefix, ROOT)}
    allowed = {d.strip("/") for d in (*bwrap.SYSTEM_DIRS, *bwrap.WRITABLE)} | {"dev", "proc", "var"}
    assert set(seen["/"]) <= allowed | python_tops, seen["/"]
    assert set(seen[str(ROOT)]) <= {".venv", "src"}, seen[str(ROOT)]  # no solutions, tests, submissions


def test_one_zygote_serves_several_checkers_and_each_one_leaving_ends_only_its_own():
    """Class grading shares one zygote between its workers (one torch import, not one per
    worker): a checker that leaves takes its own student processes with it, the others go
    on spawning, and the zygote ends when the last one has left."""
    import time

    from looplab.sandbox.limits import Limits
    from looplab.sandbox.runner import StudentProcess
    from looplab.sandbox.zygote import Zygote

    first, second = Zygote(str(ROOT), clients=2).handles()
    cells = [{"name": "answer", "source": "import os\ndef pid():\n    return os.getpid()\n", "answer": True}]
    ones = StudentProcess(first, cells, Limits())
    twos = StudentProcess(second, cells, Limits())
    ones.start()
    twos.start()
    assert ones.pid != twos.pid and first.pid == second.pid
    first.close()  # the first checker leaves: its student process is killed with it
    assert twos.call("pid", [])["result"]  # the second one's still answers
    again = StudentProcess(second, cells, Limits())
    again.start()  # and the zygote still spawns for it
    assert again.call("pid", [])["result"]
    again.stop()
    twos.stop()
    second.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(first.pid, 0)
        except ProcessLookupError:
            break
        if first._proc is not None and first._proc.poll() is not None:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the zygote outlived its last checker")


@pytest.mark.parametrize("warm", [(), ("matplotlib.pyplot",)])
def test_students_processes_import_pyplot_when_they_plot_or_when_the_lesson_warms_it(warm):
    """The zygote no longer imports pyplot for every lesson (0.35 s on the critical path of
    each `looplab check`): a student's `import matplotlib.pyplot as plt` is deferred until it
    draws, and a lesson whose graded calls draw (`Lesson.warm`, lesson 1.4) has it imported
    before the children are forked, so no student pays for it inside a timed call."""
    from looplab.sandbox.limits import Limits
    from looplab.sandbox.runner import StudentProcess
    from looplab.sandbox.zygote import Zygote

    zygote = Zygote(str(ROOT), warm=warm)
    source = ("import sys\nimport matplotlib.pyplot as plt\n"
              "def loaded():\n    return 'matplotlib.pyplot' in sys.modules\n"
              "def draw():\n    fig, ax = plt.subplots()\n    ax.plot([0, 1])\n    return type(fig).__name__\n")
    process = StudentProcess(zygote, [{"name": "answer", "source": source, "answer": True}], Limits())
    try:
        process.start()
        assert process.call("loaded", [])["result"] is bool(warm)
        assert process.call("draw", [])["result"] == "Figure"
        assert process.call("loaded", [])["result"] is True
        assert "plt" not in process.defined
    finally:
        process.stop()
        zygote.close()


def test_lesson_1_4_warms_pyplot_for_its_graded_plot():
    from looplab import lessons
    assert "matplotlib.pyplot" in lessons.get("1.4").warm
    assert lessons.get("1.3").warm == ()
