"""Build an index of a large corpus from cached vectors, in exactly the layout the indexer writes.

The model is the only thing skipped: passages, metadata, the pair of collections, the
version record and the pointer all come from retrieval.index (indexer, store), so the
query path measured on this index is the one `seedbot ask` runs.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from bench.corpora import CACHE, Corpus
from bench.stats import folder_mb
from bench.vectors import VectorCache, sentence_texts
from retrieval.index import indexer
from retrieval.index.store import Store, Version, make_client, new_version_name
from retrieval.ingest.chunking import Chunk
from retrieval.ingest.corpus import CorpusScan

log = logging.getLogger(__name__)

MAX_SENTENCES = 4_096  # per add: Chroma refuses batches over its limit (5,461 records)


@dataclass
class BuildFigures:
    """How long writing the index took, and where the time went."""

    passages: int
    sentences: int
    seconds: float
    chunk_add_seconds: float
    sentence_add_seconds: float
    stand_in_sentences: int = 0  # sentences whose own vector was not cached (see vectors.py)
    stand_in_passages: int = 0
    disk_mb: float = 0.0
    reused: bool = False


def store_folder(corpus: Corpus, layout: str = "packed") -> Path:
    suffix = "" if layout == "packed" else f"-{layout}"
    return CACHE / "stores" / f"{corpus.folder.name}{suffix}"


def build(
    corpus: Corpus, cache: VectorCache, embedder_name: str, layout: str = "packed"
) -> BuildFigures:
    """The index of `corpus` in bench/.cache/stores/, built once and reused while it matches.

    `layout="per-sentence"` writes the sentence vectors as the indexer did before
    retrieval/packed.py (one record each), to measure what that layout costs.
    """
    folder = store_folder(corpus, layout)
    stamp = folder / "bench-build.json"
    documents = indexer._document_stats(CorpusScan(corpus.documents), corpus.chunks)
    fingerprint = indexer._fingerprint(corpus.chunks, documents, embedder_name)
    # The cache may have gained real vectors since: then the stand-ins are replaced.
    missing = len(cache.missing(sentence_texts(corpus.chunks)))
    if stamp.is_file():
        saved = json.loads(stamp.read_text())
        if saved.get("fingerprint") == fingerprint and saved.get("missing") == missing:
            return BuildFigures(**{**saved["figures"], "reused": True})
    shutil.rmtree(folder, ignore_errors=True)
    store = Store(make_client(path=folder))
    version = Version(new_version_name(), time.time(), embedder_name, fingerprint, documents)
    figures = _write(store, version, corpus, cache, layout)
    store.activate(version)
    figures.disk_mb = folder_mb(folder)
    stamp.write_text(
        json.dumps({"fingerprint": fingerprint, "missing": missing, "figures": figures.__dict__})
    )
    return figures


def _write(
    store: Store, version: Version, corpus: Corpus, cache: VectorCache, layout: str
) -> BuildFigures:
    chunk_col = store.collection(version.chunks, create=True)
    sentence_col = store.collection(version.sentences, create=True)
    started = time.perf_counter()
    timed = _TimedAdd(chunk_col, sentence_col)
    total_sentences = stand_in_sentences = stand_in_passages = 0
    done = 0
    for number, batch in enumerate(batches(corpus.chunks, MAX_SENTENCES)):
        sentence_vectors, real = cache.get_or_stand_in(sentence_texts(batch))
        total_sentences += len(sentence_vectors)
        stand_in_sentences += int((~real).sum())
        stand_in_passages += _passages_touched(batch, real)
        passage_vectors = indexer._passage_vectors(batch, sentence_vectors)
        add = indexer._add if layout == "packed" else _add_per_sentence
        add(timed.chunks, timed.sentences, batch, passage_vectors, sentence_vectors)
        done += len(batch)
        if number % 20 == 0:
            log.info("indexed %d/%d passages", done, len(corpus.chunks))
    return BuildFigures(
        len(corpus.chunks),
        total_sentences,
        time.perf_counter() - started,
        timed.seconds["chunks"],
        timed.seconds["sentences"],
        stand_in_sentences,
        stand_in_passages,
    )


def _passages_touched(batch: list[Chunk], real) -> int:
    """Passages with at least one stand-in sentence vector."""
    count, row = 0, 0
    for chunk in batch:
        count += not real[row : row + len(chunk.sentences)].all()
        row += len(chunk.sentences)
    return count


def batches(chunks: list[Chunk], max_sentences: int) -> list[list[Chunk]]:
    """Consecutive runs of passages with at most `max_sentences` sentences in each."""
    out: list[list[Chunk]] = [[]]
    count = 0
    for chunk in chunks:
        if out[-1] and count + len(chunk.sentences) > max_sentences:
            out.append([])
            count = 0
        out[-1].append(chunk)
        count += len(chunk.sentences)
    return [b for b in out if b]


def _add_per_sentence(chunk_col, sentence_col, chunks, chunk_vectors, sentence_vectors) -> None:
    """The earlier layout: the same passages, and one record per sentence ("<passage>:<n>")."""
    indexer._add(chunk_col, _Discard(), chunks, chunk_vectors, sentence_vectors)
    sentence_col.add(
        ids=[f"{c.id}:{n}" for c in chunks for n in range(len(c.sentences))],
        embeddings=sentence_vectors,
    )


class _Discard:
    def add(self, **kwargs) -> None:
        """The packed records are not wanted in the earlier layout."""


class _TimedAdd:
    """Wraps both collections to time their adds apart: which half costs the build?"""

    def __init__(self, chunk_col, sentence_col) -> None:
        self.seconds = {"chunks": 0.0, "sentences": 0.0}
        self.chunks = _Timed(chunk_col, self.seconds, "chunks")
        self.sentences = _Timed(sentence_col, self.seconds, "sentences")


class _Timed:
    def __init__(self, collection, seconds: dict[str, float], name: str) -> None:
        self._collection, self._seconds, self._name = collection, seconds, name

    def add(self, **kwargs) -> None:
        started = time.perf_counter()
        self._collection.add(**kwargs)
        self._seconds[self._name] += time.perf_counter() - started
