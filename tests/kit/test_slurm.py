"""The README's Slurm array job, run on a one-node Slurm cluster that this module starts itself.

The cluster is Debian's `slurm-wlm` with `munge` (`.ci/run` installs both): munged, slurmctld
and slurmd run in the foreground from a temporary directory (configuration, munge key and
socket, state, spool, logs), on free ports, with no cgroups, and are stopped at teardown.
The test is skipped only when those daemons fail to start, with the reason from their logs.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import REFERENCE_1_3, ROOT
from test_grade import CLASS, _course, _gradebook_scores, _looplab, gradebook_template  # noqa: F401

pytestmark = pytest.mark.slurm

MEMBERS = {"ada": REFERENCE_1_3, "ben": CLASS["ben"], "dee": CLASS["dee"]}  # full, partial, crash
SHARED = "/shared/course"  # where the README's example keeps the course
SIZE = "#SBATCH --array=1-3 --cpus-per-task=1"  # the README's array, at the size of one 2-CPU node
DAEMONS = ("munged", "slurmctld", "slurmd")

CONF = """\
ClusterName=looplab
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser={user}
SlurmdUser={user}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={dir}/run/munge.socket
StateSaveLocation={dir}/state
SlurmdSpoolDir={dir}/spool
SlurmctldPidFile={dir}/run/slurmctld.pid
SlurmdPidFile={dir}/run/slurmd.pid
SlurmctldLogFile={dir}/log/slurmctld.log
SlurmdLogFile={dir}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/builtin
SchedulerParameters=kill_invalid_depend
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""


class DaemonsDidNotStart(Exception):
    """munged, slurmctld or slurmd did not come up; the message says which and why (its log)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 6) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


class OneNodeSlurm:
    """munged + slurmctld + slurmd for the current user on 127.0.0.1, all state under `dir`.

    `start()` returns once the node is idle, or raises DaemonsDidNotStart; `stop()` cancels
    every job and ends the three daemons (always safe to call). `env` is what Slurm's client
    commands (sbatch, squeue, scontrol) need to talk to this cluster.
    """

    def __init__(self, slurmd_port: int | None = None) -> None:
        # munged wants every directory above its socket searchable by all, so not pytest's 0700 tmp
        self.dir = Path(tempfile.mkdtemp(prefix="looplab-slurm-"))
        self.dir.chmod(0o755)
        self.env = dict(os.environ, SLURM_CONF=str(self.dir / "slurm.conf"))
        self.procs: dict[str, subprocess.Popen] = {}
        self.slurmd_port = slurmd_port or _free_port()

    def start(self) -> None:
        for sub, mode in {"run": 0o755, "munge": 0o700, "state": 0o700, "spool": 0o700, "log": 0o755}.items():
            (self.dir / sub).mkdir(mode=mode)
        key = self.dir / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        (self.dir / "slurm.conf").write_text(CONF.format(
            dir=self.dir, user=getpass.getuser(), ctld_port=_free_port(), slurmd_port=self.slurmd_port))
        d, conf = self.dir, str(self.dir / "slurm.conf")
        self._spawn("munged", ["munged", "-F", f"--key-file={key}", f"--socket={d}/run/munge.socket",
                               f"--pid-file={d}/run/munged.pid", f"--seed-file={d}/munge/seed",
                               f"--log-file={d}/log/munged.log"], lambda: (d / "run" / "munge.socket").exists())
        self._spawn("slurmctld", ["slurmctld", "-D", "-f", conf], lambda: self._ok("scontrol", "ping"))
        self._spawn("slurmd", ["slurmd", "-D", "-f", conf, "-N", "localhost"],
                    lambda: self._out("sinfo", "-h", "-o", "%T") == "idle")

    def _spawn(self, name: str, argv: list[str], ready, timeout: float = 60) -> None:
        argv = [shutil.which(argv[0], path=f"{os.environ['PATH']}:/usr/sbin:/sbin"), *argv[1:]]
        with (self.dir / "log" / f"{name}.stderr").open("w") as log:
            self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                                start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            code = self.procs[name].poll()
            if code is None and ready():
                return
            if code is not None or time.monotonic() > deadline:
                why = f"exited with status {code}" if code is not None else f"not ready after {timeout:.0f} s"
                logs = _tail(self.dir / "log" / f"{name}.log") or _tail(self.dir / "log" / f"{name}.stderr")
                raise DaemonsDidNotStart(f"{name} {why}:\n{logs}")
            time.sleep(0.2)

    def _out(self, *argv: str) -> str:
        proc = subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=30)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    def _ok(self, *argv: str) -> bool:
        return subprocess.run(argv, capture_output=True, env=self.env, timeout=30).returncode == 0

    def wait_until_idle(self, timeout: float) -> None:
        """Return once no job is pending or running (squeue lists none); fail after `timeout` s."""
        deadline = time.monotonic() + timeout
        while self._out("squeue", "-h", "-o", "%i %T") or not self._ok("squeue"):
            assert time.monotonic() < deadline, f"jobs still queued after {timeout} s:\n{self._out('squeue')}"
            time.sleep(0.3)

    def jobs(self) -> list[dict[str, str]]:
        """Every job the controller remembers (array tasks one by one), as scontrol's fields."""
        lines = self._out("scontrol", "show", "job", "-o").splitlines()
        return [dict(re.findall(r"(\w+)=(\S*)", line)) for line in lines if line.startswith("JobId=")]

    def stop(self) -> None:
        if "slurmctld" in self.procs and self.procs["slurmctld"].poll() is None:
            self._ok("scancel", "--user", getpass.getuser())
            deadline = time.monotonic() + 20
            while self._out("squeue", "-h") and time.monotonic() < deadline:
                time.sleep(0.3)
        for name in reversed(DAEMONS):  # slurmd first, munged last
            proc = self.procs.get(name)
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _missing_programs() -> list[str]:
    path = f"{os.environ['PATH']}:/usr/sbin:/sbin"
    return [p for p in (*DAEMONS, "sbatch", "squeue", "scontrol") if not shutil.which(p, path=path)]


@pytest.fixture(scope="module")
def slurm():
    if _missing_programs():  # a failure, not a skip: CI installs them, so this is a broken set-up
        pytest.fail(f"{', '.join(_missing_programs())} not found: apt-get install -y slurm-wlm munge")
    cluster = OneNodeSlurm()
    try:
        cluster.start()
    except DaemonsDidNotStart as e:
        cluster.stop()
        pytest.skip(f"Slurm's daemons do not run here: {e}")
    yield cluster
    cluster.stop()
    shutil.rmtree(cluster.dir, ignore_errors=True)


def _readme_slurm_example() -> tuple[str, str]:
    """The batch script and the lines that submit it, from the README's section on Slurm."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### Grading a MOOC on many machines"):]
    section = section[:section.index("\n### ", 1)] if "\n### " in section[1:] else section
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", section, re.S | re.M)
    script = next(b for b in blocks if b.startswith("#!/bin/bash") and "#SBATCH --array" in b)
    submit = next(b for b in blocks if "sbatch" in b and not b.startswith("#!"))
    return script, submit


def test_readme_array_job_on_slurm_merged_equals_one_unsharded_run(tmp_path, gradebook_template, slurm):
    script, submit = _readme_slurm_example()
    assert SHARED in script and SHARED in submit and "grade.sh" in submit
    whole = _course(tmp_path / "whole", gradebook_template, MEMBERS)
    sharded = _course(tmp_path / "sharded", gradebook_template, MEMBERS)
    jobdir = tmp_path / "jobs"
    jobdir.mkdir()
    (jobdir / "grade.sh").write_text(re.sub(r"^#SBATCH --array.*$", SIZE, script, count=1, flags=re.M)
                                     .replace(SHARED, str(sharded)))
    # the course here is not the checkout (as it is in the README): uv finds the project this way
    uv = shutil.which("uv") or os.environ.get("UV")
    assert uv, "uv is not on PATH"
    env = dict(slurm.env, UV_PROJECT=str(ROOT), PATH=f"{Path(uv).parent}{os.pathsep}{os.environ['PATH']}")
    started = time.monotonic()
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", submit.replace(SHARED, str(sharded))],
                          cwd=jobdir, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _looplab("grade", "1.3", "--course", str(whole)).returncode == 0  # meanwhile, unsharded
    slurm.wait_until_idle(timeout=300)
    took = time.monotonic() - started
    logs = {p.name: p.read_text(errors="replace") for p in sorted(jobdir.glob("slurm-*.out"))}
    jobs = slurm.jobs()
    shown = "\n".join(f"--- {n}\n{t[-2000:]}" for n, t in logs.items())
    assert sorted(j.get("ArrayTaskId", "-") for j in jobs) == ["-", "1", "2", "3"], shown
    assert all(j["JobState"] == "COMPLETED" and j["ExitCode"] == "0:0" for j in jobs), f"{jobs}\n{shown}"
    # each array task graded its own one-student shard
    for k in (1, 2, 3):
        task = next(t for n, t in logs.items() if re.fullmatch(rf"slurm-\d+_{k}\.out", n))
        assert f"shard {k}/3 done" in task and "1 submissions, 1 to grade" in task, task[-2000:]
    assert _gradebook_scores(sharded) == _gradebook_scores(whole)
    assert set(_gradebook_scores(sharded)) == set(MEMBERS)
    read = lambda c: (c / "exports" / "lesson-1.3" / "grades.csv").read_text()
    assert read(sharded) == read(whole)
    print(f"array job and merge on Slurm: {took:.1f} s")


def test_a_daemon_that_cannot_start_is_named_with_its_log(tmp_path):
    """The skip above says why: here slurmd's port is taken, and the reason quotes its log."""
    assert not _missing_programs(), "apt-get install -y slurm-wlm munge"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        cluster = OneNodeSlurm(slurmd_port=taken.getsockname()[1])
        try:
            with pytest.raises(DaemonsDidNotStart, match=r"(?s)^slurmd exited with status \d+:.*in use"):
                cluster.start()
        finally:
            cluster.stop()
            shutil.rmtree(cluster.dir, ignore_errors=True)
    assert all(p.poll() is not None for p in cluster.procs.values())
