"""Hybrid retrieval: vector similarity and BM25 rankings fused by reciprocal rank."""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

import numpy as np

from retrieval.index import packed
from retrieval.index.store import Store, Version
from retrieval.search.keywords import KeywordIndex
from retrieval.types import Passage, SentenceRef

log = logging.getLogger(__name__)

CANDIDATES = 24  # taken from each ranking before fusion
RRF_K = 60  # the usual constant of reciprocal rank fusion (Cormack et al., 2009)
COMMON_WORDS = 5_000  # the corpus's most frequent content words, to warm the word cache
PAGE = 5_000  # passages per `get` at start-up: one `get` of 100,000 peaked at 1.2 GB resident


class Retriever:
    """Searches one index version; build a new one when the live version changes."""

    def __init__(self, store: Store, version: Version, cache_dir: Path | None = None) -> None:
        self.version = version
        self._chunks = store.collection(version.chunks)
        self._sentences = store.collection(version.sentences)
        self._keywords, self._ids = self._keyword_index(cache_dir)
        self.common_words = [w for w, _ in self._keywords.word_counts.most_common(COMMON_WORDS)]

    def _keyword_index(self, cache_dir: Path | None) -> tuple[KeywordIndex, list[str]]:
        """This version's BM25 index: from `cache_dir` if a process built it before, else built.

        A version never changes once written, so its name is a safe key.
        """
        path = cache_dir / f"{self.version.name}.npz" if cache_dir else None
        if path is not None and path.is_file():
            try:
                return KeywordIndex.load(path)
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                log.warning("keyword index cache %s unreadable (%s): rebuilding it", path, exc)
        ids, texts = self._all_documents()
        index = KeywordIndex(texts)
        if path is not None:
            _cache(index, ids, path)
        return index, ids

    def _all_documents(self) -> tuple[list[str], list[str]]:
        """Every passage's id and text, a page at a time."""
        ids: list[str] = []
        texts: list[str] = []
        for offset in range(0, self._chunks.count(), PAGE):
            page = self._chunks.get(include=["documents"], limit=PAGE, offset=offset)
            ids += page["ids"]
            texts += page["documents"]
        return ids, texts

    @property
    def size(self) -> int:
        return len(self._ids)

    @property
    def keywords(self) -> KeywordIndex:
        return self._keywords

    def search(self, question: str, query_vector: np.ndarray, k: int) -> list[Passage]:
        """The `k` best passages for the question, best first."""
        if not self._ids:
            return []
        vector_ranked = self._vector_ranking(query_vector)
        keyword_ranked = {
            self._ids[i]: score for i, score in self._keywords.top(question, CANDIDATES)
        }
        fused: dict[str, float] = {}
        for ranking in (list(vector_ranked), list(keyword_ranked)):
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused, key=fused.get, reverse=True)[:k]
        passages = self.load_passages(best, query_vector)
        for passage in passages:
            passage.keyword_score = keyword_ranked.get(passage.id, 0.0)
            passage.fused_score = fused[passage.id]
        return passages

    def _vector_ranking(self, query_vector: np.ndarray) -> dict[str, float]:
        result = self._chunks.query(
            query_embeddings=[query_vector.tolist()],
            n_results=min(CANDIDATES, self.size),
            include=["distances"],
        )
        return {i: 1.0 - d for i, d in zip(result["ids"][0], result["distances"][0])}

    def load_passages(
        self, ids: list[str], query_vector: np.ndarray | None = None
    ) -> list[Passage]:
        """Passages by id with their sentence vectors; scored against `query_vector` if given."""
        records = self._chunks.get(ids=ids, include=["documents", "metadatas", "embeddings"])
        by_id = {
            i: (doc, meta, emb)
            for i, doc, meta, emb in zip(
                records["ids"], records["documents"], records["metadatas"], records["embeddings"]
            )
        }
        passages = [_passage(i, *by_id[i]) for i in ids if i in by_id]
        vectors = packed.read(self._sentences, [(p.id, len(p.sentences)) for p in passages])
        for passage in passages:
            passage.sentence_vectors = vectors[passage.id]
            if query_vector is not None:
                passage.vector_score = float(np.dot(by_id[passage.id][2], query_vector))
        return passages


def _passage(chunk_id: str, text: str, meta: dict, _embedding) -> Passage:
    sentences = [SentenceRef(*s) for s in json.loads(meta["sentences"])]
    return Passage(
        id=chunk_id,
        source=meta["source"],
        line_start=int(meta["line_start"]),
        line_end=int(meta["line_end"]),
        text=text,
        sentences=sentences,
        sentence_vectors=np.zeros((0, 0), dtype=np.float32),
        url=meta.get("url", ""),
        duplicates=[tuple(d) for d in json.loads(meta.get("duplicates", "[]"))],
    )


def _cache(index: KeywordIndex, ids: list[str], path: Path) -> None:
    """Save the index for the next process; drop other versions' (a cache: failures only log)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        index.save(path, ids, COMMON_WORDS)
        for other in path.parent.glob("*.npz"):
            if other != path:
                other.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("keyword index not cached in %s: %s", path.parent, exc)
