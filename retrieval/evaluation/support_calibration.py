"""`seedbot eval --calibrate-support`: the support threshold of generated citations, calibrated.

Each answerable question of the eval set carries a `note`: the expected answer, paraphrased
by hand. A note cited to its gold passage is a claim that should pass; the same note cited
to the best-ranked passage that does not hold the gold is a wrong citation that should not
(the hard case: a passage on the same subject). The threshold kept is the one that rejects
the most wrong citations while keeping at least 90% of the right ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from retrieval.llm.citecheck import CiteChecker
from retrieval.evaluation.evaluate import _holds_gold, load_cases, question_sets
from retrieval.search.keywords import terms

MIN_KEEP = 0.9  # share of supported claims the threshold must let through
MIN_NOTE_TERMS = 3  # "Nora" or "section 6.2" is an answer, not a claim


def score_pairs(service, path: Path) -> tuple[list[float], list[float]]:
    """Support scores of (note, gold passage) and (note, wrong passage) pairs."""
    notes = _notes(path)
    checker = CiteChecker(service.embedder)
    retriever = service.retriever()
    right, wrong = [], []
    for case in load_cases(path):
        note = notes.get(case.id, "")
        if not case.answerable or len(terms(note)) < MIN_NOTE_TERMS:
            continue
        passages = retriever.search(
            case.question, service.embed_query(case.question), service.settings.top_k
        )
        gold = [p for p in passages if _holds_gold(p, case.gold)]
        other = [p for p in passages if not _holds_gold(p, case.gold)]
        if gold:
            right.append(max(checker.score(note, p) for p in gold))
        if other:
            wrong.append(checker.score(note, other[0]))
    return right, wrong


def sweep(right: list[float], wrong: list[float]) -> list[dict[str, float]]:
    """Share of right citations kept and wrong ones rejected at each threshold."""
    rows = []
    for step in range(0, 81):
        threshold = step / 100
        rows.append(
            {
                "threshold": threshold,
                "right_kept": sum(s >= threshold for s in right) / max(len(right), 1),
                "wrong_rejected": sum(s < threshold for s in wrong) / max(len(wrong), 1),
            }
        )
    return rows


def best(rows: list[dict[str, float]]) -> dict[str, float]:
    """The threshold rejecting most wrong citations while keeping 90% of the right ones."""
    allowed = [r for r in rows if r["right_kept"] >= MIN_KEEP] or rows[:1]
    return max(allowed, key=lambda r: (r["wrong_rejected"], r["right_kept"]))


def held_out(right: list[float], wrong: list[float]) -> list[dict[str, float]]:
    """Two-fold check: choose on one half of the pairs, score on the other."""
    folds = [(right[0::2], wrong[0::2]), (right[1::2], wrong[1::2])]
    results = []
    for train, test in (folds, folds[::-1]):
        chosen = best(sweep(*train))["threshold"]
        results.append(next(r for r in sweep(*test) if r["threshold"] == chosen))
    return results


def run_cli(service, args) -> int:
    right, wrong = [], []
    for path in question_sets(args):
        more_right, more_wrong = score_pairs(service, path)
        right += more_right
        wrong += more_wrong
    rows = sweep(right, wrong)
    result = {
        "pairs": {"right": len(right), "wrong": len(wrong)},
        "best": best(rows),
        "two_fold_held_out": held_out(right, wrong),
    }
    if args.json:
        print(json.dumps({**result, "sweep": rows}))
        return 0
    print("threshold  right_kept  wrong_rejected")
    for row in rows:
        print(f"{row['threshold']:9.2f}  {row['right_kept']:10.3f}  {row['wrong_rejected']:14.3f}")
    print(json.dumps(result, indent=1))
    return 0


def _notes(path: Path) -> dict[str, str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {str(row["id"]): row.get("note", "") for row in rows}
