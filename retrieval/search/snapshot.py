"""What a retriever holds of one index version in memory: its records, vectors and BM25 index.

Up to EXACT_MAX passages, the passage vectors are held too and searched exactly in numpy: the
true nearest passages of exactly this version, in about 2 ms at 10,000 passages, and no HNSW
graph loaded. Beyond, reading 384 floats per passage costs more than Chroma's approximate
index (26-40 ms at 100,000 passages on the 2-core benchmark machine), so only the records
are held, to keep the approximate index's results to this version's. The snapshot is saved
per version (a version never changes once written, so its name is a safe key), and an
incremental refresh's version is derived from the one it replaced, reading back only the
records the refresh changed.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.index.records import STAMP_KEY
from retrieval.index.store import Store, Version
from retrieval.search.keywords import KeywordIndex

log = logging.getLogger(__name__)

COMMON_WORDS = 5_000  # the corpus's most frequent content words, to warm the word cache
EXACT_MAX = 25_000  # passages searched exactly in numpy; beyond, Chroma's HNSW index


@dataclass(frozen=True)
class Snapshot:
    """One version's records in index order, their passage vectors, and their BM25 index."""

    name: str  # the version's
    records: list[str]
    vectors: np.ndarray  # float32, one unit vector per record
    keywords: KeywordIndex

    @property
    def exact(self) -> bool:
        """Whether the vectors are held, to be searched exactly."""
        return len(self.vectors) == len(self.records)


def built(store: Store, version: Version) -> Snapshot:
    """Every record the version holds, read from the store (seconds at 100,000 passages)."""
    exact = sum(d["chunks"] for d in version.documents.values()) <= EXACT_MAX
    held = store.held(version, ["documents", "embeddings"] if exact else ["documents"])
    vectors = _matrix(held["embeddings"] if exact else [])
    return Snapshot(version.name, held["ids"], vectors, KeywordIndex(held["documents"]))


def derived(store: Store, version: Version, before: Snapshot) -> Snapshot:
    """The snapshot of the version `version` replaced, less what it dropped, plus what it wrote.

    Past EXACT_MAX passages the vectors are let go; below it again they stay missing (and
    Chroma's index searched) until a process builds the snapshot anew.
    """
    chunks = store.collection(version.chunks)
    removed = sorted(version.deleted - version.gone)  # the previous version held them
    dropped = set(removed)
    keep = np.asarray([n for n, r in enumerate(before.records) if r not in dropped], dtype=int)
    gone = chunks.get(ids=removed, include=["documents"]) if removed else {"documents": []}
    added = chunks.get(
        where={STAMP_KEY: version.stamp}, include=["documents", "metadatas", "embeddings"]
    )
    records, texts, vectors = [], [], []
    found = zip(added["ids"], added["documents"], added["metadatas"], added["embeddings"])
    for record, text, meta, vector in found:
        if version.sees(record, meta):
            records.append(record)
            texts.append(text)
            vectors.append(vector)
    records = [before.records[n] for n in keep] + records
    kept = _matrix([])
    if before.exact and len(records) <= EXACT_MAX:
        kept = _matrix([*before.vectors[keep], *vectors])
    keywords = before.keywords.derived(keep, texts, gone["documents"] or [])
    return Snapshot(version.name, records, kept, keywords)


def _matrix(rows) -> np.ndarray:
    """Rows of vectors as one float32 matrix."""
    if len(rows) == 0:
        return np.zeros((0, 0), dtype=np.float32)
    return np.asarray(np.stack(list(rows)), dtype=np.float32)


def derivable(version: Version, before: Snapshot | None) -> bool:
    """Whether `before` is the snapshot of the version `version` replaced in its generation."""
    incremental = version.generation != version.name and bool(version.previous)
    return incremental and before is not None and before.name == version.previous


# Part of the cache's name: a saved keyword index tokenised another way is not reused.
KEYWORDS_FORMAT = 2  # 2: hyphenated words indexed whole and as their parts


def path_of(cache_dir: Path | None, version: str) -> Path | None:
    return cache_dir / f"{version}-k{KEYWORDS_FORMAT}.npz" if cache_dir else None


def load(cache_dir: Path | None, version: str) -> Snapshot | None:
    """The snapshot a process saved for `version`, or None."""
    path = path_of(cache_dir, version)
    if path is None or not path.is_file():
        return None
    try:
        keywords, records = KeywordIndex.load(path)
        with np.load(path, allow_pickle=False) as data:
            vectors = data["vectors"]
        if len(vectors) not in (0, len(records)):
            raise ValueError("vectors and records differ in number")
        if len(records) > EXACT_MAX:  # saved under a higher limit: let them go
            vectors = _matrix([])
        return Snapshot(version, records, vectors, keywords)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("keyword index cache %s unreadable (%s): rebuilding it", path, exc)
        return None


def save(cache_dir: Path | None, snapshot: Snapshot) -> None:
    """Save for the next process; drop other versions' (a cache: failures only log)."""
    path = path_of(cache_dir, snapshot.name)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        extra = {"vectors": snapshot.vectors}
        snapshot.keywords.save(path, snapshot.records, COMMON_WORDS, extra)
        for other in path.parent.glob("*.npz"):
            if other != path:
                other.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("keyword index not cached in %s: %s", path.parent, exc)
