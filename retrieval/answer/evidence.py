"""Evidence: every sentence of the retrieved passages, scored against the question."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from retrieval.answer.definitions import glossed_by_next, glosses
from retrieval.ingest.sentences import ASCIIDOC_TITLE, in_code_block, is_underline
from retrieval.search.keywords import KeywordIndex, terms
from retrieval.types import Passage

LEXICAL_WEIGHT = 0.3  # how much exact query terms add to semantic similarity, for ranking
_HEADING = re.compile(r"#{1,6}\s|\.\.\s")  # markdown headings, reStructuredText directives


@dataclass(frozen=True)
class Evidence:
    """A candidate sentence and how well it matches the question."""

    passage: Passage
    rank: int  # of its passage in the retrieval
    index: int  # of the sentence in its passage
    similarity: float
    lexical: float
    bonus: float = 0.0  # for the kind of answer asked (a reason, a way), when choosing

    @property
    def score(self) -> float:
        return self.similarity + LEXICAL_WEIGHT * self.lexical + self.bonus

    @property
    def text(self) -> str:
        return self.passage.sentence_text(self.index)

    @property
    def place(self) -> tuple[str, int]:
        return self.passage.id, self.index

    @property
    def is_heading(self) -> bool:
        """A heading, an underline or a directive: structure, never an answer by itself."""
        return is_heading_at(self.passage, self.index)


# Markdown images, each maybe a link ("[![Tests](badge.svg)](actions)"), and nothing else.
_IMAGES_ONLY = re.compile(r"^(?:\[?!\[[^\]]*\]\([^)\s]*\)(?:\]\([^)\s]*\))?\s*)+$")


def is_heading_at(passage: Passage, index: int) -> bool:
    """Whether sentence `index` of the passage is a heading, an underline, a directive, an
    AsciiDoc block title, or a row of images (a README's badges): markup, never an answer."""
    text = passage.sentence_text(index).strip()
    if not any(c.isalnum() for c in text) or _IMAGES_ONLY.match(text):
        return True
    if in_code(passage, index):
        return False  # "# defines optional whitespace" is a comment; "... ----" no underline
    if _HEADING.match(text) or _is_block_title(text):
        return True
    following = index + 1
    if following == len(passage.sentences) or not is_underline(passage.sentence_text(following)):
        return False
    # An underline is about as long as its title (AsciiDoc allows two characters less): a
    # Markdown fence ("```") right under a line of text opens code, it does not underline it.
    if len(passage.sentence_text(following).strip()) < len(text) - 2:
        return False
    # A title is one line, and no title ends in a full stop: a sentence above a line of "="
    # that does is the last of an AsciiDoc example block, whose closing delimiter that is.
    return "\n" not in text and not text.endswith((".", "!"))


def in_code(passage: Passage, index: int) -> bool:
    """Whether sentence `index` is a line of a code block: as the chunker saw it in the whole
    file where the passage says (a block may open or close beyond the passage), else as the
    passage's own text shows."""
    known = passage.code_line(index)
    if known is not None:
        return known
    return in_code_block(passage.text, passage.sentences[index].start)


def _is_block_title(text: str) -> bool:
    """An AsciiDoc block title: one line, "." right before its first word, no full stop."""
    return "\n" not in text and bool(ASCIIDOC_TITLE.match(text)) and not text.endswith((".", "?"))


def rank_evidence(
    question: str, query_vector: np.ndarray, passages: list[Passage], keywords: KeywordIndex
) -> list[Evidence]:
    """Every sentence of the passages, best match first."""
    weights = {t: keywords.idf(t) for t in set(terms(question))}
    total = sum(weights.values()) or 1.0
    evidence = []
    for rank, passage in enumerate(passages):
        similarities = passage.sentence_vectors @ query_vector
        for index in range(len(passage.sentences)):
            found = set(terms(passage.sentence_text(index)))
            lexical = sum(w for t, w in weights.items() if t in found) / total
            evidence.append(Evidence(passage, rank, index, float(similarities[index]), lexical))
    return sorted(evidence, key=lambda e: e.score, reverse=True)


def find_gloss(term: str, evidence: list[Evidence]) -> list[Evidence] | None:
    """The best-ranked sentences that say what the term is, or None if none does.

    Either one sentence that glosses it, or a sentence that names it through the one after it
    that says what it is ("They are a ...").
    """
    by_place = {e.place: e for e in evidence}
    for form in term_forms(term):
        for candidate in evidence:
            found = _gloss_index(form, candidate)
            if found is not None:
                lines = range(candidate.index, found + 1)
                return [by_place[(candidate.passage.id, i)] for i in lines]
    for candidate in evidence:
        opening = _section_opening(term, candidate)
        if opening is not None and (candidate.passage.id, opening) in by_place:
            return [by_place[(candidate.passage.id, opening)]]
    return None


def _section_opening(term: str, heading: Evidence) -> int | None:
    """The first sentence of prose under a heading that names the term and little else
    ("Lambda Expressions", "The range() Function"): documentation says what a thing is where
    its section begins, in whatever words ("Small anonymous functions can be created with
    ...")."""
    if not heading.is_heading:
        return None
    asked, named = set(terms(term)), set(terms(heading.text))
    # One word more for a term of several ("Class and Instance Variables" for "class
    # variables"); a term of one word must be the heading ("Expressions" is not "Lambda ...").
    if not asked or not asked <= named or len(named) > len(asked) + (len(asked) > 1):
        return None
    passage = heading.passage
    for index in range(heading.index + 1, len(passage.sentences)):
        if is_heading_at(passage, index) or not passage.sentence_text(index).strip():
            continue
        return None if in_code(passage, index) else index
    return None


def term_forms(term: str) -> list[str]:
    """The term as asked, then without the context a member adds after it ("glyph in unicode
    terms", "lastResort in logging"), for texts that write the term alone."""
    head = term.rsplit(" in ", 1)[0].strip()
    return [term, head] if head and head != term else [term]


def _gloss_index(term: str, evidence: Evidence) -> int | None:
    """Index in its passage of the sentence that says what the term is, if there is one."""
    if glosses(term, evidence.text):
        return evidence.index
    if term.lower() not in evidence.text.lower():
        return None
    following = range(evidence.index + 1, min(evidence.index + 3, len(evidence.passage.sentences)))
    return next((i for i in following if glossed_by_next(evidence.passage.sentence_text(i))), None)
