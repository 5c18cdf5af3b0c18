"""What must hold of a store whatever happened to it (in the spirit of Chroma's invariants.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from retrieval.index import packed
from retrieval.index.indexer import chunk_metadata
from retrieval.index.store import Store, Version, version_time
from retrieval.ingest.chunking import Chunk, chunk_corpus
from retrieval.ingest.corpus import read_corpus, read_lines
from retrieval.types import Answer


def expected_chunks(corpus_dir: Path, chunk_chars: int = 600) -> dict[str, Chunk]:
    """The content-addressed passages the corpus folder must be indexed as."""
    return {c.id: c for c in chunk_corpus(read_corpus(corpus_dir).documents, chunk_chars)}


def chunk_ids(corpus_dir: Path, chunk_chars: int = 600) -> frozenset[str]:
    return frozenset(expected_chunks(corpus_dir, chunk_chars))


def assert_version_holds(store: Store, version: Version, chunks: dict[str, Chunk]) -> None:
    """`version` holds exactly `chunks`: none missing, none extra, none twice, all searchable."""
    chunk_col = store.collection(version.chunks)
    records = chunk_col.get(include=["metadatas"])
    ids = records["ids"]
    assert len(ids) == len(set(ids)), "a passage is stored twice"
    assert set(ids) == set(chunks), (
        f"missing {len(set(chunks) - set(ids))}, orphaned {len(set(ids) - set(chunks))}"
    )
    for chunk_id, meta in zip(ids, records["metadatas"], strict=True):
        assert meta == chunk_metadata(chunks[chunk_id]), f"{chunk_id} has stale metadata"
    assert_sentence_vectors_complete(store.collection(version.sentences), chunks)
    assert chunk_col.count() == len(chunks)
    assert_vector_index_complete(chunk_col, len(chunks))
    per_source: dict[str, int] = {}
    for chunk in chunks.values():
        per_source[chunk.source] = per_source.get(chunk.source, 0) + 1
    assert {s: d["chunks"] for s, d in version.documents.items() if d["chunks"]} == per_source


def assert_sentence_vectors_complete(collection, chunks: dict[str, Chunk]) -> None:
    """Every passage has one vector per sentence, and no vectors belong to other passages."""
    vectors = packed.read(collection, [(c.id, len(c.sentences)) for c in chunks.values()])
    assert set(vectors) == set(chunks), f"{len(set(chunks) - set(vectors))} lack sentence vectors"
    for chunk_id, rows in vectors.items():
        assert rows.shape == (len(chunks[chunk_id].sentences), 384)
    stored = collection.get(include=[])["ids"]
    assert len(stored) == len(set(stored)), "sentence vectors stored twice"
    # Per-sentence ids ("<passage>:<n>") were the layout before packing; both must match.
    assert {i.split(":")[0] for i in stored} == set(chunks), "orphaned sentence vectors"


def assert_vector_index_complete(collection, size: int) -> None:
    """A nearest-neighbour query for everything returns everything: the vector index is whole."""
    if size == 0:
        return
    probe = np.ones(384, dtype=np.float32) / np.sqrt(384)
    found = collection.query(query_embeddings=[probe.tolist()], n_results=size, include=[])
    assert len(set(found["ids"][0])) == size


def assert_index_matches(store: Store, corpus_dir: Path, chunk_chars: int = 600) -> Version:
    """The live version holds exactly the passages of the corpus folder as it is now."""
    version = store.active()
    assert_version_holds(store, version, expected_chunks(corpus_dir, chunk_chars))
    return version


def assert_no_debris(store: Store) -> None:
    """Besides the live version, at most the one it replaced (kept for queries in flight)."""
    live = store.active().name
    others = store.versions() - {live}
    assert len(others) <= 1, f"left behind: {sorted(others)}"
    assert all(version_time(v) < version_time(live) for v in others)


def assert_quotes_verbatim(corpus_dir: Path, citations) -> None:
    """Every citation quotes its file's lines verbatim, as the file is read now."""
    for citation in citations:
        lines = read_lines(corpus_dir, citation.source, citation.line_start, citation.line_end)
        assert citation.quote and lines is not None and citation.quote in lines, citation


def assert_citations_verbatim(corpus_dir: Path, answer: Answer) -> None:
    """Quotes verbatim, each citation's marker in the answer, and a refusal cites nothing."""
    assert_quotes_verbatim(corpus_dir, answer.citations)
    for citation in answer.citations:
        assert f"[{citation.n}]" in answer.answer
    if answer.refused:
        assert answer.citations == []
