"""The values the service hands out: passages, citations, answers, conversation turns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np


@dataclass(frozen=True)
class SentenceRef:
    """One sentence of a passage: offsets into the passage text and its lines in the file."""

    start: int
    end: int
    line_start: int
    line_end: int


@dataclass
class Passage:
    """A retrieved passage with the evidence of why it was retrieved."""

    id: str
    source: str
    line_start: int
    line_end: int
    text: str
    sentences: list[SentenceRef]
    sentence_vectors: np.ndarray
    url: str = ""
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    vector_score: float = 0.0  # cosine similarity of passage and question
    keyword_score: float = 0.0  # BM25
    fused_score: float = 0.0  # reciprocal-rank fusion of both rankings

    def sentence_text(self, index: int) -> str:
        ref = self.sentences[index]
        return self.text[ref.start : ref.end]


@dataclass
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


@dataclass
class Answer:
    """What the service answers; `refused` answers cite nothing."""

    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    path: str = "extractive"  # or "llm"
    verification: dict = field(default_factory=dict)
    standalone_question: str = ""

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "path": self.path,
            "verification": self.verification,
            "standalone_question": self.standalone_question or self.question,
        }


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation, for follow-up questions."""

    question: str
    answer: str
    citations: tuple[Citation, ...] = ()
