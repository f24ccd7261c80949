"""Class-grading throughput: `nbgrader autograde` against `looplab grade`, same class.

What it measures. A temporary nbgrader course gets a class of notebook submissions of
one lesson (--lesson, default 1.3), built from the committed student notebook
(release/) with its answer cells filled from the instructor notebook's solutions
(source/): mostly correct students, some with a planted bug (the lesson catalogue's
first mistakes, its `example="buggy"` one first, each transplanted into the answer
cells that define the functions it changes), one slow (the catalogue's
`example="slow"` mistake, where the lesson has one) and exactly one hanging
(`while True: pass` at the top of the lesson's last task). The same class is then
graded twice, each on its own copy of the course (same gradebook state, right after
`nbgrader generate_assignment`):

  nbgrader   `python -m nbgrader autograde lesson-M.L`: one kernel per notebook,
             every cell executed (demonstrations included); each hidden test cell
             calls looplab.nbgrader_hook.hidden_score, which runs `looplab check`
             once per notebook in a subprocess. nbgrader's default timeout is 30 s
             per cell, so the hanging notebook costs 30 s for every cell that
             calls the hanging function: that is nbgrader's real cost and is kept.
  looplab    `python -m looplab grade lesson-M.L --course COPY --json --jobs J`.

Each whole command is timed with time.perf_counter (with --repeat R the two are
interleaved, alternating which goes first, and medians are reported). Then the
honest submissions (correct and buggy) must get the same total score from both:
nbgrader's from its gradebook, looplab's from its JSON lines. A mismatch exits 1.

Run:  uv run python benchmarks/grade_throughput.py [--lesson M.L] [--students N] [--jobs J] [--repeat R] [--keep]
Figures go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BUGGY_KINDS = 3  # distinct planted bugs in a class, taken from the lesson's catalogue

ASSIGNMENT = NOTEBOOK = ""  # set by main() from --lesson
KINDS: dict[str, dict[str, str]] = {}  # kind -> {grade_id: answer cell code}
HONEST: set[str] = set()  # kinds whose scores must agree between the two graders


def solution_cells(lesson_id: str) -> dict[str, str]:
    """grade_id -> the instructor's answer cell code, solution markers removed."""
    source = nbformat.read(ROOT / "source" / f"lesson-{lesson_id}" / f"lesson-{lesson_id}.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]:
            "\n".join(line for line in c.source.splitlines() if line.strip() not in (BEGIN, END))
            for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}


def _definitions(code: str) -> dict[str, str]:
    """Top-level def/class name -> its source text (decorators included)."""
    lines = code.splitlines()
    found = {}
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found[node.name] = "\n".join(lines[first - 1:node.end_lineno])
    return found


def transplant(cells: dict[str, str], reference: str, submission: str) -> dict[str, str] | None:
    """The answer cells with every top-level definition that `submission` (a whole .py, a
    catalogue entry) changes from `reference` replaced by the submission's version; None
    when a changed definition lives in no answer cell (the kind cannot be built)."""
    theirs, ours = _definitions(submission), _definitions(reference)
    changed = {name for name, text in theirs.items() if ours.get(name) != text}
    cells = dict(cells)
    for grade_id, code in cells.items():
        for name, text in _definitions(code).items():
            if name in changed:
                code = code.replace(text, theirs[name])
                changed.discard(name)
        cells[grade_id] = code
    return None if changed else cells


def hanging(cells: dict[str, str], task: str) -> dict[str, str]:
    """The answer cells with `while True: pass` as the first statement of `task`'s body."""
    cells = dict(cells)
    for grade_id, code in cells.items():
        for node in ast.parse(code).body:
            if isinstance(node, ast.FunctionDef) and node.name == task:
                body = node.body[1:] if ast.get_docstring(node) and len(node.body) > 1 else node.body
                lines = code.splitlines()
                indent = " " * body[0].col_offset
                lines.insert(body[0].lineno - 1, f"{indent}while True:\n{indent}    pass")
                cells[grade_id] = "\n".join(lines)
                return cells
    raise SystemExit(f"error: no answer cell defines {task}")


def class_kinds(lesson_id: str) -> dict[str, dict[str, str]]:
    """kind -> answer cells. correct: the instructor's solution; buggy: the lesson catalogue's
    first mistakes that live in answer cells (its `example="buggy"` one first); slow: its
    `example="slow"` mistake (if it has one); hanging: `while True: pass` in the last task."""
    from looplab import catalogue, lessons
    lesson = lessons.get(lesson_id)
    cells = solution_cells(lesson.id)
    reference = catalogue.reference_source(lesson.id)
    mistakes = catalogue.load(lesson).MISTAKES
    kinds = {"correct": cells}
    ordered = sorted(mistakes, key=lambda m: m.example != "buggy")
    for mistake in ordered:
        if mistake.example == "slow" or mistake.gap:
            continue
        built = transplant(cells, reference, mistake.source)
        if built is not None:
            kinds[f"buggy: {mistake.id}"] = built
        if len(kinds) > BUGGY_KINDS:
            break
    slow = [m for m in mistakes if m.example == "slow"]
    if slow and (built := transplant(cells, reference, slow[0].source)) is not None:
        kinds["slow"] = built
    kinds["hanging"] = hanging(cells, lesson.tasks[-1])
    return kinds


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def env() -> dict[str, str]:
    """nbgrader calls `alembic` (and the kernel `python`) from PATH: put the venv's bin first."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def run(cmd: list[str], cwd: Path, log: Path) -> tuple[float, str]:
    """Run a command to completion; return (wall seconds, stdout). stderr goes to `log`."""
    start = time.perf_counter()
    with log.open("w") as err:
        proc = subprocess.run(cmd, cwd=cwd, env=env(), stdout=subprocess.PIPE, stderr=err, text=True,
                              check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = log.read_text()[-3000:]
        sys.exit(f"error: {' '.join(cmd[1:4])} exited {proc.returncode} in {cwd}; end of {log}:\n{tail}")
    return wall, proc.stdout


def roster(n: int) -> dict[str, str]:
    """student id -> kind: one slow (if the lesson has one), one hanging, about a third of
    the rest buggy (at least one correct), the bug kinds taken in turn; order shuffled with
    a fixed seed."""
    bugs = [k for k in KINDS if k.startswith("buggy")]
    special = [k for k in ("slow", "hanging") if k in KINDS]
    honest = n - len(special)
    n_buggy = min(max(2, honest // 3), honest - 1)
    kinds = special + [bugs[i % len(bugs)] for i in range(n_buggy)]
    kinds += ["correct"] * (honest - n_buggy)
    random.Random(0).shuffle(kinds)
    return {f"student{i + 1:02d}": kind for i, kind in enumerate(kinds)}


def make_course(course: Path, students: dict[str, str]) -> None:
    """Course dir with the gradebook made by generate_assignment and submitted/ filled."""
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
        course, course.parent / "generate_assignment.log")
    release = nbformat.read(ROOT / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    for student, kind in students.items():
        nb = nbformat.from_dict(json.loads(json.dumps(release)))  # a deep copy
        code = KINDS[kind]
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                cell.source = code[meta["grade_id"]]
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NOTEBOOK)


def grade_nbgrader(course: Path, students: dict[str, str]) -> tuple[float, dict[str, dict], int]:
    """Wall time, {student: {"score", "tasks": {task: score}}} from the gradebook, and how
    often nbgrader hit its per-cell timeout (each one cost that timeout, 30 s by default)."""
    log = course.parent / f"{course.name}.log"
    # nbgrader's own default cell timeout (the course's config raises it to 120 s)
    wall, _ = run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--Execute.timeout=30"],
                  course, log)
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        rows = {}
        for student in students:
            sub = gb.find_submission(ASSIGNMENT, student)
            rows[student] = {"score": sub.score, "tasks": {g.name.removeprefix("test_"): g.score
                                                           for nb in sub.notebooks for g in nb.grades}}
    return wall, rows, log.read_text().count("Timeout waiting for execute reply")


def grade_looplab(course: Path, jobs: int) -> tuple[float, dict[str, dict]]:
    wall, out = run([sys.executable, "-m", "looplab", "grade", ASSIGNMENT, "--course", str(course),
                     "--json", "--jobs", str(jobs)], ROOT, course.parent / f"{course.name}.log")
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return wall, {row["student"]: row for row in rows}


def compare(runs: list[tuple[dict, dict]], students: dict[str, str]) -> int:
    """Print the score table (first run) and every honest submission whose total differs
    between nbgrader and looplab in any run, with the tasks that differ; return how many."""
    mismatches = []
    print(f"\n{'student':<11} {'kind':<26} {'nbgrader':>8} {'looplab':>8}  compared")
    for r, (nb_rows, ll_rows) in enumerate(runs):
        for student, kind in students.items():
            nb, ll = nb_rows[student]["score"], ll_rows[student]["score"]
            same = abs(nb - ll) < 1e-6
            if kind in HONEST and not same:
                mismatches.append((r + 1, student, kind, nb, ll))
            if r == 0:
                verdict = ("same" if same else "MISMATCH") if kind in HONEST else "(not compared)"
                print(f"{student:<11} {kind:<26} {nb:>8g} {ll:>8g}  {verdict}")
    for r, student, kind, nb, ll in mismatches:
        nb_tasks, ll_tasks = runs[r - 1][0][student]["tasks"], runs[r - 1][1][student]["tasks"]
        diff = ", ".join(f"{t} {nb_tasks.get(t, float('nan')):g} vs {v['score']:g}"
                         for t, v in ll_tasks.items() if abs(nb_tasks.get(t, -1) - v["score"]) > 1e-6)
        print(f"MISMATCH (run {r}) {student} [{kind}]: nbgrader {nb:g}, looplab {ll:g}; "
              f"differing tasks (nbgrader vs looplab): {diff}")
    return len(mismatches)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="1.3", help="the lesson whose class is graded (default 1.3, "
                        "so figures compare across versions)")
    parser.add_argument("--students", type=int, default=12, help="class size, at least 3 (default 12)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="looplab workers (default: all cores)")
    parser.add_argument("--repeat", type=int, default=1, help="gradings of each kind, interleaved (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary course directories")
    args = parser.parse_args()
    if args.students < 3:
        parser.error("--students must be at least 3 (a correct, a slow and a hanging one)")
    global ASSIGNMENT, NOTEBOOK
    from looplab import lessons
    lesson = lessons.get(args.lesson)
    ASSIGNMENT, NOTEBOOK = lesson.assignment, f"{lesson.assignment}.ipynb"
    KINDS.update(class_kinds(lesson.id))
    HONEST.update(k for k in KINDS if k == "correct" or k.startswith("buggy"))
    students = roster(args.students)
    tmp = Path(tempfile.mkdtemp(prefix="looplab-bench-"))
    say(f"courses under {tmp}")
    try:
        template = tmp / "template"
        template.mkdir()
        say(f"generating the assignment and {len(students)} submissions ...")
        make_course(template, students)
        walls: dict[str, list[float]] = {"nbgrader": [], "looplab": []}
        runs = []  # (nbgrader scores, looplab rows) per repetition
        for r in range(args.repeat):
            result = {}
            for name in (["nbgrader", "looplab"] if r % 2 == 0 else ["looplab", "nbgrader"]):
                course = shutil.copytree(template, tmp / f"{name}-{r + 1}", symlinks=True)
                say(f"[{r + 1}/{args.repeat}] {name} grading {len(students)} submissions ...")
                if name == "nbgrader":
                    wall, result[name], timeouts = grade_nbgrader(course, students)
                    say(f"[{r + 1}/{args.repeat}] nbgrader hit its cell timeout {timeouts} time(s)")
                else:
                    wall, result[name] = grade_looplab(course, args.jobs)
                walls[name].append(wall)
                say(f"[{r + 1}/{args.repeat}] {name}: {wall:.1f} s")
            runs.append((result["nbgrader"], result["looplab"]))
    except BaseException:
        say(f"failed: the courses and logs are kept in {tmp}")
        raise
    if args.keep:
        say(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)

    mismatches = compare(runs, students)
    n, jobs = len(students), max(1, min(args.jobs, len(students)))  # looplab caps workers at N
    nb_wall, ll_wall = statistics.median(walls["nbgrader"]), statistics.median(walls["looplab"])
    check_s = statistics.median(row["timings"].get("total", 0.0) for row in runs[-1][1].values())
    # Per-submission overhead: during its wall time looplab has `jobs` workers, i.e.
    # ll_wall * jobs worker-seconds, so each submission costs ll_wall * jobs / n worker-seconds.
    # A report's timings.total is the time spent inside the check itself (loading the
    # submission, running the hidden checks). The difference is what grading a class adds
    # per submission: interpreter start, torch import, worker and zygote start-up, result
    # and feedback files, the gradebook merge, and workers left idle while the last
    # (slow or hanging) submissions finish. So it overstates the fixed cost when the class
    # is small or uneven: idle tail time (e.g. behind the hanging submission) lands in it.
    overhead = ll_wall * jobs / n - check_s
    print(f"\nmachine: {os.cpu_count()} cores; looplab --jobs {args.jobs} ({jobs} worker(s) used)")
    print(f"lesson {lesson.id}; submissions: {n} ({sum(k == 'correct' for k in students.values())} correct, "
          f"{sum(k.startswith('buggy') for k in students.values())} buggy, "
          f"{sum(k == 'slow' for k in students.values())} slow, 1 hanging in {lesson.tasks[-1]})"
          + (f"; medians of {args.repeat} runs each" if args.repeat > 1 else ""))
    print(f"nbgrader autograde: {nb_wall:8.1f} s wall, {n / nb_wall * 60:6.1f} submissions/min "
          f"(includes nbgrader's 30 s per-cell timeout, hit {timeouts} time(s) in the last run: "
          f"every cell that calls the hanging {lesson.tasks[-1]}, and any cell slower than that)")
    print(f"looplab grade:      {ll_wall:8.1f} s wall, {n / ll_wall * 60:6.1f} submissions/min")
    print(f"throughput ratio looplab/nbgrader: {nb_wall / ll_wall:.1f}x")
    print(f"looplab per submission: {ll_wall * jobs / n:.2f} worker-s = median check {check_s:.2f} s "
          f"+ overhead {overhead:.2f} s (wall x jobs / N - median timings.total)")
    # The split of that overhead: timings.worker is all a worker spent on one submission
    # (check, feedback page, result files), so worker - total is what class grading adds to
    # each submission; the rest of the wall time is paid once per run (interpreter and torch
    # import, worker and sandbox start-up, the gradebook merge) and idle workers at the end.
    rows = runs[-1][1].values()
    marginal = statistics.median(r["timings"].get("worker", 0.0) - r["timings"].get("total", 0.0)
                                 for r in rows)
    fixed = ll_wall - sum(r["timings"].get("worker", 0.0) for r in rows) / jobs
    print(f"looplab overhead split: {marginal:.3f} s per submission (median timings.worker - "
          f"timings.total) + {fixed:.1f} s once per run (wall - sum(timings.worker) / jobs)")
    if mismatches:
        print(f"FAIL: {mismatches} honest submission(s) scored differently by nbgrader and looplab")
        return 1
    print("OK: every honest submission got the same score from both graders")
    return 0


if __name__ == "__main__":
    sys.exit(main())
