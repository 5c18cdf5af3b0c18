"""`python -m bench [--quick]`: measure seedbot and write the report with its plots.

--quick measures the seed corpus only (well under a minute; what CI runs, with no
thresholds) and writes to bench/.cache/quick/. The full run adds the 1,000-passage build,
the 10,000- and 100,000-passage indexes and the layout comparison, and rewrites
bench/results.md, bench/results.json and bench/plots/.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import time
from pathlib import Path

from bench import corpora, indexing, latency, machine, quality, report
from bench.corpora import CACHE, ROOT, Corpus
from bench.stats import folder_mb
from retrieval.assembly import assemble
from retrieval.evaluation.evaluate import DEFAULT_SET, load_cases
from retrieval.index.embedder import MiniLMEmbeddings
from retrieval.index.store import Store, make_client
from retrieval.service import SeedService
from retrieval.settings import Settings

log = logging.getLogger("bench")

LARGE = (10_000, 100_000)
BUILD_SCALE = 1_000  # passages of real text for the full-build and refresh figures
# The first process of each scale builds the saved BM25 index; the others load it.
QUICK = {"processes": 2, "rounds": 1, "builds": 1, "refreshes": 3}
FULL = {"processes": 4, "rounds": 2, "builds": 3, "refreshes": 5}


def main() -> None:
    args = _parser().parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("chromadb", "httpx", "onnxruntime", "retrieval"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    out = CACHE / "quick" if args.quick else ROOT / "bench"
    if args.report_only:  # after editing notes.md or the report's layout: no measuring
        results = json.loads((out / "results.json").read_text())
        report.write(results, out)
        print(report.summary_text(results))
        return
    results = run(args, out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    report.write(results, out)
    print(report.summary_text(results))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="seed scale only, under a minute")
    parser.add_argument(
        "--embed-minutes",
        type=float,
        default=90.0,
        help="time allowed to fill the vector cache of the large corpora",
    )
    parser.add_argument(
        "--scales",
        default=",".join(str(s) for s in LARGE),
        help="large corpus sizes in passages (full run)",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite results.md from results.json"
    )
    return parser


def run(args, out: Path) -> dict:
    plan = QUICK if args.quick else FULL
    started = time.perf_counter()
    results: dict = {
        "mode": "quick" if args.quick else "full",
        "plan": plan,
        "machine": machine.facts(),
        "durations_s": {},
        "scales": [],
    }
    embedder = MiniLMEmbeddings()
    cases = load_cases(ROOT / DEFAULT_SET)
    questions = [c.question for c in cases]
    partial = CACHE / f"partial-{results['mode']}.json"
    partial.parent.mkdir(parents=True, exist_ok=True)
    timed = _Phases(
        results["durations_s"], lambda: partial.write_text(json.dumps(results, indent=1))
    )

    seeds = corpora.seed_corpus()
    with timed("quality at seed scale"):
        results["quality"] = {"seeds": _quality(seeds, embedder, cases)}
    with timed("indexing at seed scale"):
        results["indexing"] = {"seeds": _indexing(seeds.folder, embedder, plan)}
    with timed("latency at seed scale"):
        store = _seed_store(seeds, embedder)
        results["scales"].append(_scale(seeds, store, questions, plan, real=len(seeds.chunks)))
    if not args.quick:
        _full(args, results, embedder, cases, plan, timed)
    results["durations_s"]["total"] = round(time.perf_counter() - started, 1)
    results["machine"]["load_average_after"] = machine.load_average()
    return results


def _full(args, results, embedder, cases, plan, timed) -> None:
    from bench import bigindex
    from bench.vectors import VectorCache, fill, sentence_texts

    questions = [c.question for c in cases]
    scales = sorted(int(s) for s in args.scales.split(",") if s)
    with timed("reading and chunking the large corpora"):
        corpora.ensure_packages()
        documents = corpora.source_documents()
        chunks = corpora.chunks_for(max(scales), documents)
    with timed(f"indexing at {BUILD_SCALE:,} passages"):
        mid = corpora.corpus_of(BUILD_SCALE, documents, chunks)
        results["indexing"][f"{BUILD_SCALE}"] = _indexing(mid.folder, embedder, plan, repeats=2)
    cache = VectorCache(embedder.name)
    with timed("filling the vector cache"):
        deadline = time.monotonic() + args.embed_minutes * 60
        texts = sentence_texts(chunks[: max(scales)])
        results["vector_cache"] = {
            "embedded_now": fill(cache, texts, embedder, deadline),
            "sentences_needed": len(set(texts)),
            "cached": len(cache),
        }
    for size in scales:
        corpus = corpora.corpus_of(size, documents, chunks)
        with timed(f"index of {size:,} passages"):
            build = bigindex.build(corpus, cache, embedder.name)
        with timed(f"latency at {size:,} passages"):
            entry = _scale(
                corpus,
                bigindex.store_folder(corpus),
                questions,
                plan,
                real=size - build.stand_in_passages,
                build=build.__dict__,
            )
            results["scales"].append(entry)
        if build.stand_in_passages == 0:  # quality only where every vector is its own
            with timed(f"quality at {size:,} passages"):
                results["quality"][f"{size}"] = _quality(
                    corpus, embedder, cases, bigindex.store_folder(corpus)
                )


def _quality(corpus: Corpus, embedder, cases, store_dir: Path | None = None) -> dict:
    """Our pipeline and both baselines over one corpus (baselines: seed scale only)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from bench import baselines

    if store_dir is None:
        service = _service(corpus.folder, CACHE / "stores" / "quality-seeds", embedder, fresh=True)
        service.refresh()
    else:
        service = _service(corpus.folder, store_dir, embedder)
    service.warm_up(background=False)
    figures = {"ours": quality.pipeline(service, cases)}
    figures["bm25"] = quality.baseline(
        baselines.KeywordBaseline(corpus.chunks), cases, corpus.folder
    )
    if store_dir is None:
        client = chromadb.EphemeralClient(ChromaSettings(anonymized_telemetry=False))
        vector = baselines.VectorBaseline(corpus.chunks, embedder, client)
        figures["vector"] = quality.baseline(vector, cases, corpus.folder)
        vector.close()
    return figures


def _indexing(folder: Path, embedder, plan: dict, repeats: int | None = None) -> dict:
    return {
        "build": indexing.full_builds(folder, embedder, repeats or plan["builds"]),
        "refresh": indexing.refreshes(folder, embedder, plan["refreshes"]),
    }


def _seed_store(seeds: Corpus, embedder) -> Path:
    folder = CACHE / "stores" / "seeds"
    _service(seeds.folder, folder, embedder, fresh=True).refresh()
    return folder


def _service(corpus_dir: Path, store_dir: Path, embedder, fresh: bool = False) -> SeedService:
    if fresh:
        shutil.rmtree(store_dir, ignore_errors=True)
    settings = Settings(corpus_dir=corpus_dir, store_dir=store_dir)
    return assemble(settings, Store(make_client(path=store_dir)), embedder)


def _scale(corpus: Corpus, store: Path, questions, plan, real: int, build=None) -> dict:
    measured = latency.measure(corpus.folder, store, questions, plan["processes"], plan["rounds"])
    return {
        "name": corpus.name,
        "passages": len(corpus.chunks),
        "real_vector_passages": real,
        "sentences": sum(len(c.sentences) for c in corpus.chunks),
        "disk_mb": folder_mb(store),
        "build": build,
        **measured,
    }


class _Phases:
    """Times each phase of the run, and saves what is measured so far after each one."""

    def __init__(self, into: dict, checkpoint=None) -> None:
        self.into, self.checkpoint = into, checkpoint

    def __call__(self, name: str):
        return _Phase(self.into, name, self.checkpoint)


class _Phase:
    def __init__(self, into: dict, name: str, checkpoint) -> None:
        self.into, self.name, self.checkpoint = into, name, checkpoint

    def __enter__(self):
        log.info("bench: %s", self.name)
        self.started = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self.into[self.name] = round(time.perf_counter() - self.started, 1)
        if self.checkpoint:
            self.checkpoint()


if __name__ == "__main__":
    main()
