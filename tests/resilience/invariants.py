"""What must hold of a store whatever happened to it (in the spirit of Chroma's invariants.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from retrieval.index import packed
from retrieval.index.records import STAMP_KEY, fields, passage_metadata, passage_of
from retrieval.index.store import Store, Version, version_time
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import read_corpus, read_lines
from retrieval.types import Answer, Passage


def expected_chunks(corpus_dir: Path, chunk_chars: int = 600) -> dict[str, Passage]:
    """The content-addressed passages the corpus folder must be indexed as."""
    return {c.id: c for c in chunk_corpus(read_corpus(corpus_dir).documents, chunk_chars)}


def chunk_ids(corpus_dir: Path, chunk_chars: int = 600) -> frozenset[str]:
    return frozenset(expected_chunks(corpus_dir, chunk_chars))


def held_ids(store: Store, version: Version) -> set[str]:
    """The passage ids `version` holds."""
    return {passage_of(r) for r in store.held(version, [])["ids"]}


def assert_version_holds(store: Store, version: Version, chunks: dict[str, Passage]) -> None:
    """`version` holds exactly `chunks`: none missing, none extra, none twice, all searchable."""
    chunk_col = store.collection(version.chunks)
    records = store.held(version, ["metadatas"])
    ids = [passage_of(r) for r in records["ids"]]
    assert len(ids) == len(set(ids)), "a passage is stored twice"
    assert set(ids) == set(chunks), (
        f"missing {len(set(chunks) - set(ids))}, orphaned {len(set(ids) - set(chunks))}"
    )
    for chunk_id, meta in zip(ids, records["metadatas"], strict=True):
        # The fields seedbot wrote and reads: Chroma may add a deleted record's list fields
        # (chroma-core/chroma#7594), which the `copies` count keeps from being read.
        stored = fields(meta)
        assert stored == passage_metadata(chunks[chunk_id]), f"{chunk_id} has stale metadata"
    assert_sentence_vectors_complete(store.collection(version.sentences), records["ids"], chunks)
    assert_vector_index_complete(chunk_col, set(records["ids"]))
    per_source: dict[str, int] = {}
    for chunk in chunks.values():
        per_source[chunk.source] = per_source.get(chunk.source, 0) + 1
    assert {s: d["chunks"] for s, d in version.documents.items() if d["chunks"]} == per_source


def assert_sentence_vectors_complete(collection, records: list[str], chunks) -> None:
    """Every passage record has one vector per sentence, and its sentences no other record's."""
    wanted = [(r, len(chunks[passage_of(r)].sentences)) for r in records]
    vectors = packed.read(collection, wanted)
    assert set(vectors) == set(records), f"{len(set(records) - set(vectors))} lack vectors"
    for record, rows in vectors.items():
        assert rows.shape == (len(chunks[passage_of(record)].sentences), 384)


def assert_vector_index_complete(collection, records: set[str]) -> None:
    """A nearest-neighbour query for everything returns everything: the vector index is whole."""
    if not records:
        return
    probe = np.ones(384, dtype=np.float32) / np.sqrt(384)
    everything = collection.count()
    found = collection.query(query_embeddings=[probe.tolist()], n_results=everything, include=[])
    assert len(set(found["ids"][0])) == everything
    assert records <= set(found["ids"][0])


def assert_index_matches(store: Store, corpus_dir: Path, chunk_chars: int = 600) -> Version:
    """The live version holds exactly the passages of the corpus folder as it is now."""
    version = store.active()
    assert_version_holds(store, version, expected_chunks(corpus_dir, chunk_chars))
    return version


def assert_no_debris(store: Store) -> None:
    """Besides the live version, at most the one it replaced (kept for queries in flight)."""
    live = store.active()
    others = store.versions() - {live.name}
    assert len(others) <= 1, f"left behind: {sorted(others)}"
    assert all(version_time(v) < version_time(live.name) for v in others)
    # In the live generation, every record is held by the live version or the one it replaced.
    records = store.collection(live.chunks).get(include=["metadatas"])
    sentences = set(store.collection(live.sentences).get(include=[])["ids"])
    assert sentences == set(records["ids"]), "sentence records without their passage, or back"
    stamps = {meta[STAMP_KEY] for meta in records["metadatas"]}
    assert stamps <= set(live.committed), f"records of unfinished refreshes: {stamps}"
    unheld = {r for r, m in zip(records["ids"], records["metadatas"]) if not live.sees(r, m)}
    # (What neither holds, `gone`, goes right after the switch, or at the next refresh.)
    assert unheld <= live.deleted, "records the live version never deleted, yet does not hold"


def assert_quotes_verbatim(corpus_dir: Path, citations) -> None:
    """Every citation quotes its file's lines verbatim, as the file is read now."""
    for citation in citations:
        lines = read_lines(corpus_dir, citation.source, citation.line_start, citation.line_end)
        assert citation.quote and lines is not None and citation.quote in lines, citation


def assert_citations_verbatim(corpus_dir: Path, answer: Answer) -> None:
    """Quotes verbatim, each citation's marker in the answer, and a refusal cites nothing."""
    assert_quotes_verbatim(corpus_dir, answer.citations)
    for citation in answer.citations:
        assert f"[{citation.n}]" in answer.text
    if answer.refused:
        assert answer.citations == ()
