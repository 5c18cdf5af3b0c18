"""The offline answerer: picks the sentences that best answer the question and cites each one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.answer.answertype import AnswerType, asked_type, offers
from retrieval.answer.definitions import defined_term, glossed_by_next, glosses
from retrieval.search.keywords import KeywordIndex, terms
from retrieval.types import Citation, Passage

# Calibrated with `seedbot eval --calibrate` on the 254 calibration questions (see README):
# the relevance below which the corpus is taken to hold no answer.
DEFAULT_MIN_RELEVANCE = 0.14
LEXICAL_WEIGHT = 0.3  # how much exact query terms add to semantic similarity, for ranking
UNSUPPORTED_WEIGHT = 0.6  # how much question words absent from the evidence cost relevance
ANSWER_TYPE_WEIGHT = 0.5  # cost of a question for an amount or a date the evidence lacks
# ... and for a count: less, as a count is often answered by a list in prose ("filling in
# background, answering an FAQ or ...") that no pattern can see.
COUNT_WEIGHT = 0.3
UNDEFINED_TERM_WEIGHT = 1.0  # "what is X" where the texts only use X: refused
NEAR_BEST = 0.08  # further sentences must score within this of the best one
MIN_WORDS = 5  # "Great post." answers nothing


@dataclass
class Evidence:
    """A candidate sentence and how well it matches the question."""

    passage: Passage
    rank: int  # of its passage in the retrieval
    index: int  # of the sentence in its passage
    similarity: float
    lexical: float

    @property
    def score(self) -> float:
        return self.similarity + LEXICAL_WEIGHT * self.lexical

    @property
    def text(self) -> str:
        return self.passage.sentence_text(self.index)


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


def relevance(question: str, evidence: list[Evidence], unsupported: float) -> float:
    """Best semantic match, less the share of the question the evidence never speaks to.

    This is what the refusal threshold is compared with. A question that asks for an amount
    or a time ("how many", "when") is not answered by sentences without one, nor "what is X"
    by sentences that only use X.
    """
    if not evidence:
        return 0.0
    score = max(e.similarity for e in evidence) - UNSUPPORTED_WEIGHT * unsupported
    kind = asked_type(question)
    if kind is not None and not any(offers(kind, question, e.text) for e in evidence[:3]):
        score -= COUNT_WEIGHT if kind is AnswerType.COUNT else ANSWER_TYPE_WEIGHT
    term = defined_term(question)
    if term is not None and _gloss(term, evidence) is None:
        score -= UNDEFINED_TERM_WEIGHT
    return score


def _gloss(term: str, evidence: list[Evidence]) -> list[Evidence] | None:
    """The best-ranked sentences that say what the term is, or None if none does.

    Either one sentence that glosses it, or a sentence that names it through the one after it
    that says what it is ("They are a ...").
    """
    by_place = {(e.passage.id, e.index): e for e in evidence}
    for candidate in evidence:
        found = _gloss_index(term, candidate)
        if found is not None:
            lines = range(candidate.index, found + 1)
            return [by_place[(candidate.passage.id, i)] for i in lines]
    return None


def _gloss_index(term: str, evidence: Evidence) -> int | None:
    """Index in its passage of the sentence that says what the term is, if there is one."""
    if glosses(term, evidence.text):
        return evidence.index
    if term.lower() not in evidence.text.lower():
        return None
    following = range(evidence.index + 1, min(evidence.index + 3, len(evidence.passage.sentences)))
    return next((i for i in following if glossed_by_next(evidence.passage.sentence_text(i))), None)


def with_gloss(question: str, evidence: list[Evidence], chosen: list[Evidence], most: int):
    """For "what is X", the answer holds the sentence that says what X is, and its lead-in.

    The best-matching sentences may only name X ("Collapsable boxes are amazing."), while the
    gloss comes a sentence later ("They are a particularly nice way of ...").
    """
    term = defined_term(question)
    wanted = None if term is None else _gloss(term, evidence)
    if wanted is None:
        return chosen
    places = {(e.passage.id, e.index) for e in wanted}
    others = [e for e in chosen if (e.passage.id, e.index) not in places]
    kept = others[: max(most - len(wanted), 0)]
    return sorted(kept + wanted, key=lambda e: (e.rank, e.index))


def select(evidence: list[Evidence], max_sentences: int) -> list[Evidence]:
    """The best sentence and those close to it, in reading order."""
    if not evidence:
        return []
    floor = evidence[0].score - NEAR_BEST
    chosen: list[Evidence] = [evidence[0]]
    seen = {" ".join(evidence[0].text.split()).lower()}
    for candidate in evidence[1:]:
        if len(chosen) == max_sentences or candidate.score < floor:
            break
        key = " ".join(candidate.text.split()).lower()
        if key in seen or len(key.split()) < MIN_WORDS:
            continue
        seen.add(key)
        chosen.append(candidate)
    return sorted(chosen, key=lambda e: (e.rank, e.index))


def compose(chosen: list[Evidence]) -> tuple[str, list[Citation]]:
    """Answer text with a marker after each run of sentences from one passage, and citations."""
    citations: dict[str, Citation] = {}
    parts: list[str] = []
    for position, item in enumerate(chosen):
        citation = citations.get(item.passage.id)
        if citation is None:
            citation = _citation(len(citations) + 1, item.passage, chosen)
            citations[item.passage.id] = citation
        parts.append(" ".join(item.text.split()))
        following = chosen[position + 1] if position + 1 < len(chosen) else None
        if following is None or following.passage.id != item.passage.id:
            parts[-1] += f" [{citation.n}]"
    return " ".join(parts), list(citations.values())


def _citation(n: int, passage: Passage, chosen: list[Evidence]) -> Citation:
    """One citation per passage, quoting from its first chosen sentence to its last, verbatim."""
    indexes = [e.index for e in chosen if e.passage.id == passage.id]
    first, last = passage.sentences[min(indexes)], passage.sentences[max(indexes)]
    quote = passage.text[first.start : last.end]
    return Citation(n, passage.source, first.line_start, last.line_end, quote, passage.url)
