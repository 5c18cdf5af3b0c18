"""The plain baselines our pipeline is compared with, over the same passages, in the same process.

- vector: `langchain_chroma.Chroma.similarity_search_with_score` over its own collection,
  each passage embedded whole by the same MiniLM model; the top passage is the answer.
- bm25: retrieval.search.keywords.KeywordIndex alone; the top passage is the answer.

Neither has a refusal signal of its own, so each refuses below a fixed threshold on its top
score, calibrated in quality.py exactly as our pipeline's was (see the report).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from retrieval.search.keywords import KeywordIndex
from retrieval.types import Passage as Chunk

DEPTH = 10  # ranks kept for recall@k and MRR, as retrieval.evaluation.evaluate does


@dataclass
class Ranked:
    """One question's ranking: passages best first, the top score, and the time it took."""

    chunks: list[Chunk]
    top_score: float
    ms: float


class VectorBaseline:
    """Plain LangChain vector search: whole passages embedded, cosine similarity, top-k."""

    name = "vector (langchain_chroma)"

    def __init__(self, chunks: list[Chunk], embedder, client) -> None:
        from langchain_chroma import Chroma

        self._by_id = {c.id: c for c in chunks}
        self.store = Chroma(
            client=client,
            collection_name=f"baseline_{uuid.uuid4().hex[:12]}",
            embedding_function=embedder,
            collection_metadata={"hnsw:space": "cosine"},
        )
        for start in range(0, len(chunks), 1024):
            batch = chunks[start : start + 1024]
            self.store.add_texts(
                [c.text for c in batch],
                metadatas=[{"source": c.source} for c in batch],
                ids=[c.id for c in batch],
            )

    def rank(self, question: str) -> Ranked:
        started = time.perf_counter()
        found = self.store.similarity_search_with_score(question, k=DEPTH)
        ms = (time.perf_counter() - started) * 1000
        chunks = [self._by_id[doc.id] for doc, _ in found]
        top = 1.0 - found[0][1] if found else 0.0  # cosine distance back to similarity
        return Ranked(chunks, top, ms)

    def close(self) -> None:
        self.store.delete_collection()


class KeywordBaseline:
    """BM25 alone, the keyword half of our hybrid retrieval."""

    name = "bm25"

    def __init__(self, chunks: list[Chunk]) -> None:
        self._chunks = chunks
        self.index = KeywordIndex([c.text for c in chunks])

    def rank(self, question: str) -> Ranked:
        started = time.perf_counter()
        found = self.index.top(question, DEPTH)
        ms = (time.perf_counter() - started) * 1000
        return Ranked([self._chunks[i] for i, _ in found], found[0][1] if found else 0.0, ms)

    def close(self) -> None:
        """Nothing to release: the index lives in memory."""


def duplicates_of(chunk: Chunk) -> list[tuple[str, int, int]]:
    """Where copies of the passage stand, as the pipeline's passages carry them."""
    return list(chunk.duplicates)
