"""Chroma's approximate (HNSW) vector search against exact search, on the same stored vectors.

For each question: the exact nearest passages of the live version (numpy over every vector
it holds) and what Chroma's HNSW index returns, kept to the version's records as the
retriever keeps them. Reports recall of the approximate top-k against the exact one, and
what each costs per query.

    python -m bench.exactness --store /tmp/bench-store --out bench/exactness-100000.json
    python -m bench.exactness --pipeline 10000   # MiniLM vectors from bench/.cache/vectors

The questions are eval/questions.jsonl and eval/howtos/questions.jsonl, embedded with the
embedder the index was built with (MiniLM, or the benchmark's hash embedder: random
vectors, the hard case for a graph index).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from bench.refresh import FastEmbeddings
from retrieval.index.embedder import MiniLMEmbeddings
from retrieval.index.store import Store, make_client
from retrieval.search.hybrid import CANDIDATES

ROOT = Path(__file__).resolve().parent.parent
QUESTION_SETS = (ROOT / "eval" / "questions.jsonl", ROOT / "eval" / "howtos" / "questions.jsonl")


def questions() -> list[str]:
    found = []
    for path in QUESTION_SETS:
        found += [json.loads(line)["question"] for line in path.read_text().splitlines() if line]
    return found


def embedder_for(name: str):
    return FastEmbeddings() if name == FastEmbeddings.name else MiniLMEmbeddings()


def measure(store: Store, ef: int | None) -> dict:
    version = store.active()
    held = store.held(version, ["embeddings"])
    records = held["ids"]
    matrix = np.asarray(held["embeddings"], dtype=np.float32)
    mine = set(records)
    chunks = store.collection(version.chunks)
    if ef is not None:
        chunks._inner.modify(configuration={"hnsw": {"ef_search": ef}})
    asked = CANDIDATES + len(version.deleted)
    vectors = embedder_for(version.embedder).embed_array(questions())
    recall = {1: [], 5: [], CANDIDATES: []}
    exact_ms, approximate_ms = [], []
    for vector in vectors:
        started = time.perf_counter()
        scores = matrix @ vector
        best = np.argpartition(-scores, CANDIDATES - 1)[:CANDIDATES]
        exact = [records[n] for n in best[np.argsort(-scores[best], kind="stable")]]
        exact_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        result = chunks.query(
            query_embeddings=[vector.tolist()], n_results=asked, include=["distances"]
        )
        approximate = [r for r in result["ids"][0] if r in mine][:CANDIDATES]
        approximate_ms.append((time.perf_counter() - started) * 1000)
        for k in recall:
            recall[k].append(len(set(approximate[:k]) & set(exact[:k])) / k)
    return {
        "passages": len(records),
        "embedder": version.embedder,
        "questions": len(vectors),
        "hnsw_ef_search": ef or "chroma default (100)",
        **{f"hnsw_recall_at_{k}": round(statistics.mean(v), 4) for k, v in recall.items()},
        "exact_numpy_p50_ms": round(statistics.median(exact_ms), 2),
        "hnsw_query_p50_ms": round(statistics.median(approximate_ms), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="an embedded store folder")
    parser.add_argument("--ef", type=int, nargs="*", default=[0], help="0: Chroma's default")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--pipeline", type=int, help="also the pipeline's recall at this size")
    args = parser.parse_args()
    results = []
    if args.pipeline:
        results.append(pipeline_recall(args.pipeline))
        args.store = args.store or Path(results[0]["store"])
    store = Store(make_client(path=args.store))
    results += [measure(store, ef or None) for ef in args.ef]
    text = json.dumps(results, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


def pipeline_recall(size: int) -> dict:
    """The pipeline's figures on eval/questions.jsonl among `size` passages: exact, then HNSW.

    The index is built from the MiniLM vector cache (fill it first: bench.vectors).
    """
    from bench import bigindex, corpora
    from bench.__main__ import _quality
    from bench.vectors import VectorCache
    from retrieval.evaluation.evaluate import load_cases
    from retrieval.search import snapshot

    embedder = MiniLMEmbeddings()
    documents = corpora.source_documents()
    corpus = corpora.corpus_of(size, documents, corpora.chunks_for(size, documents))
    build = bigindex.build(corpus, VectorCache(embedder.name), embedder.name)
    if build.stand_in_passages:
        raise SystemExit(f"{build.stand_in_passages} passages lack MiniLM vectors: fill the cache")
    cases = load_cases(QUESTION_SETS[0])
    out, limit = {}, snapshot.EXACT_MAX
    for label, exact_max in (("exact", max(limit, size)), ("hnsw", 0)):
        snapshot.EXACT_MAX = exact_max
        out[label] = _quality(corpus, embedder, cases, bigindex.store_folder(corpus))["ours"]
    snapshot.EXACT_MAX = limit
    return {"passages": size, "store": str(bigindex.store_folder(corpus)), **out}


if __name__ == "__main__":
    main()
