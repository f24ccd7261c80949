"""Every lesson's proof that its checks work, from its catalogue (`tests/hidden/lM_L/catalogue.py`).

For each lesson: the reference scores full marks; the untouched release scores zero with
"not implemented" on every task; every catalogued mistake loses points on its task, is named
there, and leaves the other tasks at full marks; every alternative keeps full marks.

A mistake is graded on the tasks it can reach (`looplab.reach`): those whose checks call a
function that the mistake, directly or through the names it uses, defines differently from
the reference. Every other task runs the reference's own code, so it scores what the
reference scores (full marks, checked once per lesson below) and is not graded again.
"""

from __future__ import annotations

import pytest

from conftest import ROOT, failed_messages
from looplab import catalogue, lessons
from looplab.reach import reachable_tasks
from looplab.report import Report, render_text

LESSONS = list(lessons.LESSONS.values())


def _load(lesson: lessons.Lesson):
    """The lesson's catalogue module, or the exception that stopped it from loading (reported
    by that lesson's bar test, so one broken catalogue never hides the others)."""
    try:
        return catalogue.load(lesson, ROOT)
    except Exception as exc:  # noqa: BLE001 - shown in test_catalogue_meets_the_bar
        return exc


CATALOGUES = {lesson.id: _load(lesson) for lesson in LESSONS
              if (lesson.checks_dir(ROOT) / "catalogue.py").exists()}


def _params(kind: str) -> list:
    params = []
    for lesson_id, module in CATALOGUES.items():
        if isinstance(module, Exception):
            continue
        for entry in getattr(module, kind):
            marks = [pytest.mark.xfail(strict=True, reason=entry.gap)] if getattr(entry, "gap", "") else []
            task = f"{entry.task}-" if kind == "MISTAKES" else ""
            params.append(pytest.param(lesson_id, entry, id=f"{lesson_id}-{task}{entry.id}", marks=marks))
    return params


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_catalogue_meets_the_bar(lesson):
    assert lesson.id in CATALOGUES, f"lesson {lesson.id} has no catalogue.py"
    module = CATALOGUES[lesson.id]
    assert not isinstance(module, Exception), f"catalogue.py does not load: {module!r}"
    reference = lesson.solution(ROOT).read_text()
    mistakes, alternatives = module.MISTAKES, module.ALTERNATIVES
    assert len(mistakes) >= 12, f"{len(mistakes)} mistakes; the bar is at least 12"
    assert len(alternatives) >= 3, f"{len(alternatives)} alternatives; the bar is at least 3"
    assert {m.task for m in mistakes} == set(lesson.tasks), "every task needs a mistake"
    assert len({(m.task, m.id) for m in mistakes}) == len(mistakes), "mistake ids repeat"
    assert len({a.id for a in alternatives}) == len(alternatives), "alternative ids repeat"
    assert all(e.source != reference for e in [*mistakes, *alternatives])
    assert all(set(m.spreads) <= set(lesson.tasks) - {m.task} for m in mistakes)
    assert [k for k, _ in catalogue.examples(lesson, ROOT)][:2] == ["correct", "buggy"], (
        "mark one alternative example='correct' and one mistake example='buggy' for `looplab demo`")


_REFERENCE_RUNS: dict[str, tuple[Report, dict[str, set[str]]]] = {}


def reference_run(checker, lesson_id: str) -> tuple[Report, dict[str, set[str]]]:
    """The reference's report and, per task, the student names its checks call (once per worker)."""
    if lesson_id not in _REFERENCE_RUNS:
        calls: dict[str, set[str]] = {}
        lesson = lessons.get(lesson_id)
        report = checker.check(lesson_id, lesson.solution(ROOT), calls=calls)
        _REFERENCE_RUNS[lesson_id] = report, calls
    return _REFERENCE_RUNS[lesson_id]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_reference_solution_scores_full_marks(checker, lesson):
    report, calls = reference_run(checker, lesson.id)
    _expect_full_marks(report, "the reference")
    assert all(task in calls.get(task, set()) for task in lesson.tasks), (
        f"some task's checks never call the task's own function: {calls}")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_untouched_release_scores_zero_with_not_implemented(checker, lesson):
    report = checker.check(lesson.id, lesson.release_notebook(ROOT))
    assert report.score == 0, render_text(report)
    assert report.status == "not_implemented", render_text(report)
    for task, result in report.tasks.items():
        assert "not implemented" in failed_messages(report, task), f"{task}:\n{render_text(report)}"
        assert result.status == "not_implemented", f"{task}:\n{render_text(report)}"


@pytest.mark.parametrize("lesson_id, mistake", _params("MISTAKES"))
def test_mistake_loses_points_on_its_task_only(grade, checker, lesson_id, mistake):
    lesson = lessons.get(lesson_id)
    reference, calls = reference_run(checker, lesson_id)
    reach = reachable_tasks(mistake.source, lesson.solution(ROOT).read_text(), calls, lesson.tasks)
    assert mistake.task in reach, (
        f"the mistake changes nothing that {mistake.task}'s checks call: the entry is wrong")
    _expect_full_marks(reference, "the reference")  # what every task out of reach scores
    report = grade(mistake.source, lesson_id, tasks=reach)
    shown = render_text(report)
    task = report.tasks[mistake.task]
    assert task.score < task.max_score, f"{mistake.task} kept full marks\n{shown}"
    messages = failed_messages(report, mistake.task)
    for piece in (mistake.named,) if isinstance(mistake.named, str) else mistake.named:
        assert piece in messages, (
            f"no failure message on {mistake.task} names the mistake (looked for {piece!r})\n{shown}")
    for other, named in mistake.elsewhere:
        assert other in report.tasks and named in failed_messages(report, other), (
            f"the knock-on failure on {other} does not say {named!r}\n{shown}")
    for other, result in report.tasks.items():
        if other != mistake.task and other not in mistake.spreads:
            assert result.score == result.max_score, (
                f"{other} lost points although the mistake is in {mistake.task}\n{shown}")


@pytest.mark.parametrize("lesson_id, alternative", _params("ALTERNATIVES"))
def test_alternative_style_keeps_full_marks(grade, lesson_id, alternative):
    report = grade(alternative.source, lesson_id)
    _expect_full_marks(report, alternative.style)
    if "print(" in alternative.source:
        assert report.output.strip(), "the student's printed output was not captured"


def _expect_full_marks(report: Report, what: str) -> None:
    assert report.score == report.max_score > 0, f"{what}:\n{render_text(report)}"
    assert report.status == "ok" and all(r.status == "ok" for r in report.tasks.values()), (
        f"{what}:\n{render_text(report)}")
