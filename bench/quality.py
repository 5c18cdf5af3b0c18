"""Quality on the committed eval set: our pipeline and the two baselines, scored by one scorer.

Ranks and answers of every pipeline go through retrieval.evaluation.evaluate's Report, so recall@k,
MRR, refusal rates and citation validity mean the same for all three. Refusal thresholds:
ours is the shipped one (calibrated on this set with `seedbot eval --calibrate`); each
baseline's is calibrated here by the same rule (most unanswerable questions refused with
at most 10% of answerable ones refused). Tuned on the questions they are scored on, all
three look better than they would on new questions, so a two-fold held-out check is
reported beside them.
"""

from __future__ import annotations

import statistics
from types import SimpleNamespace

from bench.baselines import Ranked, duplicates_of
from retrieval.answer.refusal_model import RefusalModel
from retrieval.evaluation import evaluate as ev
from retrieval.ingest.corpus import read_lines
from retrieval.types import Answer, Citation, Refusal, RefusalReason


def refusal_accuracy(figures: dict) -> float:
    """Share of all questions whose refuse-or-answer decision was right."""
    right = (
        figures["correct_refusal_rate"] * figures["unanswerable"]
        + (1 - figures["wrong_refusal_rate"]) * figures["answerable"]
    )
    return right / max(1, figures["questions"])


def pipeline(service, cases: list[ev.Case]) -> dict:
    """Our pipeline as shipped, plus its held-out refusal figures."""
    report = ev.evaluate(service, cases)  # refused answers record their relevance too
    shipped = service.settings.min_relevance or RefusalModel.load().threshold
    held_out = ev.calibration(report.outcomes)["two_fold_held_out"]
    figures = _figures(report, shipped, held_out)
    figures["retrieval_p50_ms"] = statistics.median(
        o.answer.timings_ms.get("retrieve", 0.0) for o in report.outcomes
    )
    return figures


def baseline(ranker, cases: list[ev.Case], corpus_dir) -> dict:
    """A baseline's figures at its calibrated threshold."""
    ranked = [ranker.rank(case.question) for case in cases]
    scores = sorted({r.top_score for r in ranked})
    thresholds = [0.0, *scores, scores[-1] + 1.0] if scores else [0.0]

    def outcomes(threshold: float) -> list[ev.Outcome]:
        return [_outcome(c, r, threshold, corpus_dir) for c, r in zip(cases, ranked)]

    best = _best(outcomes(-1e9), thresholds)
    report = ev.Report(outcomes(best))
    held_out = _cross_validated(outcomes(-1e9), thresholds)
    figures = _figures(report, best, held_out)
    figures["retrieval_p50_ms"] = statistics.median(r.ms for r in ranked)
    return figures


def _figures(report: ev.Report, threshold: float, held_out: list[dict]) -> dict:
    figures = report.figures()
    figures["refusal_accuracy"] = refusal_accuracy(figures)
    figures["threshold"] = threshold
    for key in ("correct_refusal", "wrong_refusal"):
        figures[f"held_out_{key}"] = statistics.fmean(r[f"{key}_rate"] for r in held_out)
    return figures


def _outcome(case: ev.Case, ranked: Ranked, threshold: float, corpus_dir) -> ev.Outcome:
    places = [
        SimpleNamespace(
            source=c.source,
            line_start=c.line_start,
            line_end=c.line_end,
            duplicates=duplicates_of(c),
        )
        for c in ranked.chunks
    ]
    first_hit = next((n for n, p in enumerate(places, 1) if ev._holds_gold(p, case.gold)), None)
    refused = not ranked.chunks or ranked.top_score < threshold
    recorded = {"verification": {"relevance": ranked.top_score}, "timings_ms": {"total": ranked.ms}}
    answer = Answer(case.question, "", refusal=Refusal(RefusalReason.NO_EVIDENCE), **recorded)
    if not refused:
        top = ranked.chunks[0]
        citation = Citation(1, top.source, top.line_start, top.line_end, top.text)
        answer = Answer(case.question, f"{top.text} [1]", (citation,), **recorded)
    valid = sum(1 for c in answer.citations if _quote_found(corpus_dir, c))
    cited_gold = any(
        ev._overlaps(c.source, c.line_start, c.line_end, g)
        for c in answer.citations
        for g in case.gold
    )
    return ev.Outcome(case, first_hit, answer, valid, cited_gold)


def _quote_found(corpus_dir, citation: Citation) -> bool:
    text = read_lines(corpus_dir, citation.source, citation.line_start, citation.line_end)
    return text is not None and citation.quote in text


def _rates(outcomes: list[ev.Outcome], threshold: float) -> dict[str, float]:
    """Refusal rates if every answer scoring below `threshold` were refused."""
    refused = [
        (o.case.answerable, o.answer.verification["relevance"] < threshold) for o in outcomes
    ]
    answerable = [r for a, r in refused if a]
    unanswerable = [r for a, r in refused if not a]
    return {
        "threshold": threshold,
        "correct_refusal_rate": sum(unanswerable) / max(1, len(unanswerable)),
        "wrong_refusal_rate": sum(answerable) / max(1, len(answerable)),
    }


def _best(outcomes: list[ev.Outcome], thresholds: list[float]) -> float:
    """retrieval.evaluation.evaluate's rule, over every score the baseline produced."""
    rows = [_rates(outcomes, t) for t in thresholds]
    allowed = [r for r in rows if r["wrong_refusal_rate"] <= ev.MAX_WRONG_REFUSALS] or rows[:1]
    return max(allowed, key=lambda r: (r["correct_refusal_rate"], -r["wrong_refusal_rate"]))[
        "threshold"
    ]


def _cross_validated(outcomes: list[ev.Outcome], thresholds: list[float]) -> list[dict]:
    folds = [outcomes[0::2], outcomes[1::2]]
    return [_rates(test, _best(train, thresholds)) for train, test in (folds, folds[::-1])]
