"""The values that travel through the core: passages, citations, refusals, answers, turns.

One data model from chunking to answer: the chunker makes `Passage`s, the index stores their
fields, the retriever gives them back with their sentence vectors, and the answer cites them.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import Enum

import numpy as np


@dataclass(frozen=True)
class SentenceSpan:
    """One sentence of a passage: offsets into the passage text and its lines in the file."""

    start: int
    end: int
    line_start: int
    line_end: int


def passage_id(text: str) -> str:
    """Content-addressed: an unchanged passage keeps its id (and its vectors) across refreshes."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:32]


@dataclass
class Passage:
    """A stretch of one document, verbatim, with its sentences and where copies of it stand.

    `start` is the passage's character offset in its document (known when chunking, -1 when
    read back from the index); `sentence_vectors` and the scores are filled in by retrieval.
    """

    id: str
    source: str
    line_start: int
    line_end: int
    text: str
    sentences: list[SentenceSpan]
    url: str = ""
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    start: int = -1
    # Per sentence, 1 where it is a line of a code block as the chunker saw the whole file
    # (a passage may start or end inside a block whose fence it does not hold); None where
    # not known, and the passage's own text is read instead.
    code: tuple[int, ...] | None = None
    sentence_vectors: np.ndarray = field(
        default_factory=lambda: np.zeros((0, 0), dtype=np.float32), repr=False
    )
    vector_score: float = 0.0  # cosine similarity of passage and question
    keyword_score: float = 0.0  # BM25
    fused_score: float = 0.0  # reciprocal-rank fusion of both rankings

    def code_line(self, index: int) -> bool | None:
        """Whether sentence `index` is a line of code, where the chunker said (see `code`)."""
        return None if self.code is None else bool(self.code[index])

    def sentence_text(self, index: int) -> str:
        ref = self.sentences[index]
        return self.text[ref.start : ref.end]

    def stands_whole_in(self, source: str) -> bool:
        """Whether the whole passage is in `source`, as itself or as a copy. A passage of
        another document that shares only a paragraph with it (the "DESCRIPTION" heading of
        every manual page) is not: its other sentences are not that document's."""
        span = self.line_end - self.line_start
        return self.source == source or any(
            copy == source and last - first == span for copy, first, last in self.duplicates
        )


@dataclass(frozen=True)
class Citation:
    """A numbered source: file, 1-based inclusive lines, and a verbatim quote of those lines."""

    n: int
    source: str
    line_start: int
    line_end: int
    quote: str
    url: str = ""

    def to_json(self) -> dict:
        out = asdict(self)
        if not self.url:
            out.pop("url")
        return out


class RefusalReason(Enum):
    """Why the core declined to answer; the adapters turn each into their own words."""

    NO_EVIDENCE = "no_evidence"  # the texts hold nothing close enough to the question
    NOT_DEFINED = "not_defined"  # "what is X": the texts use X but never say what it is
    NOT_MENTIONED = "not_mentioned"  # the question names something the texts never mention
    UNVERIFIED = "unverified"  # every quote failed the citation gate
    MODEL_DECLINED = "model_declined"  # the LLM said the passages do not answer
    NOTHING_TO_FOLLOW = "nothing_to_follow"  # a follow-up of a question that went unanswered
    NOTHING_ASKED = "nothing_asked"  # no word to look up ("W &( H }", "ok thanks")


@dataclass(frozen=True)
class Refusal:
    """A structured refusal: its reason, and the term it concerns (NOT_DEFINED, NOT_MENTIONED)."""

    reason: RefusalReason
    term: str = ""


CODE_INDENT = "    "  # marks a line of code in an answer's text (as Markdown indents code)


@dataclass(frozen=True)
class Answer:
    """What the core answers; a refused answer has a `refusal`, empty text and no citations.

    `text` is cited sentences with [n] markers; a line of it that starts with CODE_INDENT is a
    line of a code example, to be shown as laid out (the adapters set it as code).
    """

    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    refusal: Refusal | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    path: str = "extractive"  # or "llm"
    verification: dict = field(default_factory=dict)
    standalone_question: str = ""

    @property
    def refused(self) -> bool:
        return self.refusal is not None


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation, for follow-up questions."""

    question: str
    answer: str
    citations: tuple[Citation, ...] = ()
    refused: bool = False
