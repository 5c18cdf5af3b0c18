"""`seedbot eval`: retrieval and answer quality on a question set with gold line spans."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.errors import SeedbotError
from retrieval.evaluation.sweep import Row, best, sweep, two_fold
from retrieval.ingest.corpus import read_lines
from retrieval.types import Answer, Passage

DEFAULT_SET = Path("eval/questions.jsonl")
RANK_DEPTH = 10


@dataclass(frozen=True)
class Gold:
    source: str
    line_start: int
    line_end: int


@dataclass
class Case:
    id: str
    question: str
    answerable: bool
    gold: list[Gold]
    # Groups of words: an answer holds the gold fact when it has a word of every group.
    keywords: list[list[str]] = field(default_factory=list)

    def cited_in(self, citations) -> bool:
        """Whether any citation overlaps a gold span."""
        return any(
            _overlaps(c.source, c.line_start, c.line_end, g) for c in citations for g in self.gold
        )

    def fact_in(self, text: str) -> bool:
        lowered = text.lower()
        return all(any(word.lower() in lowered for word in group) for group in self.keywords)


@dataclass
class Outcome:
    """One question's results: where the first gold passage ranked, and the answer."""

    case: Case
    first_hit: int | None  # 1-based rank of the first passage that holds a gold span
    answer: Answer
    valid_quotes: int
    cited_gold: bool


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        answerable = [o for o in self.outcomes if o.case.answerable]
        unanswerable = [o for o in self.outcomes if not o.case.answerable]
        quotes = sum(len(o.answer.citations) for o in self.outcomes)
        answered = [o for o in answerable if not o.answer.refused]
        latencies = sorted(o.answer.timings_ms.get("total", 0.0) for o in self.outcomes)
        return {
            "questions": len(self.outcomes),
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
            "recall@1": _share(answerable, lambda o: o.first_hit == 1),
            "recall@5": _share(answerable, lambda o: o.first_hit is not None and o.first_hit <= 5),
            "mrr": _mean([1.0 / o.first_hit if o.first_hit else 0.0 for o in answerable]),
            "correct_refusal_rate": _share(unanswerable, lambda o: o.answer.refused),
            "wrong_refusal_rate": _share(answerable, lambda o: o.answer.refused),
            "citation_validity": (
                sum(o.valid_quotes for o in self.outcomes) / quotes if quotes else 1.0
            ),
            "answers_citing_gold": _share(answered, lambda o: o.cited_gold),
            "gold_cited": _share(answerable, lambda o: o.cited_gold),
            "gold_fact_in_answer": _share(
                [o for o in answerable if o.case.keywords],
                lambda o: not o.answer.refused and o.case.fact_in(o.answer.text),
            ),
            "latency_p50_ms": _percentile(latencies, 0.5),
            "latency_p95_ms": _percentile(latencies, 0.95),
        }


def question_sets(names: list[str] | None) -> list[Path]:
    """The sets named (several are pooled), or the default set."""
    return [Path(p) for p in names] if names else [DEFAULT_SET]


def corpus_of(question_set: Path) -> Path | None:
    """The corpus a question set is about: a `corpus/` folder beside it, if there is one."""
    folder = question_set.parent / "corpus"
    return folder if folder.is_dir() else None


def load_cases(path: Path) -> list[Case]:
    if not path.is_file():
        raise SeedbotError(f"Question set {path} not found.")
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            gold = [
                Gold(g["source"], int(g["line_start"]), int(g["line_end"])) for g in row["gold"]
            ]
            keywords = [list(group) for group in row.get("keywords", [])]
            cases.append(
                Case(str(row["id"]), row["question"], bool(row["answerable"]), gold, keywords)
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SeedbotError(f"{path}:{number}: not a question record ({exc}).") from None
    return cases


def evaluate(service, cases: list[Case]) -> Report:
    """Ask every question; rank passages separately to measure retrieval on its own."""
    report = Report()
    for case in cases:
        answer = service.ask(case.question)
        ranked = service.search(case.question, RANK_DEPTH)
        first_hit = next(
            (rank for rank, p in enumerate(ranked, 1) if _holds_gold(p, case.gold)), None
        )
        valid = sum(1 for c in answer.citations if _quote_found(service, c))
        cited_gold = case.cited_in(answer.citations)
        report.outcomes.append(Outcome(case, first_hit, answer, valid, cited_gold))
    return report


def _holds_gold(passage: Passage, gold: list[Gold]) -> bool:
    places = [(passage.source, passage.line_start, passage.line_end), *passage.duplicates]
    return any(_overlaps(s, a, b, g) for s, a, b in places for g in gold)


def _overlaps(source: str, first: int, last: int, gold: Gold) -> bool:
    return source == gold.source and first <= gold.line_end and gold.line_start <= last


def _quote_found(service, citation) -> bool:
    """Checked independently of the service's own gate: the file is read afresh."""
    text = read_lines(
        service.settings.corpus_dir, citation.source, citation.line_start, citation.line_end
    )
    return text is not None and bool(citation.quote) and citation.quote in text


MAX_WRONG_REFUSALS = 0.1


def calibration(outcomes: list[Outcome]) -> dict:
    """The refusal threshold swept over the recorded relevance of every answer.

    Answerable questions should pass it (at most 10% refused), unanswerable ones should not.
    """
    relevance = [(o.case.answerable, o.answer.verification.get("relevance", 0.0)) for o in outcomes]
    keep = [r for answerable, r in relevance if answerable]
    drop = [r for answerable, r in relevance if not answerable]
    rows = [_as_refusals(r) for r in sweep(keep, drop)]
    result = {
        "best": _as_refusals(best(sweep(keep, drop), 1 - MAX_WRONG_REFUSALS)),
        "two_fold_held_out": [
            _as_refusals(r) for r in two_fold(keep, drop, 1 - MAX_WRONG_REFUSALS)
        ],
    }
    return {**result, "sweep": rows}


def _as_refusals(row: Row) -> dict[str, float]:
    return {
        "threshold": row.threshold,
        "correct_refusal_rate": row.dropped,
        "wrong_refusal_rate": 1 - row.kept,
    }


def _share(items, predicate) -> float:
    return sum(1 for i in items if predicate(i)) / len(items) if items else 0.0


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]
