"""What a question asks, worked out once: the kind of answer, the term to define, its key words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from retrieval.answer.answertype import AnswerType, asked_type
from retrieval.answer.comparison import compared_sides
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
    sides: tuple[str, ...] = ()  # "X vs Y": the things compared, as written


# What members add around a question that says nothing about it: greetings and fillers,
# and citation-like markers copied from an earlier answer.
_GREETING = re.compile(
    r"^\W*(?:(?:hey|hi|hello|yo|ok|okay|um+|uh+)\b[\s,!.:-]*)+"
    r"(?:(?:bot|seedbot|there|all|everyone|guys|folks)\b[\s,!.:-]*)?"
    r"(?:quick (?:one|q|question)\b[\s,!.:-]*)?|^\W*quick (?:one|q|question)\b[\s,!.:-]*",
    re.IGNORECASE,
)
# A member introducing the question rather than asking it: "new here -", "first time here
# :)", "dumb q but". ("first time using git on this laptop" is part of the question.)
_PREAMBLE = re.compile(
    r"^\W*(?:(?:i'?m\s+|im\s+)?new here|first time here|just joined|"
    r"(?:dumb|stupid|silly|noob|basic|random) q(?:uestion)?(?:,?\s+but)?|"
    r"sorry if (?:this is|it'?s) (?:a )?(?:dumb|stupid|silly|basic|noob) (?:q|question))"
    r"(?![\w'])[\W_]*",
    re.IGNORECASE,
)
_FILLER_END = re.compile(
    r"(?:[\s,]+(?:lol|lmao|rofl|haha+|pls|plz|please|thanks|thx|ty|tia))+\W*$", re.IGNORECASE
)
_MARKER = re.compile(r"\s*\[\d{1,3}\]")
_ACKNOWLEDGEMENT = re.compile(
    r"^\W*(?:(?:ok|okay|k|cool|nice|great|neat|thanks|thank you|thx|ty|got it|i see|makes sense|"
    r"lol|haha+|wow|interesting|perfect|awesome|fair enough|good to know|sure|yes|yep|no|nope)"
    r"\b\W*)+$",
    re.IGNORECASE,
)


def normalise(question: str) -> str:
    """The question without greetings, fillers and [n] markers, which only add noise."""
    text = _MARKER.sub("", question)
    text = _FILLER_END.sub("", text)
    text = _GREETING.sub("", text, count=1)
    text = _PREAMBLE.sub("", text, count=1)
    return " ".join(text.split()) or question


def has_content(facts: QuestionFacts) -> bool:
    """Whether the question has a word to search for ("W &( H }" has none, nor does "ok
    thanks, got it": a member saying they read the answer asks nothing)."""
    if is_acknowledgement(facts.text):
        return False
    return any(len(t) > 1 for t in facts.content_terms)


def is_acknowledgement(message: str) -> bool:
    """Whether the message only says the answer was read ("ok thanks", "got it", "nice")."""
    return bool(_ACKNOWLEDGEMENT.match(message))


def analyse(text: str) -> QuestionFacts:
    """The facts of one question; computed once per question and handed to every stage."""
    term = defined_term(text)
    if term is not None and compared_sides(term):
        term = None  # "what's the difference between X and Y" asks no meaning of "difference"
    return QuestionFacts(text, asked_type(text), term, tuple(terms(text)), compared_sides(text))


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
