"""Chroma's approximate (HNSW) vector search against exact search, on the same stored vectors.

For each question: the exact nearest passages of the live version (numpy over every vector
it holds) and what Chroma's HNSW index returns, kept to the version's records as the
retriever keeps them. Reports recall of the approximate top-k against the exact one, and
what each costs per query.

    python -m bench.exactness --store /tmp/bench-store --out bench/exactness-100000.json
    python -m bench.exactness --pipeline 10000   # MiniLM vectors from bench/.cache/vectors
    python -m bench.exactness --store DIR --ef 0 400 --created-ef 100 400

`--ef` changes ef_search on the stored collection (`modify`, which Chroma also writes to the
store: a later process that reopens it reads it back; see `configured_ef_search`); `--created-ef`
builds a new in-memory collection of the same vectors with ef_search set at creation.
The pipeline's figures (`--pipeline`) are on the corpus with eval/'s corpora first
(corpora.source_documents(eval_first=True)), for each of the three dev sets.

The questions are the three dev sets (eval/questions.jsonl, eval/howtos/ and
eval/gitdocs/questions.jsonl), embedded with the embedder the index was built with (MiniLM,
or the benchmark's hash embedder: random vectors, the hard case for a graph index).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

from bench.refresh import FastEmbeddings
from retrieval.index.embedder import MiniLMEmbeddings
from retrieval.index.store import Store, make_client
from retrieval.search.hybrid import CANDIDATES

ROOT = Path(__file__).resolve().parent.parent
QUESTION_SETS = (
    ROOT / "eval" / "questions.jsonl",
    ROOT / "eval" / "howtos" / "questions.jsonl",
    ROOT / "eval" / "gitdocs" / "questions.jsonl",
)


def questions() -> list[str]:
    found = []
    for path in QUESTION_SETS:
        found += [json.loads(line)["question"] for line in path.read_text().splitlines() if line]
    return found


def embedder_for(name: str):
    return FastEmbeddings() if name == FastEmbeddings.name else MiniLMEmbeddings()


def measure(store: Store, ef: int | None, created_ef: int | None = None) -> dict:
    """HNSW against exact: the stored collection (ef_search changed if `ef`), or a new one."""
    version = store.active()
    held = store.held(version, ["embeddings"])
    records = held["ids"]
    matrix = np.asarray(held["embeddings"], dtype=np.float32)
    mine = set(records)
    chunks = store.collection(version.chunks)._inner
    if ef is not None:
        chunks.modify(configuration={"hnsw": {"ef_search": ef}})
    if created_ef is not None:
        chunks = _created(records, matrix, created_ef)
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
        "modified_ef_search": ef,  # None: not modified by this run
        "created_with_ef_search": created_ef,  # None: the stored collection
        "configured_ef_search": (chunks.configuration_json.get("hnsw") or {}).get("ef_search"),
        **{f"hnsw_recall_at_{k}": round(statistics.mean(v), 4) for k, v in recall.items()},
        "exact_numpy_p50_ms": round(statistics.median(exact_ms), 2),
        "hnsw_query_p50_ms": round(statistics.median(approximate_ms), 2),
    }


def _created(records: list[str], matrix: np.ndarray, ef: int):
    """A new in-memory collection of the same vectors, ef_search set when it is created."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.EphemeralClient(ChromaSettings(anonymized_telemetry=False))
    hnsw = {"space": "cosine", "ef_search": ef}
    collection = client.create_collection(f"ef{ef}", configuration={"hnsw": hnsw})
    for start in range(0, len(records), 4096):
        stop = start + 4096
        collection.add(ids=records[start:stop], embeddings=matrix[start:stop])
    return collection


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="an embedded store folder")
    parser.add_argument("--ef", type=int, nargs="*", default=[0], help="0: Chroma's default")
    parser.add_argument("--created-ef", type=int, nargs="*", default=[])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--pipeline", type=int, help="also the pipeline's recall at this size")
    args = parser.parse_args()
    results = []
    if args.pipeline:
        results.append(pipeline_recall(args.pipeline))
        args.store = args.store or Path(results[0]["store"])
    store = Store(make_client(path=args.store))
    results += [measure(store, ef or None) for ef in args.ef]
    results += [measure(store, None, ef) for ef in args.created_ef]
    text = json.dumps(results, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


def pipeline_recall(size: int) -> dict:
    """The pipeline's figures on each dev set among `size` passages: exact, then HNSW.

    The index is built from the MiniLM vector cache (fill it first: bench.vectors --eval-first).
    """
    from bench import bigindex, corpora
    from bench.__main__ import _quality
    from bench.vectors import VectorCache
    from retrieval.search import snapshot

    embedder = MiniLMEmbeddings()
    documents = corpora.source_documents(eval_first=True)
    chunks = corpora.chunks_for(size, documents)
    corpus = corpora.corpus_of(size, documents, chunks, tag="-evalfirst")
    build = bigindex.build(corpus, VectorCache(embedder.name), embedder.name)
    if build.stand_in_passages:
        raise SystemExit(f"{build.stand_in_passages} passages lack MiniLM vectors: fill the cache")
    out, limit, store = {}, snapshot.EXACT_MAX, bigindex.store_folder(corpus)
    for label, exact_max in (("exact", max(limit, size)), ("hnsw", 0)):
        snapshot.EXACT_MAX = exact_max
        # A snapshot saved without vectors would make the exact run approximate.
        shutil.rmtree(store / "bm25", ignore_errors=True)
        for path in QUESTION_SETS:
            cases = corpora.scale_cases(path)
            out[f"{path.relative_to(ROOT)} {label}"] = _quality(corpus, embedder, cases, store)
    snapshot.EXACT_MAX = limit
    return {"passages": size, "store": str(bigindex.store_folder(corpus)), **out}


if __name__ == "__main__":
    main()
