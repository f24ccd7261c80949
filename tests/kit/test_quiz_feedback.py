"""A quiz's feedback for a wrong answer says what to revise and where, never the answer.

The right option's text is read from the lesson's instructor notebook (each question a markdown
cell `**qN. ...**` with options `- a) ...`); the feedback comes from the lesson's `quiz.py`.
"""

from __future__ import annotations

import importlib.util
import re

import nbformat
import pytest

from conftest import ROOT
from looplab import lessons

QUIZZES = ["1.6"]  # a module recap joins once its feedback points to the course, not the answer
RUN = 4  # words in a row that the feedback may not share with the right option


def options(lesson_id: str) -> dict[str, dict[str, str]]:
    """Question id -> option letter -> the option's text, from the instructor notebook."""
    notebook = nbformat.read(lessons.get(lesson_id).source_notebook(ROOT), as_version=4)
    found: dict[str, dict[str, str]] = {}
    for cell in notebook.cells:
        head = re.match(r"\*\*(q\d+)\.", cell.source)
        if cell.cell_type == "markdown" and head:
            parts = re.split(r"^- ([a-d])\) ", cell.source, flags=re.M)
            found[head.group(1)] = dict(zip(parts[1::2], parts[2::2]))
    return found


def load_quiz(lesson_id: str):
    """The lesson's `QUIZ`, from its hidden checks' `quiz.py` (which imports only looplab)."""
    path = lessons.get(lesson_id).checks_dir(ROOT) / "quiz.py"
    spec = importlib.util.spec_from_file_location(f"quiz_{lesson_id.replace('.', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.QUIZ


def runs(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9_]+", text.lower())
    return {tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1)}


@pytest.mark.parametrize("lesson_id", QUIZZES)
def test_wrong_answer_feedback_names_where_to_revise_and_never_the_right_option(lesson_id):
    quiz = load_quiz(lesson_id)
    texts = options(lesson_id)
    assert sorted(texts) == sorted(quiz.key), "every question of the key is in the notebook"
    for qid, letter in quiz.key.items():
        feedback = quiz.explanations[qid]
        assert re.search(r"lesson \d\.\d", feedback), f"{qid}: the feedback names no lesson"
        shared = runs(feedback) & runs(texts[qid][letter])
        assert not shared, f"{qid}: the feedback repeats the right option: {sorted(shared)[:3]}"
