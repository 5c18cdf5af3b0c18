"""`seedbot eval --calibrate-support`: the support threshold of generated citations, calibrated.

Each answerable question of the eval set carries a `note`: the expected answer, paraphrased
by hand. A note cited to its gold passage is a claim that should pass; the same note cited
to the best-ranked passage that does not hold the gold is a wrong citation that should not
(the hard case: a passage on the same subject). The threshold kept is the one that rejects
the most wrong citations while keeping at least 90% of the right ones.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from retrieval.evaluation.evaluate import _holds_gold, load_cases
from retrieval.evaluation.sweep import best, sweep, two_fold
from retrieval.llm.citecheck import CiteChecker
from retrieval.search.keywords import terms

MIN_KEEP = 0.9  # share of supported claims the threshold must let through
MIN_NOTE_TERMS = 3  # "Nora" or "section 6.2" is an answer, not a claim


def score_pairs(service, path: Path) -> tuple[list[float], list[float]]:
    """Support scores of (note, gold passage) and (note, wrong passage) pairs."""
    notes = _notes(path)
    checker = CiteChecker(service.embedder)
    right, wrong = [], []
    for case in load_cases(path):
        note = notes.get(case.id, "")
        if not case.answerable or len(terms(note)) < MIN_NOTE_TERMS:
            continue
        passages = service.search(case.question, service.settings.top_k)
        gold = [p for p in passages if _holds_gold(p, case.gold)]
        other = [p for p in passages if not _holds_gold(p, case.gold)]
        if gold:
            right.append(max(checker.score(note, p) for p in gold))
        if other:
            wrong.append(checker.score(note, other[0]))
    return right, wrong


def calibration(service, paths: list[Path]) -> dict:
    """The support threshold swept over (note, passage) pairs of the question sets."""
    right, wrong = [], []
    for path in paths:
        more_right, more_wrong = score_pairs(service, path)
        right += more_right
        wrong += more_wrong
    return {
        "pairs": {"right": len(right), "wrong": len(wrong)},
        "best": asdict(best(sweep(right, wrong), MIN_KEEP)),
        "two_fold_held_out": [asdict(r) for r in two_fold(right, wrong, MIN_KEEP)],
        "sweep": [asdict(r) for r in sweep(right, wrong)],
    }


def _notes(path: Path) -> dict[str, str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {str(row["id"]): row.get("note", "") for row in rows}
