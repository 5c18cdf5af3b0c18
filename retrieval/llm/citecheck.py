"""Checking generated text against its passages: every [n] must name a passage that supports it.

A sentence of the generated text is a claim; its markers say which passages support it. A
marker that names no passage is invented and removed. For a marker that names a passage,
the claim must be close to one of that passage's sentences (cosine of sentence vectors)
and use few content words the passage lacks; the quote shown is that closest sentence,
copied from the passage, so quotes are verbatim by construction. A claim left without a
supporting marker is dropped. Citations are merged per passage and numbered by first use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.answer.citations import compose
from retrieval.answer.support import TermSupport
from retrieval.index.embedder import embed_array
from retrieval.ingest.sentences import sentence_spans
from retrieval.types import Citation, Passage

# Calibrated on eval/questions.jsonl with `seedbot eval --calibrate-support`: the support
# score (below) at or above which a passage is taken to support a claim.
SUPPORT_THRESHOLD = 0.35
MIN_KEPT_SHARE = 0.5  # a reply mostly unsupported is not trusted for what remains of it
MISSING_WORDS_WEIGHT = 0.5  # how much claim words absent from the passage cost support
MAX_CLAIMS = 12  # a reply longer than this is cut: answers are meant to be short

_MARKER = re.compile(r"\[\s*(\d{1,4}(?:\s*[,;]\s*\d{1,4})*)\s*\]")
# Markers written after the full stop ("Claim. [1]") belong to the sentence before them.
_TRAILING_MARKERS = re.compile(r"([.!?…]+[\"'”’)]*)((?:\s*\[\s*\d[\d,;\s]*\])+)")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)]|#{1,6})\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?…])")
_WORD = re.compile(r"\w")
# A generated sentence that speaks as the bot about its own set-up, carries a removed secret
# or a setting's value, or addresses members: what an injected passage asks for, never an
# answer about the texts, however close to the passage it is. Dropped before the check.
_BLOCKED = re.compile(
    r"\b(?:my|our)\s+(?:system\s+prompt|prompt|instructions?|configuration|config|settings|"
    r"api\s*keys?|tokens?|secrets?|credentials?)\b|\[redacted\]|(?-i:\b[A-Z][A-Z0-9_]{2,}\s*=\s*\S)|"
    r"@(?:everyone|here)\b|<@[!&]?\d+>",
    re.IGNORECASE,
)


# A kept claim: its text and, for each passage that supports it, (passage, closest sentence).
Kept = tuple[str, list[tuple[Passage, int]]]


class _Uniform:
    """Every word weighs the same: a claim is judged against one passage, not the corpus."""

    @staticmethod
    def idf(term: str) -> float:
        return 1.0


@dataclass
class Claim:
    """One sentence of generated text, without its markers, and the numbers it cites."""

    text: str
    cited: list[int]


@dataclass
class Checked:
    """The verified text, its citations (renumbered), and what was removed on the way."""

    text: str
    citations: list[Citation]
    stats: dict = field(default_factory=dict)

    @property
    def trusted(self) -> bool:
        return trusted(self.stats)


def trusted(stats: dict) -> bool:
    """At least one sentence kept, and most of them: otherwise the reply is not used."""
    kept = stats.get("sentences_kept", 0)
    return kept > 0 and kept >= MIN_KEPT_SHARE * stats.get("sentences", 0)


def parse_claims(reply: str) -> list[Claim]:
    """Split generated text into sentences, each with the marker numbers written in it."""
    claims = []
    for line in reply.replace("\r", "\n").split("\n"):
        line = _TRAILING_MARKERS.sub(lambda m: f"{m.group(2)}{m.group(1)}", _BULLET.sub("", line))
        for start, end in sentence_spans(line):
            sentence = line[start:end]
            cited = [
                int(n) for group in _MARKER.findall(sentence) for n in re.split(r"[,;]", group)
            ]
            text = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(_MARKER.sub(" ", sentence).split()))
            if _WORD.search(text) or not claims:
                claims.append(Claim(text, cited))
            else:  # a run of markers alone belongs to the sentence before it
                claims[-1].cited.extend(cited)
    return [c for c in claims if _WORD.search(c.text)][:MAX_CLAIMS]


class CiteChecker:
    """Verifies generated text against numbered passages with the embedder's sentence vectors."""

    def __init__(
        self,
        embedder: Embeddings,
        threshold: float = SUPPORT_THRESHOLD,
        terms: TermSupport | None = None,
    ) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.terms = terms or TermSupport(embedder)  # the service's, so one word cache serves both

    def check(self, reply: str, passages: Mapping[int, Passage]) -> Checked:
        """Keep the supported claims of `reply`, cited to the passages that support them."""
        kept, stats = self.verify(reply, passages)
        text, citations = compose(kept, per_sentence=True)
        return Checked(text, citations, stats)

    def verify(self, reply: str, passages: Mapping[int, Passage]) -> tuple[list[Kept], dict]:
        """The claims of `reply` that survive, each with its supporting passages, and counts."""
        claims = parse_claims(reply)
        stats = {
            "sentences": len(claims),
            "sentences_kept": 0,
            "markers_invented": 0,
            "markers_unsupported": 0,
            "sentences_uncited": 0,
            "sentences_blocked": 0,
            "support_threshold": self.threshold,
        }
        vectors = embed_array(self.embedder, [c.text for c in claims]) if claims else []
        kept: list[Kept] = []
        for claim, vector in zip(claims, vectors):
            support = self._supported(claim, vector, passages, stats)
            if support:
                kept.append((claim.text, support))
        stats["sentences_kept"] = len(kept)
        return kept, stats

    def _supported(self, claim: Claim, vector, passages, stats) -> list[tuple[Passage, int]]:
        """(passage, best sentence) for each cited passage that supports the claim."""
        valid = list(dict.fromkeys(n for n in claim.cited if n in passages))
        stats["markers_invented"] += len({n for n in claim.cited if n not in passages})
        if _BLOCKED.search(claim.text):
            stats["sentences_blocked"] += 1
            return []
        if not valid:
            stats["sentences_uncited"] += 1
            return []
        found = []
        for n in valid:
            score, index = self.support(claim.text, vector, passages[n])
            if score >= self.threshold:
                found.append((passages[n], index))
            else:
                stats["markers_unsupported"] += 1
        return found

    def support(self, claim: str, vector: np.ndarray, passage: Passage) -> tuple[float, int]:
        """The support score of `passage` for the claim, and the index of its closest sentence."""
        similarities = passage.sentence_vectors @ vector
        best = int(np.argmax(similarities))
        missing = self.terms.unsupported_share(claim, passage.text, _Uniform())
        return float(similarities[best]) - MISSING_WORDS_WEIGHT * missing, best

    def score(self, claim: str, passage: Passage) -> float:
        """The support score of one claim against one passage (for calibration)."""
        return self.support(claim, embed_array(self.embedder, [claim])[0], passage)[0]
