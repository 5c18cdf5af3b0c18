"""Indexing: a full build against the embedder's raw throughput, and the two kinds of refresh.

Every build runs the real `SeedService.refresh` on a fresh embedded store. The raw
throughput is the same model embedding the same sentence texts in the same batches, with
nothing else around it: the ceiling a build can approach.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from bench.stats import summary
from retrieval.index.embedder import MiniLMEmbeddings
from retrieval.index.indexer import EMBED_BATCH
from retrieval.index.store import Store, make_client
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import read_corpus
from retrieval.service import SeedService
from retrieval.settings import Settings


class TimedEmbedder(MiniLMEmbeddings):
    """The same loaded model, counting the seconds spent inside it."""

    def __init__(self, inner: MiniLMEmbeddings) -> None:  # shares the session: no reload
        self.__dict__.update(inner.__dict__)
        self.seconds = 0.0

    def embed_array(self, texts):
        started = time.perf_counter()
        try:
            return super().embed_array(texts)
        finally:
            self.seconds += time.perf_counter() - started


def _service(corpus: Path, store: Path, embedder) -> SeedService:
    settings = Settings(corpus_dir=corpus, store_dir=store)
    return SeedService(settings, Store(make_client(path=store)), embedder)


def raw_throughput(corpus: Path, embedder: MiniLMEmbeddings) -> tuple[float, int, int]:
    """Seconds the bare model takes for the corpus's sentences, in the indexer's batches."""
    chunks = chunk_corpus(read_corpus(corpus).documents)
    started = time.perf_counter()
    sentences = 0
    for start in range(0, len(chunks), EMBED_BATCH):
        batch = chunks[start : start + EMBED_BATCH]
        texts = [c.sentence_text(i) for c in batch for i in range(len(c.sentences))]
        embedder.embed_array(texts)
        sentences += len(texts)
    return time.perf_counter() - started, len(chunks), sentences


def full_builds(corpus: Path, embedder: MiniLMEmbeddings, repeats: int) -> dict:
    """Full builds alternating with raw embedding runs, so both see the same machine load."""
    build_rates, raw_rates, embed_shares, ratios = [], [], [], []
    passages = sentences = 0
    raw_throughput(corpus, embedder)  # warm-up: onnxruntime's first runs allocate
    for _ in range(repeats):
        raw_seconds, passages, sentences = raw_throughput(corpus, embedder)
        with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
            timed = TimedEmbedder(embedder)
            report = _service(corpus, Path(tmp) / "store", timed).refresh()
        build_rates.append(report.added / report.seconds)
        raw_rates.append(passages / raw_seconds)
        ratios.append(build_rates[-1] / raw_rates[-1])
        embed_shares.append(timed.seconds / report.seconds)
    return {
        "passages": passages,
        "sentences": sentences,
        "build_passages_per_s": summary(build_rates),
        "raw_passages_per_s": summary(raw_rates),
        "raw_sentences_per_s": summary([r * sentences / passages for r in raw_rates]),
        "ratio": summary(ratios),
        "embedding_share_of_build": summary(embed_shares),
    }


def refreshes(corpus: Path, embedder: MiniLMEmbeddings, repeats: int) -> dict:
    """A refresh with nothing changed, and one after a file changed, on a private copy."""
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp:
        folder = Path(tmp) / "corpus"
        shutil.copytree(corpus, folder, ignore=shutil.ignore_patterns(".*"))
        service = _service(folder, Path(tmp) / "store", embedder)
        service.refresh()
        unchanged = [service.refresh() for _ in range(repeats)]
        changed = []
        target = _largest_file(folder)
        for number in range(repeats):
            with target.open("a", encoding="utf-8") as handle:
                handle.write(f"\n\nA sentence added by the benchmark, run {number} of {repeats}.\n")
            changed.append(service.refresh())
    return {
        "no_change_s": summary([r.seconds for r in unchanged]),
        "no_change_embedded": max(r.embedded_texts for r in unchanged),
        "one_file_s": summary([r.seconds for r in changed]),
        "one_file_embedded": summary([float(r.embedded_texts) for r in changed]),
        "one_file_added": summary([float(r.added) for r in changed]),
        "changed_file": target.relative_to(folder).as_posix(),
    }


def _largest_file(folder: Path) -> Path:
    files = [p for p in folder.rglob("*.txt") if p.is_file()]
    return max(files, key=lambda p: (p.stat().st_size, p.as_posix()))
