"""The refusal policy: the one place that decides whether the evidence answers the question.

It measures the evidence (features below) and asks a small logistic model, fitted with
cross-validation on question sets of two corpora (`seedbot eval --fit`, see eval/README.md),
how likely the question is answerable from it. Answers and topic summaries both ask it, with
the same evidence window. The verdict is structured: refused or not, the probability, the
checks that weighed against answering, and the term for "mentioned but not defined".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from retrieval.answer.analysis import QuestionFacts
from retrieval.answer.answertype import AnswerType, offers
from retrieval.answer.comparison import speaks_of
from retrieval.answer.evidence import Evidence, find_gloss
from retrieval.answer.lexicon import everyday_words, unknown_terms
from retrieval.answer.refusal_model import RefusalModel
from retrieval.answer.support import TermSupport
from retrieval.search.keywords import KeywordIndex, terms
from retrieval.types import Passage, Refusal, RefusalReason

# The passages whose words count as covering the question.
EVIDENCE_PASSAGES = 4
TYPED_SENTENCES = 3  # the best sentences searched for an answer of the asked kind


@dataclass(frozen=True)
class Verdict:
    """Whether to answer, the probability it rests on, and why (the checks that cost)."""

    relevance: float
    refusal: Refusal | None
    reasons: tuple[str, ...] = ()
    gloss: tuple[Evidence, ...] = ()  # for "what is X": the sentences that say what X is
    features: dict[str, float] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return self.refusal is not None


def measure(
    facts: QuestionFacts,
    evidence: list[Evidence],
    passages: list[Passage],
    unsupported: float,
    gloss: list[Evidence] | None,
    keywords: KeywordIndex,
    unknown: float,
    chance: float,
) -> dict[str, float]:
    """What the policy knows of the evidence, as numbers (every feature the model may use)."""
    absent = _absent_terms(facts, passages, keywords)
    best = evidence[0] if evidence else None
    kind = facts.kind
    typed = kind is None or any(
        offers(kind, facts.text, e.text) for e in evidence[:TYPED_SENTENCES]
    )
    top = passages[0] if passages else None
    first_similarity = top.vector_score if top else 0.0  # the best-ranked passage's own
    by_vector = max(passages, key=lambda p: p.vector_score, default=None)
    by_keyword = max(passages, key=lambda p: p.keyword_score, default=None)
    return {
        "similarity": max((e.similarity for e in evidence), default=0.0),
        "unsupported": unsupported,
        "type_missing": float(kind not in (None, AnswerType.COUNT) and not typed),
        "count_missing": float(kind is AnswerType.COUNT and not typed),
        "definition_asked": float(facts.term is not None),
        "gloss_missing": float(facts.term is not None and gloss is None),
        "lexical": best.lexical if best else 0.0,
        "passage_similarity": first_similarity,
        # Above what a question on no subject of these texts gets (search/chance.py): the
        # same figure on every corpus, where the raw one is not.
        "passage_over_chance": first_similarity - chance,
        "keyword_score": math.log1p(top.keyword_score) if top else 0.0,
        "rankings_agree": float(by_vector is not None and by_vector is by_keyword),
        "question_terms": math.log1p(len(facts.content_terms)),
        "absent_share": absent[0],
        "rarest_absent": absent[1],
        "unknown_name": unknown_name(facts.text, keywords),
        "unknown_term": unknown,
        "side_missing": side_missing(facts, evidence),
        "rarest_present": rarest_present(facts, keywords),
    }


def rarest_present(facts: QuestionFacts, keywords: KeywordIndex) -> float:
    """The IDF of the rarest question term the texts use at all, as a share of the rarest
    possible: a subject the texts mention once ("git submodule") is one they may not explain."""
    ceiling = keywords.idf("\x00") or 1.0
    used = [keywords.idf(t) for t in facts.content_terms if t in keywords.vocab]
    return max(used, default=0.0) / ceiling


def side_missing(facts: QuestionFacts, evidence: list[Evidence]) -> float:
    """1.0 when a question compares things and no retrieved sentence speaks of one of them
    ("NFC vs NFKC" of texts that name only NFC): half a comparison is no answer to it."""
    sides = facts.sides
    return float(any(not any(speaks_of(s, sides, e.text) for e in evidence) for s in sides))


# A name as code writes it: "functools.lru_cache", "str.isdigit", "max_bytes", "__next__",
# "sendto()". Only shapes that survive lower case ("LoggerAdapter" does not: a member may type
# "loggeradapter"), and not acronyms ("SFT" is as often a paraphrase as a new subject).
_CODE_NAME = re.compile(
    r"(?<![\w.])(?:[A-Za-z_]\w+(?:\.[A-Za-z_]\w+)+|[A-Za-z0-9]+_\w+|__\w+|\w+\(\))"
)


def unknown_name(question: str, keywords: KeywordIndex) -> float:
    """1.0 when the question names something in code that the texts never write: it asks about
    what they do not document ("how do I use LoggerAdapter" of a guide that never names it)."""
    for match in _CODE_NAME.finditer(question):
        if any(t not in keywords.vocab for t in terms(match.group())):
            return 1.0
    return 0.0


def _absent_terms(
    facts: QuestionFacts, passages: list[Passage], keywords: KeywordIndex
) -> tuple[float, float]:
    """Of the question's terms, those the evidence window lacks word for word: their
    IDF-weighted share, and the rarest one's IDF as a share of the rarest possible."""
    asked = set(facts.content_terms)
    if not asked:
        return 0.0, 0.0
    present = set(terms(" ".join(p.text for p in passages[:EVIDENCE_PASSAGES])))
    weights = {t: keywords.idf(t) for t in asked}
    missing = [t for t in asked if t not in present]
    share = sum(weights[t] for t in missing) / (sum(weights.values()) or 1.0)
    ceiling = keywords.idf("\x00") or 1.0  # a term no passage has
    return share, max((weights[t] for t in missing), default=0.0) / ceiling


class RefusalPolicy:
    """Measures the evidence and refuses when the model finds an answer unlikely."""

    def __init__(
        self,
        support: TermSupport,
        model: RefusalModel,
        threshold: float | None = None,
        measure_all: bool = False,
    ) -> None:
        self.support = support
        self.model = model
        self.threshold = model.threshold if threshold is None else threshold
        self.measure_all = measure_all  # every feature, for `seedbot eval --fit`

    def uses(self, feature: str) -> bool:
        return self.measure_all or feature in self.model.features

    def load(self) -> None:
        """Read the word lists that features and refusals need now, not during an answer."""
        everyday_words()

    def judge(
        self,
        facts: QuestionFacts,
        evidence: list[Evidence],
        passages: list[Passage],
        keywords: KeywordIndex,
        chance: float,
    ) -> Verdict:
        """The verdict on answering `facts` from `evidence` (sentences of `passages`);
        `chance` is the index's similarity floor (search/chance.py)."""
        window = " ".join(p.text for p in passages[:EVIDENCE_PASSAGES])
        # Word vectors are the costly measure: taken only when the model (or a fit) uses them.
        unsupported = 0.0
        if self.uses("unsupported"):
            unsupported = self.support.unsupported_share(facts.text, window, keywords)
        # A word neither the texts nor everyday English use (lexicon.py), looked up only when
        # the model (or a fit) uses it.
        unknown = unknown_terms(facts.text, keywords) if self.uses("unknown_term") else []
        gloss = None if facts.term is None else find_gloss(facts.term, evidence)
        features = measure(
            facts, evidence, passages, unsupported, gloss, keywords, float(bool(unknown)), chance
        )
        probability = self.model.probability(features) if evidence else 0.0
        reasons = self.model.against(features)
        refusal = None
        if probability < self.threshold:
            # The refusal names a word the texts never use, whether or not the model weighs it.
            named = unknown if self.uses("unknown_term") else unknown_terms(facts.text, keywords)
            refusal = _refusal(facts, window, named)
        return Verdict(probability, refusal, reasons, tuple(gloss or ()), features)


def _refusal(facts: QuestionFacts, window: str, unknown: list[str]) -> Refusal:
    """Say so when the texts use the term asked about but never explain it, or never use a
    word the question names its subject by."""
    if facts.term is not None and facts.term.lower() in window.lower():
        return Refusal(RefusalReason.NOT_DEFINED, facts.term)
    if unknown:
        return Refusal(RefusalReason.NOT_MENTIONED, _as_typed(unknown[0], facts.text))
    return Refusal(RefusalReason.NO_EVIDENCE)


def _as_typed(word: str, question: str) -> str:
    """The word as the member wrote it ("RotatingFileHandler", not "rotatingfilehandler")."""
    typed = re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", question, re.IGNORECASE)
    return typed.group() if typed else word
