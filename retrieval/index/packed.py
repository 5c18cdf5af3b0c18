"""Sentence vectors stored packed, one record per passage, so Chroma builds no index over them.

The answerer needs every sentence vector of the few passages it retrieves, and never
searches sentences by similarity. Stored one record per sentence, Chroma built an HNSW
graph over about ten times as many vectors as passages, and loaded all of it into memory
on the first `get` (1.6 GB at 100,000 passages of documentation). Here a passage's
sentence vectors travel as one float16 string in the metadata of a record with the id of
the passage's record and a one-number placeholder embedding: a plain `get` by id, which any
Chroma (embedded or server) serves from its metadata store without loading a vector index.
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


def records(
    record_ids: Sequence[str], counts: Sequence[int], vectors: np.ndarray, extra: dict | None = None
) -> dict:
    """Arguments for `collection.add`: the passages' sentence vectors, one record each.

    `extra` metadata goes on every record (the version stamp, so debris is found by it).
    """
    metadatas, row = [], 0
    for count in counts:
        packed = {VECTORS_KEY: pack(vectors[row : row + count]), COUNT_KEY: count}
        metadatas.append({**packed, **(extra or {})})
        row += count
    return {
        "ids": list(record_ids),
        "embeddings": np.full((len(metadatas), 1), PLACEHOLDER[0], dtype=np.float32),
        "metadatas": metadatas,
    }


def read(collection, passages: Sequence[tuple[str, int]]) -> dict[str, np.ndarray]:
    """Sentence vectors by record id, for (record id, sentence count) pairs; absent ones omitted."""
    if not passages:
        return {}
    counts = dict(passages)
    got = collection.get(ids=list(counts), include=["metadatas"])
    found = {
        pid: unpack(meta[VECTORS_KEY], int(meta[COUNT_KEY]))
        for pid, meta in zip(got["ids"], got["metadatas"])
        if meta and VECTORS_KEY in meta
    }
    return {pid: rows for pid, rows in found.items() if len(rows) == counts[pid]}
