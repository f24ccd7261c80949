"""Multiple-choice quizzes (each module's recap): an answer key and what a wrong answer is told.

A lesson declares its quiz as data (`Quiz(key, topics, explanations)`); the student's graded
function returns a dict from question id ('q1', ...) to option letter. Answers are read
leniently (spaces and upper case accepted). A wrong answer is told what to revise and where
(the ideas behind the question, the lesson sections that teach them), never the right option,
its letter or a paraphrase of it: the quiz is formative, and the student answers again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from looplab.checks.expect import fail
from looplab.checks.results import kind

OPTIONS = ("a", "b", "c", "d")
ORDINALS = ("first", "second", "third", "fourth")


@dataclass(frozen=True)
class Quiz:
    key: dict[str, str]  # question id -> the right option's letter
    topics: dict[str, str]  # question id -> what it is about, for messages
    explanations: dict[str, str]  # question id -> what to revise, told after a wrong answer
    function: str = "quiz_answers"  # the graded function that returns the answers

    def expect_answer(self, student: Any, qid: str) -> None:
        """Fail unless the student's answer to `qid` is the key's option."""
        letter = self.read_answer(getattr(student, self.function)(), qid)
        if letter != self.key[qid]:
            fail(f"{qid} ({self.topics[qid]}): you chose {letter!r}, which is not the right "
                 f"option. {self.explanations[qid]}")

    def read_answer(self, answers: Any, qid: str) -> str:
        """The option letter the student chose for `qid`, or a failure that says what is wrong."""
        first, last = min(self.key), max(self.key, key=lambda q: int(q[1:]))
        if type(answers) is not dict:
            fail(f"{self.function} returned a {kind(answers)}; expected a dict from question id "
                 f"to option letter, such as {{'q1': 'a', 'q2': 'd', ...}} with the keys "
                 f"{first!r} to {last!r}")
        if qid not in answers:
            fail(f"{self.function} has no answer for {qid!r}" + _missing_key_hint(answers, qid, last)
                 + f" (keys returned: {sorted(map(str, answers))[:10]})")
        value = answers[qid]
        if type(value) is not str:
            hint = (f"; if {value} means the {ORDINALS[value - 1]} option, write {OPTIONS[value - 1]!r}"
                    if type(value) is int and 1 <= value <= 4 else "")
            fail(f"{qid}: the answer {value!r:.40} is of type {kind(value)}; answer with the "
                 f"option's letter as a string: 'a', 'b', 'c' or 'd'" + hint)
        letter = value.strip().lower()
        if letter not in OPTIONS:
            fail(f"{qid}: {value!r:.40} is not one of the options 'a', 'b', 'c', 'd'; give just the "
                 f"letter of the option you choose")
        return letter


def _missing_key_hint(answers: dict, qid: str, last: str) -> str:
    near = [k for k in answers if str(k).strip().lower() in (qid, qid[1:])]
    if near:
        return (f"; you have {near[0]!r}: the keys are the strings 'q1' to {last!r}, lower case, "
                f"with no spaces")
    return ""
