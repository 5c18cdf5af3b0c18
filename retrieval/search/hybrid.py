"""Hybrid retrieval: vector similarity and BM25 rankings fused by reciprocal rank."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from retrieval.index import packed
from retrieval.index.records import passage_from, passage_of, stands_in
from retrieval.index.store import Store, Version
from retrieval.search import snapshot
from retrieval.search.keywords import KeywordIndex
from retrieval.search.snapshot import COMMON_WORDS, Snapshot
from retrieval.types import Passage

log = logging.getLogger(__name__)

CANDIDATES = 24  # taken from each ranking before fusion
RRF_K = 60  # the usual constant of reciprocal rank fusion (Cormack et al., 2009)
# Passages kept once read, with their sentence vectors (about 10 kB each): the passages that
# answer a community's questions recur, and reading one from the store costs a few ms.
PASSAGE_CACHE = 2048
NEIGHBOUR_GAP = 3  # blank lines that may stand between two passages of one file


def fuse(
    rankings: Sequence[tuple[Sequence[Hashable], float]], k: int = RRF_K
) -> dict[Hashable, float]:
    """Reciprocal rank fusion: each item scores, in every (ranking, weight), weight / (k + rank)
    with ranks from 1; in the order first seen, so a stable sort breaks ties by it."""
    fused: dict[Hashable, float] = {}
    for ranking, weight in rankings:
        for rank, item in enumerate(ranking):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank + 1)
    return fused


def best_sentence(passage: Passage, query_vector: np.ndarray) -> float:
    """The similarity of the passage's sentence nearest the question (its own, without any)."""
    vectors = passage.sentence_vectors
    if vectors is None or not len(vectors):
        return passage.vector_score
    return float((vectors @ query_vector).max())


class Retriever:
    """Searches one index version; build a new one when the live version changes."""

    def __init__(
        self,
        store: Store,
        version: Version,
        cache_dir: Path | None = None,
        previous: Retriever | None = None,
    ) -> None:
        self.version = version
        self._store = store
        self._chunks = store.collection(version.chunks)
        self._sentences = store.collection(version.sentences)
        self._snapshot = self._load(cache_dir, previous)
        self._ids = [passage_of(r) for r in self._snapshot.records]
        self._rows = {passage: n for n, passage in enumerate(self._ids)}
        self._records = set(self._snapshot.records)
        self.common_words = [w for w, _ in self.keywords.word_counts.most_common(COMMON_WORDS)]
        self._read = ReadPassages(PASSAGE_CACHE)  # a version's passages never change
        self._neighbours: dict[tuple[str, bool], str | None] = {}  # nor do their neighbours

    def _load(self, cache_dir: Path | None, previous: Retriever | None) -> Snapshot:
        """This version's snapshot: saved by a process that saw it, derived, or built."""
        found = snapshot.load(cache_dir, self.version.name)
        if found is not None:
            return found
        before = previous._snapshot if previous is not None else None
        if not snapshot.derivable(self.version, before) and self.version.previous:
            before = snapshot.load(cache_dir, self.version.previous)
        if snapshot.derivable(self.version, before):
            found = snapshot.derived(self._store, self.version, before)
        else:
            found = self._all_documents()
        snapshot.save(cache_dir, found)
        return found

    def _all_documents(self) -> Snapshot:
        """Every record of this version, read from the store."""
        return snapshot.built(self._store, self.version)

    @property
    def size(self) -> int:
        return len(self._ids)

    @property
    def passage_ids(self) -> list[str]:
        """Every passage of this version, in index order."""
        return list(self._ids)

    @property
    def keywords(self) -> KeywordIndex:
        return self._snapshot.keywords

    def passage_ids_of(self, source: str) -> list[str]:
        """The passages that stand in `source`: its own, and those a copy of which stands there."""
        held = self._store.held(self.version, [], where=stands_in(source))
        return [passage_of(r) for r in held["ids"]]

    def search(self, question: str, query_vector: np.ndarray, k: int) -> list[Passage]:
        """The `k` best passages for the question, best first."""
        if not self._ids:
            return []
        vector_ranked = self._vector_ranking(query_vector)
        keyword_ranked = {
            self._ids[i]: score for i, score in self.keywords.top(question, CANDIDATES)
        }
        # The candidates again, ranked by their best sentence: a passage may hold the one
        # sentence that answers among several that do not, which the passage's own vector
        # blurs (recall@1 of the Git pages' questions 0.46 → 0.53; eval/README.md).
        candidates = {
            p.id: p for p in self.load_passages([*vector_ranked, *keyword_ranked], query_vector)
        }
        by_sentence = sorted(
            candidates, key=lambda i: best_sentence(candidates[i], query_vector), reverse=True
        )
        fused = fuse([(list(vector_ranked), 1.0), (by_sentence, 1.0), (list(keyword_ranked), 1.0)])
        best = sorted(fused, key=fused.get, reverse=True)[:k]
        passages = [candidates[i] for i in best if i in candidates]
        for passage in passages:
            passage.keyword_score = keyword_ranked.get(passage.id, 0.0)
            passage.fused_score = fused[passage.id]
        return passages

    def top_similarity(self, query_vector: np.ndarray) -> float:
        """The similarity of the passage nearest the vector (0.0 in an empty version)."""
        if not self._ids:
            return 0.0
        return max(self._vector_ranking(query_vector).values(), default=0.0)

    def _vector_ranking(self, query_vector: np.ndarray) -> dict[str, float]:
        """The passages nearest the question: exactly, or by Chroma's approximate index."""
        wanted = min(CANDIDATES, self.size)
        if self._snapshot.exact:
            scores = self._snapshot.vectors @ np.asarray(query_vector, dtype=np.float32)
            best = np.argpartition(-scores, wanted - 1)[:wanted]
            best = best[np.argsort(-scores[best], kind="stable")]
            return {self._ids[n]: float(scores[n]) for n in best}
        return self._approximate_ranking(query_vector, wanted)

    def _approximate_ranking(self, query_vector: np.ndarray, wanted: int) -> dict[str, float]:
        """The nearest records of this version; the generation's other records skipped.

        Those are the ones it deleted plus any a refresh is writing: asking for that many
        more, and for more again in the rare case a refresh is writing many, keeps the
        ranking the same as a search over this version alone. Only distances are asked
        for: with the metadata, a query cost five times as much.
        """
        asked = wanted + len(self.version.deleted)
        while True:
            result = self._chunks.query(
                query_embeddings=[np.asarray(query_vector).tolist()],
                n_results=asked,
                include=["distances"],
            )
            ranked: dict[str, float] = {}
            for record, distance in zip(result["ids"][0], result["distances"][0]):
                if record in self._records:
                    ranked.setdefault(passage_of(record), 1.0 - distance)
            if len(ranked) >= wanted or len(result["ids"][0]) < asked:
                return dict(list(ranked.items())[:wanted])
            asked *= 2

    def neighbour(self, passage: Passage, after: bool) -> Passage | None:
        """The passage of the same file just after (or before) `passage`, if this version
        holds one; at most NEIGHBOUR_GAP lines (blank ones) between them."""
        key = (passage.id, after)
        if key not in self._neighbours:
            self._neighbours[key] = self._find_neighbour(passage, after)
        record = self._neighbours[key]
        found = self.load_passages([record]) if record else []
        return found[0] if found else None

    def _find_neighbour(self, passage: Passage, after: bool) -> str | None:
        # A long line (a forum comment) is cut into passages that start or end on the same
        # line, so a neighbour may share the edge's line; one that lies wholly on the line of
        # a passage wholly on it could stand on either side of it, and is not taken.
        if after:
            edge, near = "line_start", passage.line_end
            lines = [{edge: {"$gte": near}}, {edge: {"$lte": near + NEIGHBOUR_GAP}}]
        else:
            edge, near = "line_end", passage.line_start
            lines = [{edge: {"$lte": near}}, {edge: {"$gte": near - NEIGHBOUR_GAP}}]
        got = self._chunks.get(
            where={"$and": [{"source": passage.source}, *lines]}, include=["metadatas"]
        )
        held = [
            (abs(meta[edge] - near), record)
            for record, meta in zip(got["ids"], got["metadatas"])
            if record in self._records
            and passage_of(record) != passage.id
            and _beyond(passage, meta["line_start"], meta["line_end"], after)
        ]
        return min(held)[1] if held else None

    def load_passages(
        self, ids: list[str], query_vector: np.ndarray | None = None
    ) -> list[Passage]:
        """Passages by id with their sentence vectors; scored against `query_vector` if given.

        A record's id is taken for its passage's, for callers that read records themselves.
        Passages this version does not hold are left out. Each caller gets its own copies:
        the scores set on them are the caller's.
        """
        rows = [self._rows[p] for p in dict.fromkeys(passage_of(i) for i in ids) if p in self._rows]
        if not rows:
            return []
        records = [self._snapshot.records[n] for n in rows]
        read = self._read.get_many(records)
        missing = [r for r in records if r not in read]
        if missing:
            fetched = self._fetch(missing)
            self._read.put_many(fetched)
            read.update(fetched)
        passages = []
        for n, record in zip(rows, records):
            if record not in read:
                continue
            kept, vector = read[record]
            passage = replace(kept)
            if query_vector is not None:
                vector = self._snapshot.vectors[n] if vector is None else vector
                passage.vector_score = float(np.dot(vector, query_vector))
            passages.append(passage)
        return passages

    def _fetch(self, records: list[str]) -> dict[str, tuple[Passage, np.ndarray | None]]:
        """The records' passages with their sentence vectors (and, when search is not exact,
        the passage vector the snapshot does not hold), read from the store."""
        exact = self._snapshot.exact
        include = ["documents", "metadatas"] + ([] if exact else ["embeddings"])
        got = self._chunks.get(ids=records, include=include)
        fetched = {}
        for n, record in enumerate(got["ids"]):
            passage = passage_from(got["documents"][n], got["metadatas"][n])
            fetched[record] = (passage, None if exact else np.asarray(got["embeddings"][n]))
        vectors = packed.read(
            self._sentences, [(r, len(p.sentences)) for r, (p, _) in fetched.items()]
        )
        for record, (passage, _) in fetched.items():
            passage.sentence_vectors = vectors[record]
        return fetched


class ReadPassages:
    """The passages last read, least recently used first out; safe across worker threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[str, tuple[Passage, np.ndarray | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, records: list[str]) -> dict[str, tuple[Passage, np.ndarray | None]]:
        with self._lock:
            found = {r: self._kept[r] for r in records if r in self._kept}
            for record in found:
                self._kept.move_to_end(record)
            return found

    def put_many(self, read: dict[str, tuple[Passage, np.ndarray | None]]) -> None:
        with self._lock:
            self._kept.update(read)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


def _beyond(passage: Passage, line_start: int, line_end: int, after: bool) -> bool:
    """Whether a passage of `passage`'s file on lines `line_start`-`line_end` stands after it
    (or before it), as far as lines tell: it reaches further that way, and is not one that
    shares the same single line."""
    if after:
        return line_end > passage.line_end or line_start > passage.line_start
    return line_start < passage.line_start or line_end < passage.line_end
