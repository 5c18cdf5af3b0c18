"""One threshold sweep for every calibration: scores that should pass it, scores that should not."""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLDS = [step / 100 for step in range(0, 81)]


@dataclass(frozen=True)
class Row:
    """At `threshold`: the share of `keep` scores at or above it, and of `drop` scores below it."""

    threshold: float
    kept: float
    dropped: float


def sweep(keep: list[float], drop: list[float]) -> list[Row]:
    """The shares kept and dropped at each threshold from 0.00 to 0.80."""
    return [
        Row(
            t,
            sum(s >= t for s in keep) / max(len(keep), 1),
            sum(s < t for s in drop) / max(len(drop), 1),
        )
        for t in THRESHOLDS
    ]


def best(rows: list[Row], min_kept: float) -> Row:
    """The threshold that drops the most while keeping at least `min_kept` of what should pass."""
    allowed = [r for r in rows if r.kept >= min_kept] or rows[:1]
    return max(allowed, key=lambda r: (r.dropped, r.kept))


def two_fold(keep: list[float], drop: list[float], min_kept: float) -> list[Row]:
    """Choose the threshold on one half of the scores, score it on the other, both ways."""
    halves = [(keep[0::2], drop[0::2]), (keep[1::2], drop[1::2])]
    results = []
    for train, test in (halves, halves[::-1]):
        chosen = best(sweep(*train), min_kept).threshold
        results.append(next(r for r in sweep(*test) if r.threshold == chosen))
    return results
