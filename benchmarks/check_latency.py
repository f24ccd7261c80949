"""How long one `looplab check` takes, lesson by lesson, and where the time goes.

For every lesson (or those named), each round runs, in a shuffled order:

  anchor      `python -c "import torch, os; os._exit(0)"`: the floor any check pays before
              its first tensor. It ends the way looplab itself does (`looplab.cli._exit_quickly`),
              skipping Python's slow teardown, so the anchor is not padded by 0.4 s of exit;
  reference   `python -m looplab check M.L solutions/lesson-M.L.py --json` (full marks);
  untouched   `python -m looplab check M.L release/lesson-M.L/lesson-M.L.ipynb --json`.

Each is a fresh process, timed whole with time.perf_counter (the interpreter of this
environment, so `uv run`'s own start, about 0.5 s, is not in the figures). Medians over
--repeat rounds are printed, with the reference run's split taken from its report:

  student     timings.student_code: the student's code running (calls and loading);
  checks      timings.total - student - spawn: the checker's own work (hidden checks,
              reference), without timings.spawn, the wait for the sandbox to fork the
              student's process (the sandbox's own start-up, when it is not over yet);
  start-up    wall - checks - student: interpreter, imports, sandbox start, report.

`over` is wall - (anchor + student + checks): what a check costs above importing torch once
and doing its real work, the figure the start-up overlap is meant to keep under 0.5 s; and
`x anchor` is the wall time as a multiple of the anchor measured in the same run.

Run:  uv run python benchmarks/check_latency.py [--lessons 1.3 2.1 ...] [--repeat 3]
Figures go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def timed(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # check exits 1 when points were lost
        sys.exit(f"error: {' '.join(cmd[2:])} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return wall, proc.stdout


def main() -> int:
    from looplab.lessons import LESSONS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", nargs="*", default=None, help="lesson ids (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, interleaved (default 3)")
    args = parser.parse_args()
    ids = args.lessons or list(LESSONS)
    python = sys.executable
    runs: list[tuple[str, str, list[str]]] = [("anchor", "", [python, "-c", "import torch, os; os._exit(0)"])]
    for lesson_id in ids:
        lesson = LESSONS.get(lesson_id)
        if lesson is None:
            sys.exit(f"error: no lesson {lesson_id}\nhint: `uv run looplab lessons` lists them")
        runs.append((lesson.id, "reference",
                     [python, "-m", "looplab", "check", lesson.id, str(lesson.solution(ROOT)), "--json"]))
        notebook = ROOT / "release" / lesson.assignment / f"{lesson.assignment}.ipynb"
        runs.append((lesson.id, "untouched", [python, "-m", "looplab", "check", lesson.id, str(notebook), "--json"]))
    walls: dict[tuple[str, str], list[float]] = {}
    reports: dict[tuple[str, str], list[dict]] = {}
    rng = random.Random(0)
    for r in range(args.repeat):
        order = runs[:]
        rng.shuffle(order)
        for i, (lesson_id, kind, cmd) in enumerate(order):
            print(f"\r[round {r + 1}/{args.repeat}] {i + 1}/{len(order)} {lesson_id} {kind}      ",
                  end="", file=sys.stderr, flush=True)
            wall, out = timed(cmd)
            walls.setdefault((lesson_id, kind), []).append(wall)
            if kind:
                reports.setdefault((lesson_id, kind), []).append(json.loads(out))
    print(file=sys.stderr)

    anchor = statistics.median(walls[("anchor", "")])
    print(f"anchor (import torch): {anchor:.2f} s; medians of {args.repeat} rounds; seconds\n")
    print(f"{'lesson':<7} {'reference':>9} {'x anchor':>8} {'start-up':>8} {'student':>8} {'checks':>7} "
          f"{'over':>6}   {'untouched':>9} {'x anchor':>8}")
    for lesson_id in ids:
        ref = walls[(lesson_id, "reference")]
        timings = reports[(lesson_id, "reference")]
        student = statistics.median(t["timings"].get("student_code", 0.0) for t in timings)
        wall = statistics.median(ref)
        checks = statistics.median(t["timings"].get("total", 0.0) - t["timings"].get("student_code", 0.0)
                                   - t["timings"].get("spawn", 0.0) for t in timings)
        untouched = statistics.median(walls[(lesson_id, "untouched")])
        print(f"{lesson_id:<7} {wall:9.2f} {wall / anchor:8.2f} {wall - student - checks:8.2f} {student:8.2f} "
              f"{checks:7.2f} {wall - (anchor + student + checks):6.2f}   {untouched:9.2f} "
              f"{untouched / anchor:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
