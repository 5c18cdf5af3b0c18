"""The LLM path on a real local model: SmolLM2-135M-Instruct on llama.cpp, over an eval set.

    .venv/bin/python -m bench.llm_real [--set eval/questions.jsonl] [--every N] [--out FILE]
    .venv/bin/python -m bench.llm_real --figures FILE [--ids q01,q05]   # from an earlier run

Needs `make setup-llm`. Starts the server on 127.0.0.1, answers every Nth question of the set
through the real service with LLM_BASE_URL, and writes one JSON line per question (the
`--json --debug` object, the case's id and whether it cites gold) to --out, then prints the
figures: replies arrived, verified share, fallbacks by reason, decisions, refusals,
latency p50/p95 and output tokens per second.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections import Counter
from pathlib import Path

from bench.arbitration import offline_service
from bench.llama_server import llama_server, missing, smollm2_path
from bot.terminal.render import answer_json
from retrieval.evaluation.evaluate import _overlaps, load_cases
from retrieval.llm.answerer import make_generator
from retrieval.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def run(service, cases, out: Path) -> list[dict]:
    rows = []
    with out.open("w", encoding="utf-8") as sink:
        for case in cases:
            answer = service.ask(case.question)
            row = answer_json(answer, debug=True) | {"id": case.id, "answerable": case.answerable}
            row["cited_gold"] = any(
                _overlaps(c.source, c.line_start, c.line_end, g)
                for c in answer.citations
                for g in case.gold
            )
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
            sink.flush()
            rows.append(row)
    return rows


def figures(rows: list[dict]) -> dict:
    asked = [r for r in rows if r["verification"].get("decision", {}).get("by") != "policy"]
    replied = [r for r in asked if (r.get("debug") or {}).get("reply")]
    verified = [r for r in asked if r["path"] == "llm" and not r["refused"]]
    latency = sorted(r["timings_ms"]["total"] / 1000 for r in rows)
    tokens = sum(r["verification"].get("tokens_out", 0) for r in asked)
    seconds = sum(r["verification"].get("llm_seconds", 0) for r in asked)
    return {
        "questions": len(rows),
        "model_asked": len(asked),
        "replies_arrived": len(replied),
        "verified_shown": len(verified),
        "verified_share_of_asked": round(len(verified) / max(len(asked), 1), 3),
        "fallbacks": dict(
            Counter(r["verification"].get("llm_fallback") for r in asked) - Counter({None: 10**6})
        ),
        "decisions": dict(Counter(json.dumps(r["verification"].get("decision")) for r in rows)),
        "refused_answerable": sum(r["refused"] for r in rows if r["answerable"]),
        "refused_unanswerable": sum(r["refused"] for r in rows if not r["answerable"]),
        "answerable": sum(r["answerable"] for r in rows),
        "cited_gold_answerable": sum(r["cited_gold"] for r in rows if r["answerable"]),
        "latency_s_p50": round(statistics.median(latency), 1),
        "latency_s_p95": round(latency[min(len(latency) - 1, int(0.95 * len(latency)))], 1),
        "output_tokens_per_s": round(tokens / max(seconds, 1e-9), 1),
        "input_tokens_mean": round(
            statistics.mean(r["verification"].get("tokens_in", 0) for r in replied), 0
        )
        if replied
        else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=ROOT / "eval" / "questions.jsonl")
    parser.add_argument("--every", type=int, default=1, help="every Nth question")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / ".cache" / "llm_real.jsonl")
    parser.add_argument("--figures", type=Path, help="only the figures of a run's --out file")
    parser.add_argument("--ids", default="", help="with --figures: only these question ids")
    args = parser.parse_args()
    if args.figures:
        rows = [json.loads(line) for line in args.figures.read_text(encoding="utf-8").splitlines()]
        ids = set(filter(None, args.ids.split(",")))
        rows = [r for r in rows if not ids or r["id"] in ids]
        print(json.dumps({"file": args.figures.name, **figures(rows)}, indent=1))
        return
    if missing():
        raise SystemExit(f"bench.llm_real: {missing()}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cases = load_cases(args.set)[:: args.every]
    with tempfile.TemporaryDirectory() as folder, llama_server(smollm2_path()) as url:
        service = offline_service(Path(folder))
        settings = Settings(llm_model="smollm2", llm_base_url=url)
        service.use_generator(make_generator(settings, service.embedder, terms=service.support))
        rows = run(service, cases, args.out)
    print(json.dumps({"set": args.set.name, "every": args.every, **figures(rows)}, indent=1))


if __name__ == "__main__":
    main()
