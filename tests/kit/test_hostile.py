"""Hostile and broken submissions gain nothing, leave nothing behind, and do not stop the report."""

from __future__ import annotations

import os
import time
from dataclasses import replace

import pytest

from conftest import REFERENCE_1_3, ROOT, failed_messages, mutate
from looplab import lessons
from looplab.report import render_text

FAST = replace(lessons.get("1.3").limits, call_seconds=2.0, load_seconds=3.0, total_seconds=40.0)

WRONG_TRAIN_BATCH = '''
def train_batch(X, y, w0, b0, epochs, lr):
    return [0.0] * epochs
'''


def _without(source: str, name: str) -> str:
    """The reference with function `name` removed, so a hostile version can replace it."""
    start = source.index(f"def {name}(")
    end = source.find("\ndef ", start + 1)
    return source[:start] + (source[end + 1:] if end != -1 else "")


def _processes_with(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


def test_patching_allclose_pytest_and_the_clock_gains_nothing(grade):
    hostile = _without(REFERENCE_1_3, "train_batch") + WRONG_TRAIN_BATCH + '''
import time, torch
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
time.perf_counter = lambda: 0.0
try:
    import pytest
    pytest.fail = lambda *a, **k: None
    pytest.approx = lambda x, *a, **k: x
except ImportError:
    pass
import math
math.isclose = lambda *a, **k: True
'''
    report = grade(hostile)
    batch = report.tasks["train_batch"]
    assert batch.score < batch.max_score
    assert "epoch 0 loss 0" in failed_messages(report, "train_batch")
    assert report.tasks["train_stochastic"].score == report.tasks["train_stochastic"].max_score


def test_look_alike_results_whose_comparisons_always_succeed_score_zero(grade):
    hostile = _without(REFERENCE_1_3, "train_batch") + '''
class Anything(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
    __hash__ = float.__hash__

class Liar(list):
    def __eq__(self, other): return True
    def __len__(self): return 12

def train_batch(X, y, w0, b0, epochs, lr):
    return Liar(Anything(7.0) for _ in range(epochs))
'''
    report = grade(hostile)
    passed = [c.name for c in report.tasks["train_batch"].checks if c.passed]
    # only checks that do not look at the values (epochs=0, unchanged inputs, speed) can pass
    assert not any("matches reference" in name or "decreases" in name for name in passed), passed


def test_hang_in_one_function_times_out_that_task_only(grade):
    hostile = _without(REFERENCE_1_3, "train_stochastic") + '''
import signal
def train_stochastic(X, y, w0, b0, epochs, lr, generator):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        pass
'''
    start = time.perf_counter()
    report = grade(hostile, limits=FAST)
    elapsed = time.perf_counter() - start
    stochastic = report.tasks["train_stochastic"]
    assert stochastic.status == "timeout" and stochastic.score == 0
    assert "did not finish within 2.0 s" in failed_messages(report, "train_stochastic")
    assert report.tasks["train_batch"].score == report.tasks["train_batch"].max_score
    # train_minibatch's equivalence check calls the hanging function: the timeout is
    # train_stochastic's alone, so that check falls back on the reference's train_stochastic
    minibatch = report.tasks["train_minibatch"]
    assert minibatch.status == "ok" and minibatch.score == minibatch.max_score, render_text(report)
    # one time limit for the hanging function; later calls to it fail at once
    assert elapsed < 20, elapsed


def test_hang_at_import_time_scores_zero_everywhere_with_timeout(grade):
    report = grade(REFERENCE_1_3 + "\nwhile True:\n    pass\n", limits=FAST)
    assert report.status == "timeout" and report.score == 0
    assert all(t.status == "timeout" for t in report.tasks.values())
    assert report.max_score > 0


@pytest.mark.parametrize("exit_call", ["os._exit(3)", "sys.exit(0)", "os.kill(os.getpid(), 9)"])
def test_exiting_inside_a_function_crashes_that_task_only(grade, exit_call):
    hostile = _without(REFERENCE_1_3, "epochs_to_target") + f'''
import os, sys
def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    {exit_call}
'''
    report = grade(hostile, limits=FAST)
    assert report.tasks["epochs_to_target"].status == "crashed"
    assert report.tasks["epochs_to_target"].score == 0
    assert report.tasks["train_minibatch"].score == report.tasks["train_minibatch"].max_score


def test_exit_at_import_time_crashes_the_whole_submission(grade):
    report = grade("import os\nos._exit(0)\n" + REFERENCE_1_3, limits=FAST)
    assert report.status == "crashed" and report.score == 0


def test_allocating_far_too_much_memory_is_stopped(grade):
    hostile = _without(REFERENCE_1_3, "epochs_to_target") + '''
import torch
def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    hog = [torch.empty(256, 1024, 1024) for _ in range(64)]  # 64 GiB of address space
    return 0.0
'''
    report = grade(hostile, limits=FAST)
    assert report.tasks["epochs_to_target"].status == "memory"
    assert "memory" in failed_messages(report, "epochs_to_target")
    assert report.tasks["train_batch"].score == report.tasks["train_batch"].max_score


def test_flooding_stdout_is_capped_and_costs_nothing(grade):
    flood = mutate(REFERENCE_1_3, "    losses = []\n    for _ in range(epochs):\n        loss = mse(X, y, w, b)  # all N samples",
                   "    losses = []\n    print('x' * 2_000_000)\n    for _ in range(epochs):\n        loss = mse(X, y, w, b)  # all N samples")
    report = grade(flood)
    assert report.score == report.max_score
    assert "more bytes of output dropped" in report.output
    assert len(report.output) < 100_000


def test_closing_stdio_does_not_break_grading(grade):
    report = grade("import os\nos.close(0)\nos.close(1)\nos.close(2)\n" + REFERENCE_1_3)
    assert report.score == report.max_score


def test_closing_every_file_descriptor_crashes_cleanly(grade):
    report = grade("import os\nos.closerange(0, 4096)\n" + REFERENCE_1_3, limits=FAST)
    assert report.status == "crashed" and report.score == 0


def test_child_processes_are_killed_with_the_submission(grade):
    marker = "7391"  # sleep 7391.5 identifies our strays
    hostile = REFERENCE_1_3 + f'''
import subprocess, os
subprocess.Popen(["sleep", "{marker}.5"])
subprocess.Popen(["sleep", "{marker}.5"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "{marker}.5"])
    os._exit(0)
'''
    report = grade(hostile)
    assert report.score == report.max_score
    assert _processes_with(f"{marker}.5") == []


def test_reference_and_hidden_checks_are_not_reachable_from_student_code(grade):
    snoop = _without(REFERENCE_1_3, "train_batch") + '''
def train_batch(X, y, w0, b0, epochs, lr):
    import gc, sys
    for name, module in list(sys.modules.items()):
        found = getattr(module, "train_batch", None)
        if callable(found) and found is not train_batch:
            return found(X, y, w0, b0, epochs, lr)
    for obj in gc.get_objects():
        if callable(obj) and getattr(obj, "__name__", "") == "train_batch" and obj is not train_batch:
            return obj(X, y, w0, b0, epochs, lr)
    for module in ("hidden.l1_3.common", "looplab_reference_0", "solutions"):
        try:
            __import__(module)
        except ImportError:
            continue
        raise RuntimeError("imported " + module)
    raise RuntimeError("no reference found")
'''
    report = grade(snoop)
    assert report.tasks["train_batch"].score == 0
    assert "no reference found" in failed_messages(report, "train_batch")


def test_honest_code_that_prints_and_warns_loses_nothing(grade):
    chatty = "import sys, warnings\nprint('starting')\nwarnings.warn('this is fine')\n" \
             "print('to stderr', file=sys.stderr)\n" + REFERENCE_1_3
    report = grade(chatty)
    assert report.score == report.max_score
    assert "starting" in report.output and "to stderr" in report.output


def test_syntax_error_is_an_error_status_not_a_crash_of_the_checker(grade):
    report = grade("def train_batch(:\n")
    assert report.score == 0
    assert report.notes and "SyntaxError" in report.notes[0]


def test_a_reply_that_stops_half_way_cannot_hang_the_checker(grade):
    hostile = _without(REFERENCE_1_3, "epochs_to_target") + '''
import os, time
def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    os.write(901, (1 << 20).to_bytes(8, "big") + b"{")  # promise 1 MiB of reply, send 1 byte
    time.sleep(1000)
'''
    start = time.perf_counter()
    report = grade(hostile, limits=FAST)
    assert report.tasks["epochs_to_target"].status == "timeout"
    assert "stopped half-way" in failed_messages(report, "epochs_to_target")
    assert report.tasks["train_batch"].score == report.tasks["train_batch"].max_score
    assert time.perf_counter() - start < 30


def test_answering_the_timed_calls_fast_but_wrong_earns_no_speed_point(grade):
    # correct on the small inputs of the correctness checks, instant garbage on the big timed ones
    sly = mutate(REFERENCE_1_3, "    w = w0.detach().clone().requires_grad_(True)  # (d, 1), a copy: w0 stays as it was",
                 "    if X.shape[0] > 5000:\n        return [1.0] * epochs\n"
                 "    w = w0.detach().clone().requires_grad_(True)  # (d, 1), a copy: w0 stays as it was")
    report = grade(sly)
    speed = [c for c in report.tasks["train_batch"].checks if c.name == "not much slower than reference"]
    assert speed and not speed[0].passed
    assert "a fast wrong answer is not fast" in speed[0].message
    assert report.tasks["train_batch"].score == report.tasks["train_batch"].max_score - 1


def test_a_slow_cell_of_the_students_own_is_stopped_and_noted_and_the_rest_is_graded(grade):
    """A correct notebook with one extra cell of experiments that runs far past its limit
    (students leave such cells in) keeps full marks; only answer cells can sink the load."""
    import json
    notebook = json.loads(lessons.get("1.3").source_notebook(ROOT).read_text())
    slow = {"cell_type": "code", "execution_count": None, "id": "mine", "metadata": {}, "outputs": [],
            "source": "import time\nwhile True:\n    try:\n        time.sleep(60)\n    except Exception:\n        pass\n"}
    notebook["cells"].insert(8, slow)
    limits = replace(FAST, cell_seconds=1.0)
    started = time.perf_counter()
    report = grade(json.dumps(notebook), name="mine.ipynb", limits=limits)
    assert report.status == "ok" and report.score == report.max_score, report.notes
    assert any(n.startswith("cell 9 was stopped after 1 s; move long experiments") for n in report.notes), report.notes
    assert time.perf_counter() - started < 30
