"""Sentence vectors stored packed, one record per passage, so Chroma builds no index over them.

The answerer needs every sentence vector of the few passages it retrieves, and never
searches sentences by similarity. Stored one record per sentence, Chroma built an HNSW
graph over about ten times as many vectors as passages, and loaded all of it into memory
on the first `get` (1.6 GB at 100,000 passages of documentation). Here a passage's
sentence vectors travel as one float16 string in the metadata of a record with the
passage's id and a one-number placeholder embedding: a plain `get` by id, which any Chroma
(embedded or server) serves from its metadata store without loading a vector index.

Indexes written by earlier versions (one record per sentence, ids "<passage>:<n>") are
still read, so an upgrade answers from the old index until the next refresh replaces it.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import numpy as np

VECTORS_KEY = "vectors"
COUNT_KEY = "sentences"
PLACEHOLDER = [1.0]  # Chroma requires an embedding per record; this one is never searched


def pack(vectors: np.ndarray) -> str:
    """Rows of unit vectors as base64 float16: cosines stay within about 1e-3 of float32."""
    return base64.b64encode(np.asarray(vectors, dtype="<f2").tobytes()).decode("ascii")


def unpack(text: str, count: int) -> np.ndarray:
    flat = np.frombuffer(base64.b64decode(text), dtype="<f2").astype(np.float32)
    return flat.reshape(count, -1)


def records(passage_ids: Sequence[str], counts: Sequence[int], vectors: np.ndarray) -> dict:
    """Arguments for `collection.add`: the passages' sentence vectors, one record each."""
    metadatas, row = [], 0
    for count in counts:
        metadatas.append({VECTORS_KEY: pack(vectors[row : row + count]), COUNT_KEY: count})
        row += count
    return {
        "ids": list(passage_ids),
        "embeddings": np.full((len(metadatas), 1), PLACEHOLDER[0], dtype=np.float32),
        "metadatas": metadatas,
    }


def read(collection, passages: Sequence[tuple[str, int]]) -> dict[str, np.ndarray]:
    """Sentence vectors by passage id, for (passage id, sentence count) pairs."""
    if not passages:
        return {}
    got = collection.get(ids=[pid for pid, _ in passages], include=["metadatas"])
    found = {
        pid: unpack(meta[VECTORS_KEY], int(meta[COUNT_KEY]))
        for pid, meta in zip(got["ids"], got["metadatas"])
        if meta and VECTORS_KEY in meta
    }
    missing = [(pid, n) for pid, n in passages if pid not in found]
    if missing:
        found.update(_read_per_sentence(collection, missing))
    return found


def _read_per_sentence(collection, passages: Sequence[tuple[str, int]]) -> dict[str, np.ndarray]:
    """The layout before packing: one record per sentence, ids "<passage>:<n>"."""
    ids = [f"{pid}:{n}" for pid, count in passages for n in range(count)]
    got = collection.get(ids=ids, include=["embeddings"])
    by_id = dict(zip(got["ids"], got["embeddings"]))
    return {
        pid: np.asarray([by_id[f"{pid}:{n}"] for n in range(count)], dtype=np.float32)
        for pid, count in passages
        if all(f"{pid}:{n}" in by_id for n in range(count))
    }
