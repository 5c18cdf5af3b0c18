"""Build an index of a large corpus from cached vectors, through the indexer's public path.

The model is the only thing skipped: `Indexer.refresh` reads the corpus folder, chunks it and
writes the version exactly as `seedbot index` does, with an embedder that hands back the
cached sentence vectors instead of running MiniLM, so the query path measured on this index
is the one `seedbot ask` runs.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from bench.corpora import CACHE, Corpus
from bench.stats import folder_mb
from bench.vectors import VectorCache, sentence_texts
from retrieval.index.indexer import Indexer
from retrieval.index.locks import RefreshLock
from retrieval.index.store import Store, make_client
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import read_corpus
from retrieval.types import Passage as Chunk

log = logging.getLogger(__name__)


@dataclass
class BuildFigures:
    """How long writing the index took, and where the time went."""

    passages: int
    sentences: int
    seconds: float
    vector_seconds: float  # handing back cached vectors: the part the model would take
    stand_in_sentences: int = 0  # sentences whose own vector was not cached (see vectors.py)
    stand_in_passages: int = 0
    disk_mb: float = 0.0
    reused: bool = False


class CachedEmbeddings(Embeddings):
    """The model's vectors from the cache, under the model's name; counts the stand-ins."""

    def __init__(self, cache: VectorCache, name: str) -> None:
        self.cache, self.name = cache, name
        self.seconds = 0.0
        self.stand_in_sentences = self.stand_in_passages = 0

    def embed_array(self, texts: list[str]) -> np.ndarray:
        started = time.perf_counter()
        vectors, real = self.cache.get_or_stand_in(texts)
        self.stand_in_sentences += int((~real).sum())
        self.seconds += time.perf_counter() - started
        return vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


def store_folder(corpus: Corpus) -> Path:
    return CACHE / "stores" / corpus.folder.name


def build(
    corpus: Corpus, cache: VectorCache, embedder_name: str, folder: Path | None = None
) -> BuildFigures:
    """The index of `corpus` in `folder` (bench/.cache/stores/ by default), built once and
    reused while it matches."""
    folder = folder or store_folder(corpus)
    stamp = folder / "bench-build.json"
    indexed = indexed_chunks(corpus)
    texts = sentence_texts(indexed)
    # The cache may have gained real vectors since: then the stand-ins are replaced.
    key = {
        "sources": sorted(d.sha256 for d in corpus.documents),
        "missing": len(cache.missing(texts)),
        "counted": "indexed passages",  # stamps that counted corpus.chunks' are stale
    }
    if stamp.is_file():
        saved = json.loads(stamp.read_text())
        if saved.get("key") == key:
            return BuildFigures(**{**saved["figures"], "reused": True})
    shutil.rmtree(folder, ignore_errors=True)
    embedder = CachedEmbeddings(cache, embedder_name)
    store = Store(make_client(path=folder))
    report = Indexer(store, embedder, corpus.folder, RefreshLock(folder / "refresh.lock")).refresh()
    figures = BuildFigures(
        report.added,
        report.embedded_texts,
        report.seconds,
        embedder.seconds,
        embedder.stand_in_sentences,
        _passages_touched(indexed, cache),
    )
    figures.disk_mb = folder_mb(folder)
    stamp.write_text(json.dumps({"key": key, "figures": figures.__dict__}))
    return figures


def indexed_chunks(corpus: Corpus) -> list[Chunk]:
    """The passages the indexer makes of the corpus folder.

    Not `corpus.chunks`: the folder holds the last file whole, past the cut, and the indexer
    reads the files in path order, which can move a paragraph's first occurrence.
    """
    return chunk_corpus(read_corpus(corpus.folder).documents)


def _passages_touched(chunks: list[Chunk], cache: VectorCache) -> int:
    """Passages with at least one sentence whose vector is a stand-in."""
    _, real = cache.get_or_stand_in(sentence_texts(chunks))
    count, row = 0, 0
    for passage in chunks:
        count += not real[row : row + len(passage.sentences)].all()
        row += len(passage.sentences)
    return count
