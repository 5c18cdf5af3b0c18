"""Turning a follow-up ("what about the second one?") into a question that stands alone."""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.errors import NoSuchCitationError
from retrieval.search.keywords import terms
from retrieval.types import Turn

_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
}
_ORDINAL = re.compile(
    r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th)\b(?:\s+(?:one|point|source|"
    r"quote|citation|part|item))?|\[(\d{1,2})\]|#(\d{1,2})\b|\b(?:source|citation|point|"
    r"number)\s+(\d{1,2})\b",
    re.IGNORECASE,
)
# A reference that can only mean a citation ("point 2", "the 2nd premise" may be the texts').
_EXPLICIT = re.compile(r"^[\[#]|\b(?:one|source|quote|citation)\b", re.IGNORECASE)
_DEPENDENT = re.compile(
    r"^(?:and|but|so|also|what about|how about|why|how so|more|elaborate|explain|which)\b|"
    r"\b(?:it|its|they|them|their|this|that|these|those|he|she|his|her|the same|one)\b",
    re.IGNORECASE,
)


def referenced_citation(question: str, previous: Turn) -> int | None:
    """The number of the earlier citation the question points at ("the second one" is 2).

    An explicit reference to a citation the last answer did not have ("[3]", "source 3",
    "the third one" after two sources) is a QuestionError that says how many there were; a
    bare ordinal ("the second premise") may be about the texts and is left alone.
    """
    match = _ORDINAL.search(question)
    if not match:
        return None
    word, *digits = match.groups()
    number = _ORDINALS[word.lower()] if word else int(next(d for d in digits if d))
    if "last" in question.lower().split():
        number = len(previous.citations)
    if 1 <= number <= len(previous.citations):
        return number
    if _EXPLICIT.search(match.group()):  # "[3]", "#3", "source 3", "the third one"
        raise NoSuchCitationError(number, len(previous.citations))
    return None


def standalone_question(question: str, history: Sequence[Turn]) -> str:
    """The question with what it leans on from the conversation spelled out, for retrieval."""
    if not history:
        return question
    previous = history[-1]
    number = referenced_citation(question, previous)
    if number is not None:
        quote = " ".join(previous.citations[number - 1].quote.split())
        return f"{question} (about: {quote})"
    if len(terms(question)) <= 3 or _DEPENDENT.search(question):
        return f"{previous.question} {question}"
    return question
