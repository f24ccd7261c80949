"""`looplab report`: what a class got wrong, from what `looplab grade` stored.

Contract: `class_report(assignment, course=..., output=...)` reads every
`autograded/<student>/<assignment>/looplab-result.json` of the course, writes one
self-contained HTML page (`looplab.class_page`; default
`exports/<assignment>/class-report.html`) and returns the short text summary the CLI
prints. Nothing graded yet is a UsageError. Nothing is graded again: the page shows
exactly the stored results.

The summary (`summarise`) holds: every score (for the distribution), each task's mean
points and pass rate (the share of submissions with the task's full points), the named
mistakes ("likely mistake: ..." in a failed check) with how many students made each,
the submissions' statuses, and the slowest submissions against the reference.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from looplab import lessons
from looplab.course import course_dir
from looplab.errors import UsageError
from looplab.status import SEVERITY

SLOWEST = 10  # submissions listed in "slowest against the reference"


@dataclass
class TaskStats:
    name: str
    max_points: float
    mean: float  # mean points over every stored submission (missing ones count 0)
    pass_rate: float  # share of submissions with the task's full points
    statuses: Counter = field(default_factory=Counter)  # task statuses other than ok


@dataclass
class Mistake:
    message: str
    tasks: list[str]  # the tasks whose checks named it
    students: list[str]


@dataclass
class Slow:
    student: str
    ratio: float  # student time / reference time
    where: str  # the check measured, or "all checks" for the fallback


@dataclass
class ClassSummary:
    assignment: str
    title: str
    max_score: float
    scores: dict[str, float]  # by student
    statuses: dict[str, list[str]]  # submission status -> students, most severe first
    tasks: list[TaskStats]
    mistakes: list[Mistake]  # most students first
    slowest: list[Slow]
    slow_basis: str  # what `slowest` compares against, in words


def _mistakes_of(check: dict) -> list[str]:
    """The named mistakes of one stored check (results stored before the field existed
    name them only in the message)."""
    if "mistakes" in check:
        return list(check["mistakes"])
    from looplab.checks.compare import named_mistakes
    return named_mistakes(check.get("message", ""))


def _task_stats(name: str, reports: list[dict]) -> TaskStats:
    tasks = [r["tasks"].get(name, {}) for r in reports]
    max_points = max((float(t.get("max_score", 0.0)) for t in tasks), default=0.0)
    scores = [float(t.get("score", 0.0)) for t in tasks]
    full = sum(1 for t, s in zip(tasks, scores) if t and max_points and s >= max_points - 1e-9)
    statuses = Counter(t.get("status", "missing") for t in tasks)
    del statuses["ok"]
    return TaskStats(name, max_points, statistics.fmean(scores), full / len(reports), statuses)


def _named(records: dict[str, dict]) -> list[Mistake]:
    students: dict[str, set[str]] = defaultdict(set)
    tasks: dict[str, set[str]] = defaultdict(set)
    for student, record in records.items():
        for task, result in record["report"]["tasks"].items():
            for check in result.get("checks", []):
                for message in _mistakes_of(check) if not check.get("passed") else []:
                    students[message].add(student)
                    tasks[message].add(task)
    found = [Mistake(m, sorted(tasks[m]), sorted(s)) for m, s in students.items()]
    return sorted(found, key=lambda m: (-len(m.students), m.message))


def _slowest(records: dict[str, dict]) -> tuple[list[Slow], str]:
    """Speed checks' ratios where stored; else each submission's checking time against the
    median of the submissions that got full marks (they ran what the reference runs)."""
    ratios = []
    for student, record in records.items():
        speeds = [(c["speed"], f"{task}: {c['name']}") for task, t in record["report"]["tasks"].items()
                  for c in t.get("checks", []) if c.get("speed") is not None]
        if speeds:
            ratio, where = max(speeds)
            ratios.append(Slow(student, ratio, where))
    if ratios:
        return (sorted(ratios, key=lambda s: -s.ratio)[:SLOWEST],
                "the speed checks: the student's median call time over the reference's, "
                "in the same sandbox, on the same inputs (the slowest check per submission)")
    timed = {s: r["report"].get("timings", {}).get("total") for s, r in records.items()}
    timed = {s: t for s, t in timed.items() if t}
    full = [timed[s] for s, r in records.items() if s in timed
            and r["report"]["score"] >= r["report"]["max_score"] > 0]
    if not timed or not full:
        return [], "no speed checks were stored and no submission got full marks to compare with"
    base = statistics.median(full)
    slow = [Slow(s, t / base, "all checks") for s, t in timed.items()]
    return (sorted(slow, key=lambda s: -s.ratio)[:SLOWEST],
            f"no speed checks were stored: each submission's time to run every check, over the "
            f"median of the {len(full)} full-mark submission(s) ({base:.2f} s)")


def summarise(lesson: lessons.Lesson, records: dict[str, dict]) -> ClassSummary:
    """Everything the page and the text show, from the stored records (by student)."""
    reports = [records[s]["report"] for s in sorted(records)]
    statuses: dict[str, list[str]] = defaultdict(list)
    for student in sorted(records):
        statuses[records[student]["report"]["status"]].append(student)
    ordered = dict(sorted(statuses.items(),
                          key=lambda kv: SEVERITY.index(kv[0]) if kv[0] in SEVERITY else -1))
    slowest, basis = _slowest(records)
    return ClassSummary(
        lesson.assignment, lesson.title, max(float(r["max_score"]) for r in reports),
        {s: float(records[s]["report"]["score"]) for s in sorted(records)}, ordered,
        [_task_stats(t, reports) for t in lesson.tasks], _named(records), slowest, basis)


def render_text(summary: ClassSummary, *, mistakes: int = 5) -> str:
    """A few lines for the terminal: the page has the rest."""
    scores = list(summary.scores.values())
    lines = [f"{summary.assignment}: {len(scores)} graded submission(s), mean "
             f"{statistics.fmean(scores):.2f}/{summary.max_score:g}, median "
             f"{statistics.median(scores):g}",
             "statuses: " + ", ".join(f"{k} {len(v)}" for k, v in summary.statuses.items()),
             "tasks (mean points, share with full points):"]
    lines += [f"  {t.name:<22} {t.mean:5.2f}/{t.max_points:<3g} {t.pass_rate:4.0%}" for t in summary.tasks]
    if summary.mistakes:
        lines.append("most common named mistakes:")
        lines += [f"  {len(m.students):>3} student(s)  {', '.join(m.tasks)}: {m.message}"
                  for m in summary.mistakes[:mistakes]]
    else:
        lines.append("no named mistakes")
    if summary.slowest:
        s = summary.slowest[0]
        lines.append(f"slowest against the reference: {s.student} {s.ratio:.1f}x ({s.where})")
    return "\n".join(lines)


def load_records(course: Path, lesson: lessons.Lesson) -> dict[str, dict]:
    """Every stored result of the assignment; a UsageError when there is none."""
    from looplab.grading import results
    if not course.is_dir():
        raise UsageError(f"course directory {course} does not exist",
                         "pass --course the directory that holds autograded/")
    records = {s: r for s, r in results.all_results(course, lesson).items()
               if r and isinstance(r.get("report"), dict)}
    if not records:
        raise UsageError(f"nothing of {lesson.assignment} is graded yet: no "
                         f"{course / 'autograded'}/<student>/{lesson.assignment}/{results.NAME}",
                         f"grade the class first: `uv run looplab grade {lesson.assignment}"
                         + ("" if course.resolve() == Path.cwd().resolve() else f" --course {course}") + "`")
    return records


def class_report(assignment: str, *, course: Path | None = None,
                 output: Path | None = None) -> tuple[str, Path]:
    """Write the class page; return (text summary, where the page went)."""
    from looplab.class_page import render_page
    from looplab.grading.results import write_atomic
    lesson = lessons.get(assignment)
    course = course_dir(course)
    summary = summarise(lesson, load_records(course, lesson))
    target = output or course / "exports" / lesson.assignment / "class-report.html"
    write_atomic(target, render_page(summary))
    return render_text(summary), target
