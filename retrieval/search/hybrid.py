"""Hybrid retrieval: vector similarity and BM25 rankings fused by reciprocal rank."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import numpy as np

from retrieval.errors import StoreError
from retrieval.index import packed
from retrieval.index.records import PASSAGE_KEY, passage_from, passage_of, stands_in
from retrieval.index.store import Store, Version
from retrieval.search.keywords import KeywordIndex
from retrieval.types import Passage

log = logging.getLogger(__name__)

CANDIDATES = 24  # taken from each ranking before fusion
RRF_K = 60  # the usual constant of reciprocal rank fusion (Cormack et al., 2009)
COMMON_WORDS = 5_000  # the corpus's most frequent content words, to warm the word cache


class Retriever:
    """Searches one index version; build a new one when the live version changes."""

    def __init__(self, store: Store, version: Version, cache_dir: Path | None = None) -> None:
        self.version = version
        self._store = store
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
        """Every passage's id and text."""
        held = self._store.held(self.version, ["documents"])
        return [passage_of(r) for r in held["ids"]], held["documents"]

    @property
    def size(self) -> int:
        return len(self._ids)

    @property
    def passage_ids(self) -> list[str]:
        """Every passage of this version, in index order."""
        return list(self._ids)

    @property
    def keywords(self) -> KeywordIndex:
        return self._keywords

    def passage_ids_of(self, source: str) -> list[str]:
        """The passages that stand in `source`: its own, and those a copy of which stands there."""
        held = self._store.held(self.version, [], where=stands_in(source))
        return [passage_of(r) for r in held["ids"]]

    def search(self, question: str, query_vector: np.ndarray, k: int) -> list[Passage]:
        """The `k` best passages for the question, best first."""
        if not self._ids:
            return []
        self._check_kept()
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

    def _check_kept(self) -> None:
        """StoreError once this version is neither live nor the one the live one replaced.

        Its generation then no longer keeps every record it holds; the caller follows the
        pointer. (A version of another generation fails by itself when that is dropped.)
        """
        live = self._store.active()
        if live.generation == self.version.generation and self.version.name not in (
            live.name,
            live.previous,
        ):
            raise StoreError(f"index {self.version.name} was replaced; reload the live one")

    def _vector_ranking(self, query_vector: np.ndarray) -> dict[str, float]:
        """The nearest passages this version holds; the generation's other records skipped.

        Those are the ones it deleted plus any a refresh is writing: asking for that many
        more, and for more again in the rare case a refresh is writing many, keeps the
        ranking the same as a search over this version alone.
        """
        wanted = min(CANDIDATES, self.size)
        asked = wanted + len(self.version.deleted)
        while True:
            result = self._chunks.query(
                query_embeddings=[query_vector.tolist()],
                n_results=asked,
                include=["distances", "metadatas"],
            )
            ranked: dict[str, float] = {}
            found = zip(result["ids"][0], result["distances"][0], result["metadatas"][0])
            for record, distance, meta in found:
                if self.version.sees(record, meta):
                    ranked.setdefault(meta[PASSAGE_KEY], 1.0 - distance)
            if len(ranked) >= wanted or len(result["ids"][0]) < asked:
                return dict(list(ranked.items())[:wanted])
            asked *= 2

    def load_passages(
        self, ids: list[str], query_vector: np.ndarray | None = None
    ) -> list[Passage]:
        """Passages by id with their sentence vectors; scored against `query_vector` if given.

        A record's id is taken for its passage's, for callers that read records themselves.
        """
        ids = list(dict.fromkeys(passage_of(i) for i in ids))
        if not ids:
            return []
        records = self._chunks.get(
            where={PASSAGE_KEY: {"$in": ids}},
            include=["documents", "metadatas", "embeddings"],
        )
        by_id = {}
        found = zip(
            records["ids"], records["documents"], records["metadatas"], records["embeddings"]
        )
        for record, text, meta, vector in found:
            if self.version.sees(record, meta):
                by_id[meta[PASSAGE_KEY]] = (record, passage_from(text, meta), vector)
        wanted = [by_id[i] for i in ids if i in by_id]
        vectors = packed.read(self._sentences, [(r, len(p.sentences)) for r, p, _ in wanted])
        for record, passage, vector in wanted:
            passage.sentence_vectors = vectors[record]
            if query_vector is not None:
                passage.vector_score = float(np.dot(vector, query_vector))
        return [p for _, p, _ in wanted]


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
