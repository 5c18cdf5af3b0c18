"""What a question asks, worked out once: the kind of answer, the term to define, its key words."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from retrieval.answer.answertype import AnswerType, asked_type
from retrieval.answer.definitions import defined_term
from retrieval.errors import QuestionEmptyError, QuestionTooLongError
from retrieval.search.keywords import terms


@dataclass(frozen=True)
class QuestionFacts:
    """The question as retrieval sees it (standalone), and what every later stage needs of it."""

    text: str
    kind: AnswerType | None  # an amount, a count, a date, a time or a person; None for any
    term: str | None  # "what is X": X
    content_terms: tuple[str, ...]  # stemmed content words, what BM25 matches on


def analyse(text: str) -> QuestionFacts:
    """The facts of one question; computed once per question and handed to every stage."""
    return QuestionFacts(text, asked_type(text), defined_term(text), tuple(terms(text)))


def clean_question(question: str, max_chars: int) -> str:
    """The question without control characters; QuestionError if empty or too long."""
    if len(question) > max_chars:
        raise QuestionTooLongError(len(question), max_chars)
    kept = "".join(
        ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in question
    )
    cleaned = " ".join(kept.split())
    if not cleaned:
        raise QuestionEmptyError()
    return cleaned
