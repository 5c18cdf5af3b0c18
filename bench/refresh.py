"""Refresh cost at scale: what a refresh costs when one file changes, and what queries cost.

The index is built through the public path (`Indexer.refresh`) with a fast deterministic
embedder, so 100,000 passages take minutes instead of an hour of model time; the model's
share of a refresh is measured apart, by embedding the changed sentences with MiniLM.

    python -m bench.refresh --passages 10000 --out bench/refresh-10000.json
    chroma run --path /tmp/chroma --host 127.0.0.1 --port 8765 &   # an empty server, then:
    python -m bench.refresh --chroma-port 8765 --out bench/refresh-10000-server.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import statistics
import subprocess
import sys
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
from retrieval.index.store import Store, Version, make_client
from retrieval.search.hybrid import Retriever
from retrieval.settings import Settings

log = logging.getLogger(__name__)

QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "questions.jsonl"
TARGET_PASSAGES = 20  # the changed file: the one whose passage count is nearest this


class FastEmbeddings(Embeddings):
    """Unit vectors drawn from each text's hash: deterministic, and no model time."""

    name = "bench-fast-hash-384"

    def __init__(self) -> None:
        self.seconds = 0.0  # spent embedding: a refresh's time less this is the rest of it
        self.texts: list[str] = []  # what it was asked to embed, for MiniLM to embed again

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()

    def embed_array(self, texts: list[str]) -> np.ndarray:
        started = time.perf_counter()
        self.texts += texts
        rows = self._vectors(texts)
        self.seconds += time.perf_counter() - started
        return rows

    @staticmethod
    def _vectors(texts: list[str]) -> np.ndarray:
        seeds = [int(hashlib.sha256(t.encode()).hexdigest()[:16], 16) for t in texts]
        rows = np.stack([np.random.default_rng(s).standard_normal(384) for s in seeds])
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def changed_file(folder: Path, version: Version) -> tuple[Path, int]:
    """The file whose passage count is nearest TARGET_PASSAGES, and that count."""
    counts = {s: d["chunks"] for s, d in version.documents.items() if d["chunks"]}
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


def _store(folder: Path, port: int | None) -> Store:
    """The embedded store in `folder`, or the Chroma server on 127.0.0.1:`port`."""
    if port is None:
        return Store(make_client(path=folder / "store"))
    return Store(make_client(Settings(chroma_host="127.0.0.1", chroma_port=port)))


def run(passages: int, rounds: int, keep: Path | None = None, port: int | None = None) -> dict:
    documents = corpora.source_documents()
    corpus = corpora.corpus_of(passages, documents, corpora.chunks_for(passages, documents))
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()]
    embedder = FastEmbeddings()
    with _folder(keep) as tmp:
        folder = Path(tmp) / "corpus"
        for doc in corpus.documents:
            (folder / doc.source).parent.mkdir(parents=True, exist_ok=True)
            (folder / doc.source).write_text(doc.text, encoding="utf-8")
        store = _store(Path(tmp), port)
        lock = RefreshLock(Path(tmp) / "lock")
        indexer = Indexer(store, embedder, folder, lock, cache_dir=Path(tmp) / "chunks")
        build = indexer.refresh()
        embedder.texts = []
        log.info("built %d passages in %.1f s", build.added, build.seconds)
        before = query_p50(store, questions, embedder)
        unchanged = [indexer.refresh().seconds for _ in range(3)]
        cold_unchanged = refresh_elsewhere(Path(tmp), port)
        target, target_passages = changed_file(folder, store.active())
        changes, texts, embedding, derived = [], [], [], []
        retriever = Retriever(store, store.active())
        for round_no in range(rounds):
            edit(target, round_no)
            embedder.seconds, embedder.texts = 0.0, []
            report = indexer.refresh()
            texts += embedder.texts
            changes.append(report)
            embedding.append(embedder.seconds)
            log.info("one file changed: %s", report.summary())
            started = time.perf_counter()  # what the service does: derive from the last one
            retriever = Retriever(store, store.active(), previous=retriever)
            derived.append(time.perf_counter() - started)
        after = query_p50(store, questions, embedder)
        edit(target, rounds)
        cold_one_file = refresh_elsewhere(Path(tmp), port)
    return {
        "store": f"chroma server 127.0.0.1:{port}" if port else "embedded",
        "passages": build.added,
        "documents": len(corpus.documents),
        "full_build_s": round(build.seconds, 1),
        "no_change_refresh_s": [round(s, 3) for s in unchanged],
        "changed_file": target.relative_to(folder).as_posix(),
        "changed_file_passages": target_passages,
        "one_file_refresh_s": [round(r.seconds, 2) for r in changes],
        # In a new process, as `seedbot index` runs: Chroma opens the collections it reads.
        "new_process_no_change_refresh_s": cold_unchanged["seconds"],
        "new_process_one_file_refresh_s": cold_one_file["seconds"],
        "new_process_one_file_fast_embedder_s": cold_one_file["embedding"],
        "one_file_fast_embedder_s": [round(s, 3) for s in embedding],
        "one_file_retriever_derive_s": [round(s, 2) for s in derived],
        "one_file_added": [r.added for r in changes],
        "one_file_deleted": [r.deleted for r in changes],
        "one_file_embedded_sentences": [r.embedded_texts for r in changes],
        "minilm_seconds_for_changed_sentences": round(model_seconds(texts) / rounds, 2),
        "query_before": before,
        "query_after": after,
    }


def refresh_once(folder: Path, port: int | None = None) -> dict:
    """One refresh of the bench index in `folder`: what a new process pays for it."""
    embedder = FastEmbeddings()
    store = _store(folder, port)
    lock = RefreshLock(folder / "lock")
    indexer = Indexer(store, embedder, folder / "corpus", lock, cache_dir=folder / "chunks")
    report = indexer.refresh()
    return {"seconds": round(report.seconds, 2), "embedding": round(embedder.seconds, 3)}


def refresh_elsewhere(folder: Path, port: int | None = None) -> dict:
    """`refresh_once` in a new process (the one running the bench keeps Chroma open)."""
    command = [sys.executable, "-m", "bench.refresh", "--refresh-once", str(folder)]
    command += ["--chroma-port", str(port)] if port else []
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


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
    parser.add_argument("--refresh-once", type=Path, help="refresh a kept folder, print times")
    parser.add_argument(
        "--chroma-port", type=int, help="a Chroma server on 127.0.0.1 (`chroma run`), empty"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.refresh_once:
        print(json.dumps(refresh_once(args.refresh_once, args.chroma_port)))
        return
    result = run(args.passages, args.rounds, args.keep, args.chroma_port)
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
