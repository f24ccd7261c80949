"""`looplab grade` and `looplab merge`: the class-wide pipeline.

grade: find submissions -> skip those with a current result -> grade the rest
in `jobs` worker processes (results stored as they finish) -> print a summary
-> merge (unless grading one shard). merge: stored results -> gradebook + CSV.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Set as AbstractSet
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from looplab import lessons
from looplab.errors import UsageError
from looplab.grading import gradebook, outputs, results, submissions, workers
from looplab.check import zero_report
from looplab.course import course_dir
from looplab.grading.progress import Progress
from looplab.report import Report
from looplab.status import ERROR, MISSING


def grade(assignment: str, *, jobs: int | None = None, shard: str | None = None,
          as_json: bool = False, force: bool = False, sandbox: bool = True,
          course: Path | None = None, root: Path | None = None) -> int:
    """Grade a class; `course` holds submitted/ autograded/ and the gradebook (default: the
    current directory, see `looplab.course`), `root` the lessons' checks and solutions
    (default: `lessons.data_root()`)."""
    root = root or lessons.data_root()
    lesson = lessons.get(assignment)
    course = course_dir(course)
    _preflight(course, lesson, merging=not shard)
    found = submissions.find(course, lesson)
    if not found:
        raise UsageError(f"no submissions of {lesson.assignment} in {course / 'submitted'}",
                         f"collect them first, one folder per student: submitted/<student>/"
                         f"{lesson.assignment}/ (`nbgrader collect` or `nbgrader zip_collect`)")
    if shard:
        found = submissions.shard(found, *submissions.parse_shard(shard))
    checks = results.checks_digest(root, lesson)
    stored = {s.student: results.load(course, lesson, s.student) for s in found}
    todo = [s for s in found if s.path and (force or not results.is_current(stored[s.student], s.submission_digest, checks))]
    _record_missing(course, root, lesson, [s for s in found if s.path is None], checks)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    missing = sum(1 for s in found if s.path is None)
    _say(f"{lesson.assignment}: {len(found)} submissions, {len(todo)} to grade, "
         f"{len(found) - len(todo) - missing} already graded, {missing} without a notebook; "
         f"{jobs} worker(s)")
    written = _grade_all(root, course, lesson, todo, checks, jobs, sandbox, merging=not shard)
    records = {s.student: results.load(course, lesson, s.student) for s in found}
    if as_json:
        for student, record in records.items():
            print(json.dumps({"student": student, **record["report"]}), flush=True)
    _summary(records)
    if shard:
        _say(f"shard {shard} done; after every shard, run `looplab merge {lesson.assignment}`")
        return 0
    return merge(lesson.id, course=course, quiet=True, written=written)


def _preflight(course: Path, lesson, *, merging: bool) -> None:
    """One clear usage error before any work: no gradebook entry to merge into."""
    if merging:
        gradebook.require_assignment(course, lesson)


def _grade_all(root: Path, course: Path, lesson, todo: list, checks: str, jobs: int,
               sandbox: bool, merging: bool = False) -> set[str]:
    """Grade `todo` in `jobs` workers; with `merging`, also write each result into the
    gradebook as it arrives, and return the students written there."""
    if not todo:
        return set()
    import multiprocessing

    # the workers' sandboxed zygote (one for all) imports torch while this process does the same
    zygotes = workers.start_zygotes(str(root), str(course), sandbox, jobs, lesson.warm) if sandbox else []
    import torch  # noqa: F401 - imported once here, inherited by every forked worker
    _prepare(lesson, root)
    progress = Progress(len(todo))
    context = multiprocessing.get_context("fork")
    slots = context.SimpleQueue()
    for index in range(len(zygotes)):
        slots.put(index)
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=workers.init,
                             initargs=(str(root), str(course), sandbox, lesson.id, slots)) as pool:
        futures = {pool.submit(workers.grade, workers.Job(str(course), lesson.id, s.student,
                                                          str(s.path), s.submission_digest, checks)): s
                   for s in todo}
        workers.release_zygotes()  # every worker has forked (a fork pool starts them all at once)
        # The gradebook needs nbgrader (about a second to import): a background thread imports
        # it now, at low priority, then writes each result as it arrives, so the merge at the
        # end has little left to do. Only after the pool has forked: a fork while another
        # thread imports can deadlock the child.
        writer = gradebook.Writer(course, lesson) if merging else None
        try:
            for future in as_completed(futures):
                try:
                    student, report = future.result()
                    progress.update(report["status"])
                    if writer is not None:
                        writer.add(student, {"report": report})
                except Exception as exc:  # noqa: BLE001 - a broken pool included: the row must exist
                    s = futures[future]
                    progress.update(ERROR)
                    report = zero_report(Report(lesson.id), lesson, root, ERROR,
                                         f"looplab could not grade this submission ({exc!r}); "
                                         f"run the same command again to retry it")
                    results.save(course, lesson, s.student, "", checks, report)
        except KeyboardInterrupt:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            _say("\ninterrupted: results so far are stored; run the same command to resume")
            raise
    return writer.finish() if writer is not None else set()


def _prepare(lesson, root: Path) -> None:
    """The checkers' start-up work that every worker would repeat (pytest, the check library,
    the reference solution), done once here so the forked workers inherit it."""
    from looplab.check import prepare
    try:
        prepare(lesson.id, root)
    except Exception:  # noqa: BLE001 - each worker prepares again and reports it per submission
        pass


def _record_missing(course: Path, root: Path, lesson, missing: list, checks: str) -> None:
    for s in missing:
        report = zero_report(Report(lesson.id), lesson, root, MISSING, "no notebook was submitted")
        results.save(course, lesson, s.student, "", checks, report)


def _summary(records: dict[str, dict]) -> None:
    statuses = Counter(r["report"]["status"] for r in records.values())
    _say(f"\n{'student':<24} {'score':>9}  status")
    for student, record in sorted(records.items()):
        r = record["report"]
        _say(f"{student:<24} {r['score']:>5g}/{r['max_score']:<3g}  {r['status']}")
    scores = [r["report"]["score"] for r in records.values()]
    mean = sum(scores) / len(scores) if scores else 0.0
    _say(f"{len(records)} submissions: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
         + f"; mean score {mean:.2f}")
    sandboxes = {r["report"].get("sandbox") for r in records.values()} - {"bubblewrap", ""}
    for why in sorted(s for s in sandboxes if s):
        _say(f"WARNING: some submissions ran without a sandbox: {why}")


def merge(assignment: str, *, course: Path | None = None, quiet: bool = False,
          written: AbstractSet[str] = frozenset()) -> int:
    """Fold every stored result of the assignment into the gradebook and the CSV;
    `course` defaults to the current directory (see `looplab.course`). `written`: students
    whose stored result is already in the gradebook (`grade` writes them as they come in)."""
    lesson = lessons.get(assignment)
    course = course_dir(course)
    _preflight(course, lesson, merging=True)
    records = {s: r for s, r in results.all_results(course, lesson).items() if r}
    remaining = {s: r for s, r in records.items() if s not in written}
    if remaining:  # _preflight has checked the gradebook already
        gradebook.write(course, lesson, remaining)
    csv_path = outputs.grades_csv(course, lesson, records)
    if not quiet:
        _summary(records)
    _say(f"gradebook: {len(records)} student(s) written; grades: {csv_path}")
    return 0


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
