"""Results of one check run: small dataclasses that render as text and JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from looplab.status import OK, worst


@dataclass
class CheckResult:
    name: str
    passed: bool
    points: float
    max_points: float
    message: str = ""
    mistakes: list[str] = field(default_factory=list)  # named in the message ("likely mistake: ...")
    speed: float | None = None  # a speed check's student/reference median time (a lower bound
    # when a call was stopped for being far too slow)


@dataclass
class TaskResult:
    score: float = 0.0
    max_score: float = 0.0
    status: str = OK
    checks: list[CheckResult] = field(default_factory=list)

    def add(self, result: CheckResult) -> None:
        self.checks.append(result)
        self.score += result.points
        self.max_score += result.max_points


@dataclass
class Curve:
    """Two loss curves a check compared, for plots in feedback pages."""

    task: str
    title: str
    student: list[float]
    reference: list[float]


@dataclass
class Report:
    lesson: str
    status: str = OK
    tasks: dict[str, TaskResult] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    output: str = ""
    # seconds: load (until the student's cells ran), spawn (of which waiting for the sandbox
    # to fork the student's process), student_code, total (the whole check); class grading
    # adds worker (the check plus its files)
    timings: dict[str, float] = field(default_factory=dict)
    curves: list[Curve] = field(default_factory=list)
    sandbox: str = ""  # "bubblewrap", or why student code ran without one
    file: str = ""  # the submission checked, as it was named

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tasks.values()), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tasks.values()), 6)

    def to_dict(self) -> dict:
        return {"lesson": self.lesson, "score": self.score, "max_score": self.max_score,
                "status": self.status,
                "tasks": {name: asdict(task) for name, task in self.tasks.items()},
                "notes": self.notes, "output": self.output,
                "timings": {k: round(v, 3) for k, v in self.timings.items()},
                "curves": [asdict(c) for c in self.curves], "sandbox": self.sandbox,
                "file": self.file}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def _points(x: float) -> str:
    return f"{x:g}"


def one_reason(task: TaskResult) -> str | None:
    """The one message of a task that was not graded (every check failed the same way:
    not implemented, not defined...), so a report says it once instead of once per check."""
    messages = {c.message for c in task.checks if not c.passed}
    if task.status != OK and len(task.checks) > 1 and not any(c.passed for c in task.checks) \
            and len(messages) == 1:
        return messages.pop()
    return None


def render_text(report: Report, *, verbose: bool = False) -> str:
    """A report for a person: score, one line per task, every failed check."""
    lines = [f"lesson {report.lesson}: {_points(report.score)}/{_points(report.max_score)}"
             + ("" if report.status == OK else f"  [{report.status}]")]
    if report.sandbox and report.sandbox != "bubblewrap":
        lines.append(f"  WARNING: student code ran without a sandbox: {report.sandbox}")
    for note in report.notes:
        lines.append(f"  note: {note}")
    for name, task in report.tasks.items():
        mark = "ok" if task.score == task.max_score else "--"
        status = "" if task.status == OK else f"  [{task.status}]"
        lines.append(f"  {mark} {name:<20} {_points(task.score):>4}/{_points(task.max_score)}{status}")
        reason = one_reason(task)
        if reason is not None:
            lines.append(f"      x all {len(task.checks)} checks: {reason}")
            continue
        for check in task.checks:
            if not check.passed:
                lines.append(f"      x {check.name}")
                lines.extend(f"          {ln}" for ln in check.message.splitlines())
            elif verbose:
                lines.append(f"      . {check.name}")
    if report.output.strip():
        shown = report.output.strip().splitlines()
        lines.append(f"  your code printed {len(shown)} line(s); the first ones:")
        lines.extend(f"    | {ln[:160]}" + ("..." if len(ln) > 160 else "") for ln in shown[:10])
    return "\n".join(lines)
