"""The refusal policy: the one place that decides whether the evidence answers the question.

Answers and topic summaries both ask it, with the same evidence window. It returns a
structured verdict (refused or not, the relevance score, the reasons, and the term for
"mentioned but not defined"); the adapters word it.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.answer.analysis import QuestionFacts
from retrieval.answer.answertype import AnswerType, offers
from retrieval.answer.evidence import Evidence, find_gloss
from retrieval.answer.support import TermSupport
from retrieval.search.keywords import KeywordIndex
from retrieval.types import Passage, Refusal, RefusalReason

# Calibrated with `seedbot eval --calibrate` on the 254 calibration questions (see README):
# the relevance below which the corpus is taken to hold no answer.
DEFAULT_MIN_RELEVANCE = 0.14
# The passages whose words count as covering the question. 4 rather than 3 was chosen on the
# 254 calibration questions of eval/ (two-fold checked): at the same threshold, 0.088 wrong
# refusals instead of 0.107, for 0.695 correct refusals instead of 0.716.
EVIDENCE_PASSAGES = 4
UNSUPPORTED_WEIGHT = 0.6  # how much question words absent from the evidence cost relevance
ANSWER_TYPE_WEIGHT = 0.5  # cost of a question for an amount or a date the evidence lacks
# ... and for a count: less, as a count is often answered by a list in prose ("filling in
# background, answering an FAQ or ...") that no pattern can see.
COUNT_WEIGHT = 0.3
UNDEFINED_TERM_WEIGHT = 1.0  # "what is X" where the texts only use X: refused
TYPED_SENTENCES = 3  # the best sentences searched for an answer of the asked kind


@dataclass(frozen=True)
class Verdict:
    """Whether to answer, the relevance it rests on, and why (names of the checks that cost)."""

    relevance: float
    refusal: Refusal | None
    reasons: tuple[str, ...] = ()
    gloss: tuple[Evidence, ...] = ()  # for "what is X": the sentences that say what X is

    @property
    def refused(self) -> bool:
        return self.refusal is not None


class RefusalPolicy:
    """Relevance from the best match, less what the evidence leaves unanswered; then a verdict."""

    def __init__(self, support: TermSupport, min_relevance: float = DEFAULT_MIN_RELEVANCE) -> None:
        self.support = support
        self.min_relevance = min_relevance

    def judge(
        self,
        facts: QuestionFacts,
        evidence: list[Evidence],
        passages: list[Passage],
        keywords: KeywordIndex,
    ) -> Verdict:
        """The verdict on answering `facts` from `evidence` (sentences of `passages`)."""
        window = " ".join(p.text for p in passages[:EVIDENCE_PASSAGES])
        unsupported = self.support.unsupported_share(facts.text, window, keywords)
        relevance, reasons, gloss = self._relevance(facts, evidence, unsupported)
        refusal = None
        if relevance < self.min_relevance:
            refusal = self._refusal(facts, window)
            reasons = (*reasons, "below_threshold")
        return Verdict(relevance, refusal, reasons, tuple(gloss or ()))

    def _relevance(self, facts: QuestionFacts, evidence: list[Evidence], unsupported: float):
        """Best semantic match, less the share of the question the evidence never speaks to.

        A question that asks for an amount or a time ("how many", "when") is not answered by
        sentences without one, nor "what is X" by sentences that only use X.
        """
        if not evidence:
            return 0.0, ("no_evidence",), None
        score = max(e.similarity for e in evidence) - UNSUPPORTED_WEIGHT * unsupported
        reasons = ["unsupported_terms"] if unsupported > 0 else []
        kind = facts.kind
        if kind is not None and not any(
            offers(kind, facts.text, e.text) for e in evidence[:TYPED_SENTENCES]
        ):
            score -= COUNT_WEIGHT if kind is AnswerType.COUNT else ANSWER_TYPE_WEIGHT
            reasons.append(f"no_{kind.value}")
        gloss = None if facts.term is None else find_gloss(facts.term, evidence)
        if facts.term is not None and gloss is None:
            score -= UNDEFINED_TERM_WEIGHT
            reasons.append("not_defined")
        return score, tuple(reasons), gloss

    @staticmethod
    def _refusal(facts: QuestionFacts, window: str) -> Refusal:
        """Say so when the texts use the term asked about but never explain it."""
        if facts.term is not None and facts.term.lower() in window.lower():
            return Refusal(RefusalReason.NOT_DEFINED, facts.term)
        return Refusal(RefusalReason.NO_EVIDENCE)
