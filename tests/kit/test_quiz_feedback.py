"""A quiz's feedback for a wrong answer says what to revise and where, never the answer.

The right option's text is read from the lesson's instructor notebook (each question a markdown
cell `**qN. ...**` with options `- a) ...`); the feedback comes from the lesson's `quiz.py`. Every
section the feedback quotes ('...') is a heading, a demonstration or a bold paragraph title of the
lesson named last before it.
"""

from __future__ import annotations

import importlib.util
import re

import nbformat
import pytest

from conftest import ROOT
from looplab import lessons

QUIZZES = ["1.6", "2.7", "3.9"]  # a module recap joins once its feedback points to the course, not the answer
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


def sections(lesson_id: str) -> set[str]:
    """The names a feedback may quote for a lesson: headings (a demonstration's also without its
    'Demonstration: ' prefix, a heading 'Title: subtitle' also by its title) and the titles of bold-led paragraphs, without a closing period, all
    as plain text (no $ or backticks), as a message prints them."""
    notebook = nbformat.read(lessons.get(lesson_id).source_notebook(ROOT), as_version=4)
    names: set[str] = set()
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for heading in re.findall(r"^#+ (.+?)\s*$", cell.source, flags=re.M):
                names |= {heading, heading.removeprefix("Demonstration: "), heading.split(": ")[0]}
            names |= {title.rstrip(".") for title in re.findall(r"^\*\*([^*]+)\*\*", cell.source,
                                                                 flags=re.M)}
    return {plain(name) for name in names}


def plain(name: str) -> str:
    return name.replace("$", "").replace("`", "")


def quoted_sections(feedback: str) -> list[tuple[str, str]]:
    """(lesson id, quoted name) for each 'quoted' name, paired with the lesson named last before
    it; an apostrophe inside a word (lesson 1.3's) neither opens nor closes a quote."""
    found, lesson = [], None
    for match in re.finditer(r"\blessons? (\d\.\d)|(?<!\w)'(.+?)'(?!\w)", feedback):
        if match.group(1):
            lesson = match.group(1)
        else:
            found.append((lesson, match.group(2)))
    return found


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



@pytest.mark.parametrize("lesson_id", QUIZZES)
def test_wrong_answer_feedback_quotes_only_sections_that_exist(lesson_id):
    quiz = load_quiz(lesson_id)
    for qid, feedback in quiz.explanations.items():
        quoted = quoted_sections(feedback)
        assert quoted, f"{qid}: the feedback quotes no section"
        for lesson, name in quoted:
            assert lesson is not None, f"{qid}: {name!r} is quoted before any lesson is named"
            assert plain(name) in sections(lesson), f"{qid}: lesson {lesson} has no section {name!r}"
