"""Refresh cost at scale: what a refresh costs when one file changes, and what queries cost.

The index is built through the public path (`Indexer.refresh`) with a fast deterministic
embedder, so 100,000 passages take minutes instead of an hour of model time; the model's
share of a refresh is measured apart, by embedding the changed sentences with MiniLM.

    python -m bench.refresh --passages 10000 --out bench/refresh-10000.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bench import corpora
from retrieval.index.embedder import MiniLMEmbeddings
from retrieval.index.indexer import Indexer
from retrieval.index.locks import RefreshLock
from retrieval.index.store import Store, make_client
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import read_corpus
from retrieval.search.hybrid import Retriever

log = logging.getLogger(__name__)

QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "questions.jsonl"
TARGET_PASSAGES = 20  # the changed file: the one whose passage count is nearest this


class FastEmbeddings(Embeddings):
    """Unit vectors drawn from each text's hash: deterministic, and no model time."""

    name = "bench-fast-hash-384"

    def __init__(self) -> None:
        self.seconds = 0.0  # spent embedding: a refresh's time less this is the rest of it

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()

    def embed_array(self, texts: list[str]) -> np.ndarray:
        started = time.perf_counter()
        rows = self._vectors(texts)
        self.seconds += time.perf_counter() - started
        return rows

    @staticmethod
    def _vectors(texts: list[str]) -> np.ndarray:
        seeds = [int(hashlib.sha256(t.encode()).hexdigest()[:16], 16) for t in texts]
        rows = np.stack([np.random.default_rng(s).standard_normal(384) for s in seeds])
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def changed_file(folder: Path) -> tuple[Path, int]:
    """The file whose passage count is nearest TARGET_PASSAGES, and that count."""
    counts: dict[str, int] = {}
    for passage in chunk_corpus(read_corpus(folder).documents):
        counts[passage.source] = counts.get(passage.source, 0) + 1
    source = min(sorted(counts), key=lambda s: abs(counts[s] - TARGET_PASSAGES))
    return folder / source, counts[source]


def edit(path: Path, round_no: int) -> None:
    """Change nearly every passage of the file: a word inserted into most sentences."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(" the ", f" the r{round_no} "), encoding="utf-8")


def query_p50(store: Store, questions: list[str], embedder: FastEmbeddings) -> dict:
    """Load the live version's retriever, then time `search` over the questions."""
    started = time.perf_counter()
    retriever = Retriever(store, store.active())
    load_s = time.perf_counter() - started
    vectors = embedder.embed_array(questions)
    for q, v in zip(questions[:5], vectors[:5]):
        retriever.search(q, v, 5)  # warm-up
    times = []
    for q, v in zip(questions, vectors):
        started = time.perf_counter()
        retriever.search(q, v, 5)
        times.append((time.perf_counter() - started) * 1000)
    pointer = []
    for _ in range(50):
        started = time.perf_counter()
        store.active()
        pointer.append((time.perf_counter() - started) * 1000)
    return {
        "retriever_cold_load_s": round(load_s, 2),
        "search_p50_ms": round(statistics.median(times), 2),
        "search_p90_ms": round(sorted(times)[int(len(times) * 0.9)], 2),
        "pointer_read_p50_ms": round(statistics.median(pointer), 3),
    }


def model_seconds(texts: list[str]) -> float:
    """What MiniLM takes for `texts` (after one warm-up batch)."""
    model = MiniLMEmbeddings()
    model.embed_array(texts[:8])
    started = time.perf_counter()
    model.embed_array(texts)
    return time.perf_counter() - started


def run(passages: int, rounds: int, keep: Path | None = None) -> dict:
    documents = corpora.source_documents()
    corpus = corpora.corpus_of(passages, documents, corpora.chunks_for(passages, documents))
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()]
    embedder = FastEmbeddings()
    with _folder(keep) as tmp:
        folder = Path(tmp) / "corpus"
        for doc in corpus.documents:
            (folder / doc.source).parent.mkdir(parents=True, exist_ok=True)
            (folder / doc.source).write_text(doc.text, encoding="utf-8")
        store = Store(make_client(path=Path(tmp) / "store"))
        lock = RefreshLock(Path(tmp) / "lock")
        indexer = Indexer(store, embedder, folder, lock, cache_dir=Path(tmp) / "chunks")
        build = indexer.refresh()
        log.info("built %d passages in %.1f s", build.added, build.seconds)
        before = query_p50(store, questions, embedder)
        unchanged = [indexer.refresh().seconds for _ in range(3)]
        target, target_passages = changed_file(folder)
        changes, texts, embedding, derived = [], [], [], []
        retriever = Retriever(store, store.active())
        for round_no in range(rounds):
            old = {p.id for p in chunk_corpus(read_corpus(folder).documents)}
            edit(target, round_no)
            new = [p for p in chunk_corpus(read_corpus(folder).documents) if p.id not in old]
            texts += [p.sentence_text(i) for p in new for i in range(len(p.sentences))]
            embedder.seconds = 0.0
            report = indexer.refresh()
            changes.append(report)
            embedding.append(embedder.seconds)
            log.info("one file changed: %s", report.summary())
            started = time.perf_counter()  # what the service does: derive from the last one
            retriever = Retriever(store, store.active(), previous=retriever)
            derived.append(time.perf_counter() - started)
        after = query_p50(store, questions, embedder)
    return {
        "passages": build.added,
        "documents": len(corpus.documents),
        "full_build_s": round(build.seconds, 1),
        "no_change_refresh_s": [round(s, 3) for s in unchanged],
        "changed_file": target.relative_to(folder).as_posix(),
        "changed_file_passages": target_passages,
        "one_file_refresh_s": [round(r.seconds, 2) for r in changes],
        "one_file_fast_embedder_s": [round(s, 3) for s in embedding],
        "one_file_retriever_derive_s": [round(s, 2) for s in derived],
        "one_file_added": [r.added for r in changes],
        "one_file_deleted": [r.deleted for r in changes],
        "one_file_embedded_sentences": [r.embedded_texts for r in changes],
        "minilm_seconds_for_changed_sentences": round(model_seconds(texts) / rounds, 2),
        "query_before": before,
        "query_after": after,
    }


@contextmanager
def _folder(keep: Path | None):
    """A temporary folder, or `keep` (emptied first), left for later measurements."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp:
            yield tmp
        return
    shutil.rmtree(keep, ignore_errors=True)
    keep.mkdir(parents=True)
    yield str(keep)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path, help="build in this folder and leave it there")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    result = run(args.passages, args.rounds, args.keep)
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
