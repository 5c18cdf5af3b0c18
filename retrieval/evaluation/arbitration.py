"""The evidence level at which the extractive answer outweighs a model's "no answer".

When the model declines but the refusal policy did not, one of them is wrong. The offline
answers tell which is likelier at each relevance: an answer is right when its question is
answerable and it cites a gold passage, wrong when the question is unanswerable (or it cites
no gold). The level chosen is the lowest one at which at least `min_precision` of the
answers at or above it are right, so overriding a decline there rarely shows a wrong answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from retrieval.evaluation.sweep import THRESHOLDS

MIN_ANSWERS = 10  # a level above which fewer answers stand is not a measurement


@dataclass(frozen=True)
class Level:
    """At `level`: how many offline answers stand at or above it, and the share that is right."""

    level: float
    answers: int
    precision: float


def scored(outcomes) -> list[tuple[float, bool]]:
    """(relevance, right) of each answer the refusal policy let through."""
    return [
        (o.answer.verification.get("relevance", 0.0), o.case.answerable and o.cited_gold)
        for o in outcomes
        if not o.answer.refused
    ]


def levels(pairs: list[tuple[float, bool]]) -> list[Level]:
    rows = []
    for t in THRESHOLDS:
        above = [right for relevance, right in pairs if relevance >= t]
        rows.append(Level(t, len(above), sum(above) / max(len(above), 1)))
    return rows


NEVER = Level(1.01, 0, 0.0)  # no relevance reaches it: the evidence never overrides


def choose(pairs: list[tuple[float, bool]], min_precision: float) -> Level:
    """The lowest level whose answers at or above it are right at least `min_precision`;
    NEVER when no level is (then a model's "no answer" always stands)."""
    rows = [r for r in levels(pairs) if r.answers >= MIN_ANSWERS]
    return next((r for r in rows if r.precision >= min_precision), NEVER)


def calibration(outcomes, min_precision: float) -> dict:
    """The chosen level, a two-fold check (choose on one half, score on the other), the sweep."""
    pairs = scored(outcomes)
    chosen = choose(pairs, min_precision)
    halves = (pairs[0::2], pairs[1::2])
    held_out = []
    for train, test in (halves, halves[::-1]):
        level = choose(train, min_precision).level
        held_out.append(asdict(next((r for r in levels(test) if r.level == level), NEVER)))
    return {
        "answers": len(pairs),
        "right": sum(right for _, right in pairs),
        "best": asdict(chosen),
        "two_fold_held_out": held_out,
        "sweep": [asdict(r) for r in levels(pairs)],
    }
