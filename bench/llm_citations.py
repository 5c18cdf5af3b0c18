"""How many invented citations reach the output, with an LLM double that invents half the time.

    .venv/bin/python -m bench.llm_citations [--rate 0.5] [--seed 0] [--set eval/questions.jsonl]

Every question of the eval set is answered through the real service (real Chroma, the real
embedder, the real verification) with `InventingChatModel` as the LLM. Each reply the double
writes is noted: markers naming no passage, claims no passage states, true sentences cited to
the wrong passage. Then the final answers are searched for any of them, and every quote is
read again from its file. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the double lives with the tests' fakes

from retrieval.evaluation.evaluate import load_cases  # noqa: E402
from retrieval.ingest.corpus import read_lines  # noqa: E402
from retrieval.types import Answer  # noqa: E402

_MARKER = re.compile(r"\[(\d+)\]")


def build_service(folder: Path, rate: float, seed: int):
    """A fresh index of the seed corpus, answered by the inventing double."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from retrieval.index.embedder import MiniLMEmbeddings
    from retrieval.index.store import Store
    from retrieval.llm.answerer import LLMAnswerer
    from retrieval.service import SeedService
    from retrieval.settings import Settings
    from tests.fakes.inventing_llm import InventingChatModel

    shutil.copytree(ROOT / "seeds", folder / "corpus")
    settings = Settings(corpus_dir=folder / "corpus", store_dir=folder / "store")
    client = chromadb.PersistentClient(
        path=str(settings.store_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    embedder = MiniLMEmbeddings()
    double = InventingChatModel(invent_rate=rate, seed=seed)
    service = SeedService(settings, Store(client), embedder, LLMAnswerer(double, embedder))
    service.refresh()
    return service, double


def leaks(answer: Answer, record: dict, corpus: Path) -> dict[str, int]:
    """What of the double's inventions, or of any unverifiable quote, is in the final answer."""
    numbers = {c.n for c in answer.citations}
    flat = " ".join(answer.answer.split())
    return {
        "dangling_markers": sum(int(n) not in numbers for n in _MARKER.findall(flat)),
        "invented_claims": sum(_said(claim, flat) for claim in record["invented_claims"]),
        "misattributed": sum(_misattributed(m, answer, flat) for m in record["misattributed"]),
        "quotes_not_verbatim": sum(not _verbatim(c, corpus) for c in answer.citations),
    }


def _said(claim: str, text: str) -> bool:
    return " ".join(claim.rstrip(".").split())[:60] in text


def _misattributed(item: dict, answer: Answer, flat: str) -> bool:
    """True when the sentence survived citing the wrong passage and not its own."""
    text = " ".join(item["text"].rstrip(".").split())[:60]
    at = flat.find(text)
    if at < 0:
        return False
    cited = _markers_after(flat, at + len(text))
    where = {c.n: (c.source, c.line_start, c.line_end) for c in answer.citations}
    hits = [where[n] for n in cited if n in where]
    return any(_overlaps(h, item["cited"]) for h in hits) and not any(
        _overlaps(h, item["true"]) for h in hits
    )


def _markers_after(text: str, start: int) -> list[int]:
    end = text.find(". ", start)
    return [int(n) for n in _MARKER.findall(text[start : end if end > 0 else len(text)])]


def _overlaps(a, b) -> bool:
    return a[0] == b[0] and a[1] <= b[2] and b[1] <= a[2]


def _verbatim(citation, corpus: Path) -> bool:
    lines = read_lines(corpus, citation.source, citation.line_start, citation.line_end)
    return lines is not None and bool(citation.quote) and citation.quote in lines


def measure(rate: float, seed: int, question_set: Path) -> dict:
    cases = load_cases(question_set)
    with tempfile.TemporaryDirectory() as tmp:
        service, double = build_service(Path(tmp), rate, seed)
        totals = {
            "dangling_markers": 0,
            "invented_claims": 0,
            "misattributed": 0,
            "quotes_not_verbatim": 0,
        }
        made = {
            "replies_with_inventions": 0,
            "out_of_range": 0,
            "invented_claims": 0,
            "misattributed": 0,
        }
        paths: dict[str, int] = {}
        cost = {"honest_sentences": 0, "honest_dropped": 0}
        started = time.perf_counter()
        for case in cases:
            answer = service.ask(case.question)
            record = double.inventions[-1]
            made["replies_with_inventions"] += bool(record["invented_claims"])
            for kind in ("out_of_range", "invented_claims", "misattributed"):
                made[kind] += len(record[kind])
            for kind, count in leaks(answer, record, service.settings.corpus_dir).items():
                totals[kind] += count
            if not record["invented_claims"]:  # the cost: honest sentences the check dropped
                cost["honest_sentences"] += answer.verification.get("sentences", 0)
                cost["honest_dropped"] += answer.verification.get(
                    "sentences", 0
                ) - answer.verification.get("sentences_kept", 0)
            outcome = f"{answer.path}:{answer.verification.get('outcome', 'checked')}"
            paths[outcome] = paths.get(outcome, 0) + 1
        seconds = time.perf_counter() - started
    return {
        "questions": len(cases),
        "invent_rate": rate,
        "seed": seed,
        "invented": made,
        "reached_output": totals,
        "answers_by_path": paths,
        "cost": cost,
        "mean_answer_ms": round(seconds * 1000 / max(len(cases), 1), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=0.5, help="share of replies that invent")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", dest="question_set", default=str(ROOT / "eval/questions.jsonl"))
    parser.add_argument(
        "--per-sentence-only",
        action="store_true",
        help="keep what survives of every reply (no fallback for mostly unsupported replies), "
        "to measure the per-sentence check on its own",
    )
    args = parser.parse_args(argv)
    if args.per_sentence_only:
        import retrieval.llm.citecheck

        retrieval.llm.citecheck.MIN_KEPT_SHARE = 0.0
    print(json.dumps(measure(args.rate, args.seed, Path(args.question_set)), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
