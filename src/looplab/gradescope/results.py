"""A looplab report as Gradescope's results.json.

Fields as Gradescope documents them
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): top-level `score`,
`execution_time`, `output`, `output_format`, `test_output_format`, `stdout_visibility`,
`extra_data` and `tests`; each test has `name`, `number`, `score`, `max_score`, `status`
(`passed` or `failed`), `output`, `output_format` and `visibility`.

One test per task (the function the student writes), in the lesson's order; its output is
the task's failure messages, as `looplab check` prints them. Everything is plain text:
hidden-check messages hold underscores and asterisks that Markdown would eat.
"""

from __future__ import annotations

from looplab.report import Report, TaskResult, one_reason
from looplab.status import OK

TEXT = "text"
VISIBLE = "visible"


def task_output(name: str, task: TaskResult) -> str:
    """What a student reads under one task: its status when it was not graded,
    then every failed check with what was tried and expected."""
    lines = [] if task.status == OK else [f"status: {task.status}"]
    failed = [check for check in task.checks if not check.passed]
    reason = one_reason(task)
    if not task.checks:
        lines.append(f"{name}: no check ran")
    elif reason is not None:
        lines.append(f"x all {len(task.checks)} checks: {reason}")
    elif not failed:
        lines.append(f"all {len(task.checks)} checks passed")
    for check in failed if reason is None else []:
        lines.append(f"x {check.name}")
        lines.extend(f"    {line}" for line in check.message.splitlines())
    return "\n".join(lines)


def task_test(number: int, name: str, task: TaskResult) -> dict:
    passed = bool(task.checks) and all(check.passed for check in task.checks)
    return {"name": name, "number": str(number), "score": task.score, "max_score": task.max_score,
            "status": "passed" if passed else "failed", "output": task_output(name, task),
            "output_format": TEXT, "visibility": VISIBLE}


def summary(report: Report, protection: str, checked: str) -> str:
    """The text above the tests: score, what was checked, which protection applied,
    the report's notes and the first lines the student's code printed."""
    status = "" if report.status == OK else f"  [{report.status}]"
    lines = [f"lesson {report.lesson}: {report.score:g}/{report.max_score:g}{status}",
             f"checked: {checked}", f"protection: {protection}"]
    lines += [f"note: {note}" for note in report.notes]
    printed = report.output.strip().splitlines()
    if printed:
        lines.append(f"your code printed {len(printed)} line(s); the first ones:")
        lines += [f"  | {line[:160]}" + ("..." if len(line) > 160 else "") for line in printed[:10]]
    return "\n".join(lines)


def results(report: Report, *, protection: str, checked: str, seconds: float) -> dict:
    """Gradescope's results.json for one checked (or zero-scored) submission."""
    tests = [task_test(i, name, task) for i, (name, task) in enumerate(report.tasks.items(), 1)]
    return {"score": report.score, "execution_time": round(seconds),
            "output": summary(report, protection, checked), "output_format": TEXT,
            "test_output_format": TEXT, "stdout_visibility": "hidden",
            "extra_data": {"lesson": report.lesson, "status": report.status,
                           "max_score": report.max_score, "sandbox": report.sandbox,
                           "file": report.file},
            "tests": tests}


def failure(lesson_id: str, message: str, seconds: float) -> dict:
    """results.json when the autograder itself failed: score 0 and why, never nothing."""
    return {"score": 0.0, "execution_time": round(seconds), "output_format": TEXT,
            "output": f"lesson {lesson_id}: the autograder could not grade this submission: "
                      f"{message}\nYour instructor sees the details in the autograder's output.",
            "stdout_visibility": "hidden", "extra_data": {"lesson": lesson_id, "status": "failed"},
            "tests": []}
