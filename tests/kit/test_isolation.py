"""Each submission alone: nothing one submission leaves can reach the next.

A "planter" submission writes into every writable place, fills its disk allowance and
changes every process setting it can reach; "probe" submissions (correct answers plus a
printout of the state they start in) must see none of it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import REFERENCE_1_3, ROOT, failed_messages
from looplab import lessons
from looplab.sandbox import bwrap
from looplab.sandbox.limits import Limits

needs_bwrap = pytest.mark.skipif(bwrap.available() is not None,
                                 reason=f"no sandbox here: {bwrap.available()}")
LESSON = lessons.get("1.3")
SHM_KEY = 0x4C4F4F50  # a System V shared memory key the planter creates
KEY_NAME = b"looplab-planted"  # a kernel key the planter adds to its user keyring

# Kernel keyrings through raw syscalls (x86_64 numbers); elsewhere that part is skipped.
KEYRING = '''
import ctypes, platform
_libc = ctypes.CDLL(None, use_errno=True)
def keyring(add=False):
    if platform.machine() != "x86_64":
        return "n/a"
    if add:
        return _libc.syscall(248, b"user", KEY_NAME, b"secret", 6, -4) > 0  # add_key to @u
    return _libc.syscall(250, 10, -4, b"user", KEY_NAME, 0) > 0  # KEYCTL_SEARCH in @u
def shm(create=False):
    _libc.shmget.restype = ctypes.c_int
    return _libc.shmget(SHM_KEY, 16 << 20 if create else 0, 0o1666 if create else 0) >= 0
'''

PLANTER = REFERENCE_1_3 + f'''
import os, signal, resource, sys
SHM_KEY, KEY_NAME = {SHM_KEY}, {KEY_NAME!r}
{KEYRING}
home, site = os.environ["HOME"], "lib/python%d.%d/site-packages" % sys.version_info[:2]
for folder in ["/tmp", "/var/tmp", "/dev/shm", home, os.getcwd(),
               "/tmp/.local/" + site, home + "/.local/" + site, home + "/.config/matplotlib"]:
    os.makedirs(folder, exist_ok=True)
    for name in ["planted.txt", "x.pth", "sitecustomize.py", "usercustomize.py", "json.py",
                 "matplotlibrc"]:
        with open(os.path.join(folder, name), "w") as f:
            f.write("import os; os.environ['PLANTED'] = '1'\\n" if name.endswith((".py", ".pth"))
                    else "lines.linewidth: 9\\n")
written = 0
try:  # fill the disk allowance
    with open("/dev/shm/fill", "wb") as f:
        while True:
            f.write(b"x" * (1 << 20))
            f.flush()
            written += 1 << 20
except OSError:
    pass
try:
    for i in range(100_000):
        open(f"/var/tmp/f{{i}}", "w").close()
except OSError:
    pass
print(f"PLANTER wrote {{written >> 20}} MiB, shm {{shm(create=True)}}, key {{keyring(add=True)}}")
os.environ.update(PLANTED="1", PYTHONPATH="/tmp", LD_PRELOAD="/tmp/x.so")
os.chdir("/")
os.umask(0)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGUSR1, lambda *a: None)
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])
resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200))
resource.setrlimit(resource.RLIMIT_STACK, (1 << 20, 1 << 20))
kept = [os.open("/dev/null", os.O_RDONLY) for _ in range(20)]
os.dup2(kept[0], 50)
import torch, matplotlib
torch.set_num_threads(3)
torch.set_default_dtype(torch.float64)
torch.use_deterministic_algorithms(True)
torch.manual_seed(1234)
torch.set_float32_matmul_precision("medium")
matplotlib.rcParams["lines.linewidth"] = 9
matplotlib.rcParams["axes.grid"] = True
'''

PROBE = REFERENCE_1_3 + f'''
import hashlib, json, os, resource, signal, sys
SHM_KEY, KEY_NAME = {SHM_KEY}, {KEY_NAME!r}
{KEYRING}
def _state():
    import matplotlib, torch
    scratch = os.environ["HOME"]
    norm = lambda text: str(text).replace(scratch, "<scratch>").replace(os.path.basename(scratch), "<s>")
    files = {{}}
    def walk(top):  # not into read-only mounts: Python or the kit where the checkout sits in /tmp
        for d, ds, fs in os.walk(top):
            ds[:] = [x for x in ds if not os.path.ismount(os.path.join(d, x))]
            yield d, ds, fs
    for top in ["/tmp", "/var/tmp", "/dev/shm", scratch]:
        files[norm(top)] = sorted(norm(os.path.relpath(os.path.join(d, n), top))
                                  for d, ds, fs in walk(top) for n in ds + fs)
    st = os.statvfs("/tmp")
    vm = int([l for l in open("/proc/self/status") if l.startswith("VmSize")][0].split()[1]) * 1024
    limits = {{n: resource.getrlimit(getattr(resource, n)) for n in dir(resource)
               if n.startswith("RLIMIT_") and n != "RLIMIT_AS"}}
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    umask = os.umask(0o22)
    return {{
        "files": files, "disk": [st.f_blocks, st.f_bfree, st.f_files - st.f_ffree],
        "env": sorted(norm(f"{{k}}={{v}}") for k, v in os.environ.items()),
        "cwd": norm(os.getcwd()), "umask": umask, "sys.path": [norm(p) for p in sys.path],
        "signals": {{s.name: repr(signal.getsignal(s)) for s in signal.Signals
                     if s not in (signal.SIGKILL, signal.SIGSTOP)}},
        "blocked": sorted(s.name for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])),
        "rlimits": limits, "as": soft == hard and soft > vm,
        "fds": sorted(os.listdir("/proc/self/fd"), key=int),
        "torch": [torch.get_num_threads(), str(torch.get_default_dtype()),
                  torch.are_deterministic_algorithms_enabled(),
                  torch.get_float32_matmul_precision(), torch.is_grad_enabled()],
        "matplotlib": hashlib.sha256(repr(sorted(matplotlib.rcParams.items())).encode()).hexdigest(),
        "shm": shm(), "keyring": keyring(),
    }}
print("STATE " + json.dumps(_state(), sort_keys=True))
import torch  # seeded at random once per zygote: the same in every child of one worker
print("RNG", torch.initial_seed(), hashlib.sha256(torch.get_rng_state().numpy().tobytes()).hexdigest())
'''


def _state(output: str) -> dict:
    line = next(ln for ln in output.splitlines() if ln.startswith("STATE "))
    return json.loads(line.removeprefix("STATE "))


def _kept_in_tmp() -> list[str]:
    """Where the checkout (Python, the kit) sits under /tmp: those paths relative to /tmp. The
    student sees them, read-only, in its fresh /tmp (their folders are made there)."""
    keep = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, str(ROOT / "src"))}
    return sorted(os.path.relpath(p, "/tmp") for p in keep if p.startswith("/tmp/"))


def _leading_in_tmp() -> list[str]:
    return sorted({p.split(os.sep)[0] for p in _kept_in_tmp()})


def _folders_made_in_tmp() -> int:
    parts = [p.split(os.sep) for p in _kept_in_tmp()]
    return len({os.sep.join(p[:i]) for p in parts for i in range(1, len(p) + 1)})


def _assert_pristine(state: dict) -> None:
    """What no earlier submission can have changed, stated outright."""
    tmp = sorted(["<s>"] + _leading_in_tmp())
    assert state["files"] == {"/tmp": tmp, "/var/tmp": [], "/dev/shm": [], "<scratch>": []}, state["files"]
    assert (state["disk"][1] == state["disk"][0]  # all free
            and state["disk"][2] <= 8 + _folders_made_in_tmp()), state["disk"]
    assert not [e for e in state["env"] if e.startswith(("PLANTED=", "PYTHONPATH=/tmp", "LD_PRELOAD="))]
    assert state["cwd"] == "<scratch>" and state["umask"] != 0
    assert state["signals"]["SIGTERM"] != repr(1) and "SIGUSR2" not in state["blocked"]
    assert state["rlimits"]["RLIMIT_NOFILE"] != [200, 200] and state["as"]
    assert state["fds"] == ["0", "1", "2", "3", "900", "901"], state["fds"]  # 3: the listing itself
    assert state["torch"] == [1, "torch.float32", False, "highest", True], state["torch"]
    assert state["shm"] is False and state["keyring"] in (False, "n/a")


# --- a class, graded as a user grades it -------------------------------------

@pytest.fixture(scope="module")
def gradebook(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("gradebook")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / LESSON.assignment, course / "source" / LESSON.assignment)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", LESSON.assignment, "--force"],
                   cwd=course, env=env, check=True, capture_output=True)
    return course / "gradebook.db"


def _grade_class(course: Path, gradebook: Path, members: dict[str, str]) -> dict[str, dict]:
    for student, source in members.items():
        folder = course / "submitted" / student / LESSON.assignment
        folder.mkdir(parents=True)
        (folder / "submission.py").write_text(source)
    shutil.copy(gradebook, course / "gradebook.db")
    proc = subprocess.run([sys.executable, "-m", "looplab", "grade", LESSON.assignment, "--course",
                           str(course), "--json", "--jobs", "1"], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {r["student"]: r for r in map(json.loads, proc.stdout.splitlines())}
    reports = course / "autograded"
    for student, row in rows.items():
        result = json.loads((reports / student / LESSON.assignment / "looplab-result.json").read_text())
        row["output"] = result["report"]["output"]
    return rows


@needs_bwrap
def test_a_planter_graded_first_by_the_same_worker_changes_nothing_for_the_next(tmp_path, gradebook):
    probes = {"b-probe": PROBE, "c-probe": PROBE}
    alone = _grade_class(tmp_path / "alone", gradebook, probes)
    after = _grade_class(tmp_path / "after", gradebook, {"a-planter": PLANTER, **probes})
    assert "PLANTER wrote 2" in after["a-planter"]["output"]  # it filled its 256 MiB allowance
    assert "shm True" in after["a-planter"]["output"]
    assert "key True" in after["a-planter"]["output"] or "key n/a" in after["a-planter"]["output"]
    for student in probes:
        assert after[student]["score"] == after[student]["max_score"] == alone[student]["score"]
        assert after[student]["status"] == "ok"
        _assert_pristine(_state(after[student]["output"]))
        assert _but_rng(after[student]["output"]) == _but_rng(alone[student]["output"])  # byte for byte
        assert _scores(after[student]) == _scores(alone[student])
    # torch's generator is seeded at random once per worker: compared within a run
    for run in (alone, after):
        assert _rng(run["b-probe"]["output"]) == _rng(run["c-probe"]["output"])
    assert " 1234 " not in _rng(after["b-probe"]["output"]) + " "


def _rng(output: str) -> str:
    return next(ln for ln in output.splitlines() if ln.startswith("RNG "))


def _but_rng(output: str) -> str:
    return "\n".join(ln for ln in output.splitlines() if not ln.startswith("RNG "))


def _scores(row: dict) -> dict[str, float]:
    return {task: result["score"] for task, result in row["tasks"].items()}


# --- the disk allowance ------------------------------------------------------

SMALL_DISK = replace(LESSON.limits, disk_mb=16, disk_files=200, call_seconds=5.0, total_seconds=60.0)


def _without(source: str, name: str) -> str:
    start = source.index(f"def {name}(")
    end = source.find("\ndef ", start + 1)
    return source[:start] + (source[end + 1:] if end != -1 else "")


@pytest.mark.parametrize("filler", [
    'with open("/tmp/big", "wb") as f:\n        while True:\n            f.write(b"x" * (1 << 20))',
    'for i in range(10_000):\n        open(f"/var/tmp/f{i}", "w").close()',
    'import torch\n    torch.save(torch.zeros(8 << 20), "/dev/shm/big.pt")',
], ids=["bytes", "files", "torch.save"])
def test_filling_the_disk_gives_status_disk_and_says_how_much(grade, filler):
    hostile = _without(REFERENCE_1_3, "epochs_to_target") + f'''
def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    {filler}
    return 0.0
'''
    report = grade(hostile, limits=SMALL_DISK)
    assert report.tasks["epochs_to_target"].status == "disk" and report.tasks["epochs_to_target"].score == 0
    message = failed_messages(report, "epochs_to_target")
    assert "your code wrote more than 16 MiB to disk (or more than 200 files)" in message, message
    assert report.tasks["train_batch"].score == report.tasks["train_batch"].max_score


def test_a_full_disk_at_load_time_is_named_in_the_notes(grade):
    hostile = 'with open("/tmp/big", "wb") as f:\n    while True:\n        f.write(b"x" * (1 << 20))\n'
    report = grade(hostile + REFERENCE_1_3, limits=SMALL_DISK)
    assert any("your code wrote more than 16 MiB to disk" in note for note in report.notes), report.notes


def _shmem_kib() -> int:
    """Memory held by tmpfs and shared memory, machine-wide (/proc/meminfo `Shmem`)."""
    with open("/proc/meminfo") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Shmem:"))


def test_what_a_submission_wrote_is_freed_when_it_ends(grade):
    """The planter fills its 256 MiB allowance and 16 MiB of System V shared memory:
    once it is graded (the worker and its sandbox still alive), the machine has it back."""
    before = _shmem_kib()
    report = grade(PLANTER)
    assert "PLANTER wrote 2" in report.output and "shm True" in report.output, report.output
    deadline = time.monotonic() + 10  # the kernel frees an IPC namespace a little later
    while _shmem_kib() - before > 32 * 1024 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _shmem_kib() - before < 32 * 1024, (before, _shmem_kib())


# --- other ways in: the same check, a restarted sandbox, no sandbox -------------

def _spawn(zygote, source: str, limits: Limits = Limits()):
    from looplab.sandbox.runner import StudentProcess
    process = StudentProcess(zygote, [{"name": "cell", "source": source}], limits)
    process.start()
    return process


WRITER = '''
import os
def write():
    for d in ["/tmp", "/var/tmp", "/dev/shm", os.environ["HOME"]]:
        open(os.path.join(d, "mine.txt"), "w").write("x")
    return sorted(os.listdir("/tmp"))
def look():
    return {d: sorted(os.listdir(d)) for d in ["/tmp", "/var/tmp", "/dev/shm", os.environ["HOME"]]}
'''


def test_two_processes_of_one_check_never_see_each_others_files(checker):
    """The student and the reference run side by side, from the same zygote."""
    reference, student = _spawn(checker.zygote, WRITER), _spawn(checker.zygote, WRITER)
    try:
        student.call("write", [])
        seen = reference.call("look", [])["result"]
        assert [n for names in seen.values() for n in names if n == "mine.txt"] == [], seen
        assert "mine.txt" in student.call("look", [])["result"]["/dev/shm"]
    finally:
        reference.stop()
        student.stop()


@pytest.mark.parametrize("sandbox", [True, False], ids=["restarted sandbox", "no sandbox"])
def test_a_fresh_checker_and_the_no_sandbox_path_start_empty_too(tmp_path, sandbox):
    from looplab.check import Checker
    if sandbox and bwrap.available() is not None:
        pytest.skip(f"no sandbox here: {bwrap.available()}")
    host_tmp = set(os.listdir("/tmp"))
    for source, name in ((PLANTER, "planter.py"), (PROBE, "probe.py")):
        (tmp_path / name).write_text(source)
    first = Checker(ROOT, sandbox=sandbox)
    try:
        first.check("1.3", tmp_path / "planter.py")
    finally:
        first.close()
    second = Checker(ROOT, sandbox=sandbox)
    try:
        report = second.check("1.3", tmp_path / "probe.py")
    finally:
        second.close()
    assert report.score == report.max_score
    _assert_pristine(_state(report.output))
    assert not {"planted.txt", "fill", "json.py"} & (set(os.listdir("/tmp")) - host_tmp)


@needs_bwrap
def test_the_student_can_write_nowhere_but_its_own_fresh_places(grade):
    walker = _without(REFERENCE_1_3, "epochs_to_target") + '''
import os
def epochs_to_target(X, y, w0, b0, batch_size, lr, target, max_epochs, generator):
    mine = ("/tmp", "/var/tmp", "/dev/shm")
    found, elsewhere = 0, []
    for top, dirs, files in os.walk("/"):
        if top in ("/proc", "/sys") or os.statvfs(top).f_flag & os.ST_RDONLY:
            dirs[:] = []  # nothing below a read-only mount can be written
            continue
        for name in [""] + [f for f in files if not top.startswith("/dev")]:
            path = os.path.join(top, name).rstrip("/") or "/"
            if os.access(path, os.W_OK) and not os.path.islink(path):
                found += 1
                if not (path in mine or path.startswith(tuple(m + "/" for m in mine))):
                    elsewhere.append(path)
    raise RuntimeError("WRITABLE " + repr((found, elsewhere)) + " END")
'''
    message = failed_messages(grade(walker), "epochs_to_target")
    found, elsewhere = eval(message.split("WRITABLE ", 1)[1].split(" END", 1)[0])  # our own repr
    assert found >= 4 and elsewhere == [], (found, elsewhere)  # /tmp, /var/tmp, /dev/shm, scratch


@needs_bwrap
def test_an_unprivileged_sandbox_gets_the_same_fresh_places(tmp_path):
    """Where the grader is not root, bubblewrap runs in a user namespace: the child maps
    its own ids into one of its own, mounts the same tmpfs, then gives up its capabilities."""
    script = tmp_path / "unprivileged.py"
    script.write_text(f'''
import ctypes, os, sys
sys.path.insert(0, {str(ROOT / "src")!r})
from looplab.sandbox import namespaces
from looplab.sandbox.limits import Limits
os.makedirs("/tmp/scratch", exist_ok=True)
open("/tmp/outside", "w").write("x")
r1, w1 = os.pipe(); r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    why = namespaces.enter("/tmp/scratch", Limits(disk_mb=8), (w1, r2))
    namespaces.seal()
    open("/tmp/inside", "w").write("x")
    caps = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]
    umount = ctypes.CDLL(None).umount2(b"/tmp", 2)
    st = os.statvfs("/tmp")
    print(why, os.getuid(), sorted(os.listdir("/tmp")), st.f_blocks * st.f_frsize >> 20, caps, umount)
    sys.stdout.flush()
    os._exit(0)
namespaces.map_child(pid, r1, w2)
os.waitpid(pid, 0)
print(sorted(os.listdir("/tmp")))
''')
    keep = sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, str(ROOT / "src"))})
    binds = [a for p in keep for a in ("--ro-bind", p, p)] + ["--ro-bind", str(tmp_path), "/probe"]
    proc = subprocess.run(["bwrap", "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
                           *[a for d in ("/bin", "/lib", "/lib64", "/sbin") if os.path.exists(d)
                             for a in (("--symlink", os.readlink(d), d) if os.path.islink(d) else ("--ro-bind", d, d))],
                           "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp",
                           *binds, "--unshare-user", "--uid", "1000", "--gid", "1000", "--unshare-pid",
                           sys.executable, "/probe/unprivileged.py"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    child, parent = proc.stdout.splitlines()
    # a checkout under /tmp: the folder that leads to Python and the kit stays (read-only inside)
    leading = _leading_in_tmp()
    assert child == f"None 1000 {sorted(['inside', 'scratch'] + leading)} 8 0000000000000000 -1", child
    assert parent == str(sorted(["outside", "scratch"] + leading)), parent
