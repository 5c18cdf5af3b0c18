"""Sentence vectors packed one record per passage, read back by the passage record's id."""

from __future__ import annotations

import uuid

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from retrieval.index import packed


def unit_rows(count: int, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(count, 384)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def collection():
    client = chromadb.EphemeralClient(ChromaSettings(anonymized_telemetry=False))
    return client.create_collection(f"t{uuid.uuid4().hex}", metadata={"hnsw:space": "cosine"})


def test_packing_keeps_cosines_within_float16_precision():
    rows = unit_rows(7)
    back = packed.unpack(packed.pack(rows), 7)
    assert back.shape == (7, 384)
    assert np.abs(back @ rows.T - rows @ rows.T).max() < 2e-3


def test_one_record_per_passage_read_back_by_id():
    col = collection()
    vectors = unit_rows(5)
    col.add(**packed.records(["a", "b"], [2, 3], vectors))
    assert col.count() == 2
    found = packed.read(col, [("b", 3), ("a", 2)])
    assert np.allclose(found["a"], vectors[:2], atol=2e-3)
    assert np.allclose(found["b"], vectors[2:], atol=2e-3)


def test_the_indexer_writes_one_sentence_record_per_passage(seed_service):
    version = seed_service.store.active()
    passages = seed_service.store.collection(version.chunks).get(include=[])["ids"]
    sentences = seed_service.store.collection(version.sentences).get(include=[])["ids"]
    assert sorted(sentences) == sorted(passages)
