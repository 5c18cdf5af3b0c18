"""Checking generated text against its passages: every claim must have a passage that supports it.

A sentence of the generated text is a claim; its markers say which passages support it.
Markers come in the forms models write: [1], [1, 2], [passage 1], (1), ¹. A marker that
names no passage is invented and removed, and its sentence with it. For a marker that names
a passage, the claim must be close to one of that passage's sentences (cosine of sentence
vectors) and use few content words the passage lacks; the quote shown is that closest
sentence, copied from the passage, so quotes are verbatim by construction. In a reply that
cites, a sentence with no marker is attributed to the passage that supports it best, if that
passage passes the same threshold, and dropped otherwise: models that cite leave some honest
sentences unmarked ("In section 4.4.2."). A reply with no marker at all is not attributed:
sentence similarity measures topic, not truth, and a model that ignores the format writes
on-topic falsehoods that pass it (SmolLM2 on the eval set: 30 such replies, none correct).
Citations are merged per passage and numbered by first use.
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
# Other forms, rewritten to [n, m] before parsing: "[passage 1]", "[Passages 1 and 2]",
# "(1)", "(1, 2)", "(source 3)". Parentheses take one or two digits, so "(2022)" stays a year.
_NAMED = r"(?:(?:passages?|sources?|refs?\.?)\s*)?"
_LIST = r"{0}(\d{{1,{1}}}(?:\s*(?:[,;]|and|&)\s*{0}\d{{1,{1}}})*)"
_BRACKETED = re.compile(r"\[\s*" + _LIST.format(_NAMED, 4) + r"\s*\]", re.IGNORECASE)
_PARENTHESISED = re.compile(r"\(\s*" + _LIST.format(_NAMED, 2) + r"\s*\)", re.IGNORECASE)
_SUPERSCRIPT = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+(?:[,˒]\s*[¹²³⁴⁵⁶⁷⁸⁹⁰]+)*")
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹˒", "0123456789,")
# Markers written after the full stop ("Claim. [1]") belong to the sentence before them.
_TRAILING_MARKERS = re.compile(r"([.!?…]+[\"'”’)]*)((?:\s*\[\s*\d[\d,;\s]*\])+)")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)]|#{1,6})\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?…])")
_WORD = re.compile(r"\w")
# A generated sentence that speaks as the bot about its own set-up, carries a removed secret
# or a setting's value: what an injected passage asks for, never an answer about the texts,
# however close to the passage it is. Dropped before the check. (A chat adapter adds its own
# pattern for sentences that address members: `also_blocked`.)
_BLOCKED = re.compile(
    r"\b(?:my|our)\s+(?:system\s+prompt|prompt|instructions?|configuration|config|settings|"
    r"api\s*keys?|tokens?|secrets?|credentials?)\b|\[redacted\]|(?-i:\b[A-Z][A-Z0-9_]{2,}\s*=\s*\S)",
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
    """The verified text, its citations (renumbered), what was removed, and why per sentence."""

    text: str
    citations: list[Citation]
    stats: dict = field(default_factory=dict)
    verdicts: list[dict] = field(default_factory=list)

    @property
    def trusted(self) -> bool:
        return trusted(self.stats)


def trusted(stats: dict) -> bool:
    """At least one sentence kept, and most of them: otherwise the reply is not used."""
    kept = stats.get("sentences_kept", 0)
    return kept > 0 and kept >= MIN_KEPT_SHARE * stats.get("sentences", 0)


def canonical_markers(text: str) -> str:
    """Every marker form rewritten as [n] or [n, m], the one form the parser reads."""

    def listed(match: re.Match) -> str:
        return "[" + ", ".join(re.findall(r"\d+", match.group(1))) + "]"

    text = _SUPERSCRIPT.sub(lambda m: f" [{m.group(0).translate(_SUPERSCRIPT_DIGITS)}]", text)
    return _PARENTHESISED.sub(listed, _BRACKETED.sub(listed, text))


def parse_claims(reply: str) -> list[Claim]:
    """Split generated text into sentences, each with the marker numbers written in it."""
    claims = []
    for line in canonical_markers(reply).replace("\r", "\n").split("\n"):
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
    return _once([c for c in claims if _WORD.search(c.text)])[:MAX_CLAIMS]


def _once(claims: list[Claim]) -> list[Claim]:
    """A sentence a model repeats (a small model looping) counts once, with all its markers."""
    by_text: dict[str, Claim] = {}
    for claim in claims:
        key = " ".join(claim.text.lower().split())
        if key in by_text:
            by_text[key].cited.extend(n for n in claim.cited if n not in by_text[key].cited)
        else:
            by_text[key] = claim
    return list(by_text.values())


class CiteChecker:
    """Verifies generated text against numbered passages with the embedder's sentence vectors."""

    def __init__(
        self,
        embedder: Embeddings,
        threshold: float = SUPPORT_THRESHOLD,
        terms: TermSupport | None = None,
        also_blocked: re.Pattern[str] | None = None,
    ) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.terms = terms or TermSupport(embedder)  # the service's, so one word cache serves both
        self.also_blocked = also_blocked

    def check(self, reply: str, passages: Mapping[int, Passage]) -> Checked:
        """Keep the supported claims of `reply`, cited to the passages that support them."""
        verdicts: list[dict] = []
        kept, stats = self.verify(reply, passages, verdicts)
        text, citations = compose(kept, per_sentence=True)
        return Checked(text, citations, stats, verdicts)

    def verify(
        self, reply: str, passages: Mapping[int, Passage], verdicts: list[dict] | None = None
    ) -> tuple[list[Kept], dict]:
        """The claims of `reply` that survive, each with its supporting passages, and counts.

        `verdicts`, when given, receives one entry per sentence: what it cited, what was
        decided (kept, attributed, unsupported, invented, uncited, blocked) and the scores.
        """
        claims = parse_claims(reply)
        marked = any(c.cited for c in claims)
        stats = {
            "sentences": len(claims),
            "reply_marked": marked,
            "sentences_kept": 0,
            "markers_invented": 0,
            "markers_unsupported": 0,
            "sentences_uncited": 0,
            "sentences_attributed": 0,
            "sentences_blocked": 0,
            "support_threshold": self.threshold,
        }
        vectors = embed_array(self.embedder, [c.text for c in claims]) if claims else []
        kept: list[Kept] = []
        for claim, vector in zip(claims, vectors):
            verdict = {"sentence": claim.text, "cited": claim.cited}
            support = self._supported(claim, vector, passages, stats, verdict, marked)
            if support:
                kept.append((claim.text, support))
            if verdicts is not None:
                verdicts.append(verdict)
        stats["sentences_kept"] = len(kept)
        return kept, stats

    def _supported(self, claim: Claim, vector, passages, stats, verdict: dict, marked: bool):
        """(passage, best sentence) for each cited passage that supports the claim; an unmarked
        claim is attributed only in a reply that cites (`marked`)."""
        valid = list(dict.fromkeys(n for n in claim.cited if n in passages))
        invented = {n for n in claim.cited if n not in passages}
        stats["markers_invented"] += len(invented)
        if _BLOCKED.search(claim.text) or (
            self.also_blocked is not None and self.also_blocked.search(claim.text)
        ):
            stats["sentences_blocked"] += 1
            verdict["verdict"] = "blocked"
            return []
        if not claim.cited and not marked:
            stats["sentences_uncited"] += 1
            verdict["verdict"] = "uncited"
            return []
        if not claim.cited:
            return self._attributed(claim, vector, passages, stats, verdict)
        if not valid:  # only invented numbers: a lying sentence is not given a second chance
            stats["sentences_uncited"] += 1
            verdict["verdict"] = "invented"
            return []
        found, scores = [], {}
        for n in valid:
            score, index = self.support(claim.text, vector, passages[n])
            scores[n] = round(score, 3)
            if score >= self.threshold:
                found.append((passages[n], index))
            else:
                stats["markers_unsupported"] += 1
        verdict["scores"] = scores
        verdict["verdict"] = "kept" if found else "unsupported"
        if found and invented:
            verdict["invented"] = sorted(invented)
        return found

    def _attributed(self, claim: Claim, vector, passages, stats, verdict: dict):
        """An unmarked claim, given the passage that supports it best if that one passes."""
        scored = {n: self.support(claim.text, vector, p) for n, p in passages.items()}
        if not scored:
            stats["sentences_uncited"] += 1
            verdict["verdict"] = "uncited"
            return []
        n = max(scored, key=lambda k: scored[k][0])
        score, index = scored[n]
        verdict["scores"] = {n: round(score, 3)}
        if score < self.threshold:
            stats["sentences_uncited"] += 1
            verdict["verdict"] = "uncited"
            return []
        stats["sentences_attributed"] += 1
        verdict |= {"verdict": "attributed", "attributed_to": n}
        return [(passages[n], index)]

    def support(self, claim: str, vector: np.ndarray, passage: Passage) -> tuple[float, int]:
        """The support score of `passage` for the claim, and the index of its closest sentence."""
        similarities = passage.sentence_vectors @ vector
        best = int(np.argmax(similarities))
        missing = self.terms.unsupported_share(claim, passage.text, _Uniform())
        return float(similarities[best]) - MISSING_WORDS_WEIGHT * missing, best

    def score(self, claim: str, passage: Passage) -> float:
        """The support score of one claim against one passage (for calibration)."""
        return self.support(claim, embed_array(self.embedder, [claim])[0], passage)[0]
