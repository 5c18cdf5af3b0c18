"""Why and how questions: among sentences that match as well, the one giving the reason or way.

"Why would SGD prefer non-schemers?" is answered by the sentence with "because ..." more
than by the one restating the claim. The bonus is small: it reorders close candidates only.
"""

from __future__ import annotations

import re
from dataclasses import replace

from retrieval.answer.analysis import QuestionFacts
from retrieval.answer.evidence import Evidence

_ASKS_REASON = re.compile(r"\bwhy\b|\bhow come\b|\bwhat(?:'s| is) the reason\b", re.IGNORECASE)
_ASKS_WAY = re.compile(
    r"^\W*how\s+(?:do|does|did|can|could|should|would|to|is|are|was|were)\b|\bin what way\b",
    re.IGNORECASE,
)
_GIVES_REASON = re.compile(
    r"\b(?:because|since|as a result|so that|in order to|due to|the reason|reasons? (?:why|for)|"
    r"therefore|thus|hence|which means|otherwise|given that|leads? to|causes?)\b",
    re.IGNORECASE,
)
_GIVES_WAY = re.compile(
    r"\b(?:by\s+\w+ing|using|use|call|calling|pass|set|you can|you could|you should|you need|"
    r"to do this|first|then|instead|step)\b",
    re.IGNORECASE,
)
REASON_BONUS = 0.04  # fitted on the dev sets of both corpora: see eval/README.md
# A sentence giving a reason, within this of the best one, is added when none chosen gives one.
# Fitted by `seedbot eval --fit-selection` on the dev sets of three corpora (eval/README.md).
REASON_MARGIN = 0.2


def prefer(facts: QuestionFacts, evidence: list[Evidence]) -> list[Evidence]:
    """The evidence re-ranked for a why/how question; unchanged for any other."""
    if _ASKS_REASON.search(facts.text):
        cue = _GIVES_REASON
    elif _ASKS_WAY.search(facts.text):
        cue = _GIVES_WAY
    else:
        return evidence
    boosted = [replace(e, bonus=REASON_BONUS) if cue.search(e.text) else e for e in evidence]
    return sorted(boosted, key=lambda e: e.score, reverse=True)


def reason_for(
    facts: QuestionFacts,
    picked: list[Evidence],
    ranked: list[Evidence],
    margin: float = REASON_MARGIN,
) -> list[Evidence]:
    """For a why-question whose chosen sentences give no reason, the best sentence that does
    ("the main reason why we weren't seeing misbehaviour was ...") if it scores near the best:
    the claim asked about is often stated where its reason is not."""
    if (
        not _ASKS_REASON.search(facts.text)
        or not ranked
        or any(_GIVES_REASON.search(e.text) for e in picked)
    ):
        return []
    floor = ranked[0].score - margin
    reasons = [e for e in ranked if e.score >= floor and _GIVES_REASON.search(e.text)]
    return [e for e in reasons if e not in picked][:1]
