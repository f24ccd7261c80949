"""The reference solution scores full marks through the whole pipeline."""

from conftest import REFERENCE_1_3


def test_reference_solution_scores_full_marks(grade):
    report = grade(REFERENCE_1_3)
    failed = {t: [c.name for c in r.checks if not c.passed] for t, r in report.tasks.items()}
    assert report.score == report.max_score > 0, failed
    assert report.status == "ok"
    assert all(r.status == "ok" for r in report.tasks.values())
