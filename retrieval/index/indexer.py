"""Incremental, atomic refresh of the index from the corpus folder.

Passages are content-addressed: an unchanged passage keeps its id, and its vectors are
copied from the live version instead of being embedded again. The new version is built
beside the live one and switched to in one write, so a refresh that fails or is killed
leaves the previous index answering; the next refresh clears its debris.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.errors import IndexMissingError, StoreError, StoreUnavailableError
from retrieval.index import packed
from retrieval.index.embedder import embed_array, embedder_id
from retrieval.index.locks import RefreshLock
from retrieval.index.store import Store, Version, new_version_name, version_time
from retrieval.ingest.chunking import Chunk, chunk_corpus
from retrieval.ingest.corpus import CorpusScan, read_corpus

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
EMBED_BATCH = 256


@dataclass
class RefreshReport:
    """What a refresh changed, in files and in passages."""

    version: str
    files: dict[str, list[str]] = field(default_factory=dict)  # added/updated/deleted/unchanged
    added: int = 0  # passages with new text, embedded
    updated: int = 0  # same text at a new place: metadata rewritten, vectors reused
    deleted: int = 0
    unchanged: int = 0
    embedded_texts: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def summary(self) -> str:
        files = ", ".join(f"{len(v)} {k}" for k, v in self.files.items() if v) or "no files"
        line = (
            f"passages: {self.added} added, {self.updated} updated, {self.deleted} deleted, "
            f"{self.unchanged} unchanged ({files}; {self.seconds:.1f} s)"
        )
        skipped = "".join(f"\nskipped {source}: {why}" for source, why in self.skipped)
        return line + skipped


class Indexer:
    """Builds index versions from a corpus folder into a Store."""

    def __init__(
        self,
        store: Store,
        embedder: Embeddings,
        corpus_dir: Path,
        lock: RefreshLock,
        chunk_chars: int = 600,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.corpus_dir = corpus_dir
        self.lock = lock
        self.chunk_chars = chunk_chars

    def refresh(self, progress: Progress | None = None, force: bool = False) -> RefreshReport:
        """Bring the index up to date with the corpus; raises RefreshRunningError if one runs."""
        with self.lock:
            log.info("refreshing the index from %s", self.corpus_dir)
            return self._refresh(progress or _no_progress, force)

    def _refresh(self, progress: Progress, force: bool) -> RefreshReport:
        started = time.perf_counter()
        progress("reading corpus", 0, 1)
        scan = read_corpus(self.corpus_dir)
        chunks = chunk_corpus(scan.documents, self.chunk_chars)
        documents = _document_stats(scan, chunks)
        fingerprint = _fingerprint(chunks, documents, embedder_id(self.embedder))
        live = self._active_or_none()
        old = self._reusable(live)  # the version whose vectors can be reused
        version = Version(
            new_version_name(), time.time(), embedder_id(self.embedder), fingerprint, documents
        )
        report = RefreshReport(version.name, _file_changes(old, documents), skipped=scan.skipped)
        if old and old.fingerprint == fingerprint and not force:
            report.version, report.unchanged = old.name, len(chunks)
            report.seconds = time.perf_counter() - started
            return report
        if live:
            # Versions older than the live one are debris; newer ones may be another
            # process's refresh in progress on a shared server, and are left to it.
            self.store.drop_unused({live.name}, before=live.name)
        try:
            self._build(version, old, chunks, report, progress)
        except BaseException as exc:
            self._discard(version)
            # On a shared server, a later refresh may have dropped our unfinished version.
            if not (isinstance(exc, StoreError) and self._superseded(version, report)):
                raise
        else:
            self._publish(version, report)
        report.seconds = time.perf_counter() - started
        log.info("refreshed index to %s: %s", report.version, report.summary())
        return report

    def _active_or_none(self) -> Version | None:
        try:
            return self.store.active()
        except IndexMissingError:
            return None

    def _reusable(self, live: Version | None) -> Version | None:
        """The live version if its vectors can be reused: same embedder, and intact."""
        if live is None:
            return None
        if live.embedder != embedder_id(self.embedder):
            log.info("embedder changed from %s: embedding everything again", live.embedder)
            return None
        try:
            stored = self.store.collection(live.chunks).count()
            self.store.collection(live.sentences)
        except StoreUnavailableError:
            raise
        except StoreError as exc:
            stored = exc
        expected = sum(doc["chunks"] for doc in live.documents.values())
        if stored != expected:
            # A damaged live version must not block (or fake) the rebuild that replaces it.
            log.warning("index %s is damaged (%s): embedding everything again", live.name, stored)
            return None
        return live

    def _build(self, version, old, chunks, report, progress) -> None:
        old_locations = self._old_locations(old)
        chunk_col = self.store.collection(version.chunks, create=True)
        sentence_col = self.store.collection(version.sentences, create=True)
        reused = [c for c in chunks if c.id in old_locations]
        fresh = [c for c in chunks if c.id not in old_locations]
        report.added = len(fresh)
        report.deleted = len(set(old_locations) - {c.id for c in chunks})
        report.updated = sum(1 for c in reused if old_locations[c.id] != _location(c))
        report.unchanged = len(reused) - report.updated
        self._copy_vectors(old, reused, chunk_col, sentence_col, progress)
        report.embedded_texts = self._embed_new(fresh, chunk_col, sentence_col, progress)

    def _publish(self, version: Version, report: RefreshReport) -> None:
        """Flip the pointer to `version`, unless a refresh started after it finished first."""
        if self._superseded(version, report):
            self._discard(version)
            return
        current = self._active_or_none()
        self.store.activate(version)
        # Keep the version just replaced: queries in flight elsewhere may still read it.
        keep = {version.name} | ({current.name} if current else set())
        self.store.drop_unused(keep, before=version.name)

    def _superseded(self, version: Version, report: RefreshReport) -> bool:
        """Whether a refresh started after ours is live: it read the corpus later, so it wins."""
        current = self._active_or_none()
        if current is None or (version_time(current.name) or 0) < (version_time(version.name) or 0):
            return False
        log.info("index %s, started later, is live: %s is not used", current.name, version.name)
        report.version = current.name
        return True

    def _discard(self, version: Version) -> None:
        """Remove an unfinished version; if even that fails, the next refresh clears it."""
        try:
            self.store.drop_version(version.name)
        except StoreError as exc:
            log.warning("could not remove unfinished index %s: %s", version.name, exc)

    def _old_locations(self, old: Version | None) -> dict[str, str]:
        if old is None:
            return {}
        records = self.store.collection(old.chunks).get(include=["metadatas"])
        return {i: _location_of(m) for i, m in zip(records["ids"], records["metadatas"])}

    def _copy_vectors(self, old, chunks, chunk_col, sentence_col, progress) -> None:
        if not chunks:
            return
        old_chunks = self.store.collection(old.chunks)
        old_sentences = self.store.collection(old.sentences)
        for start in range(0, len(chunks), EMBED_BATCH * 4):
            batch = chunks[start : start + EMBED_BATCH * 4]
            progress("reusing unchanged passages", start, len(chunks))
            chunk_vectors = _vectors(old_chunks, [c.id for c in batch])
            by_id = packed.read(old_sentences, [(c.id, len(c.sentences)) for c in batch])
            sentence_vectors = np.concatenate([by_id[c.id] for c in batch])
            _add(chunk_col, sentence_col, batch, chunk_vectors, sentence_vectors)

    def _embed_new(self, chunks, chunk_col, sentence_col, progress) -> int:
        embedded = 0
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            progress("embedding new passages", start, len(chunks))
            texts = [c.sentence_text(i) for c in batch for i in range(len(c.sentences))]
            sentence_vectors = embed_array(self.embedder, texts)
            embedded += len(texts)
            _add(
                chunk_col,
                sentence_col,
                batch,
                _passage_vectors(batch, sentence_vectors),
                sentence_vectors,
            )
        progress("embedding new passages", len(chunks), len(chunks))
        return embedded


def _passage_vectors(chunks: list[Chunk], sentence_vectors: np.ndarray) -> np.ndarray:
    """A passage's vector: the normalised mean of its sentences' vectors (one embedding pass)."""
    out, row = np.zeros((len(chunks), sentence_vectors.shape[1]), dtype=np.float32), 0
    for i, chunk in enumerate(chunks):
        out[i] = sentence_vectors[row : row + len(chunk.sentences)].mean(axis=0)
        row += len(chunk.sentences)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def _add(chunk_col, sentence_col, chunks, chunk_vectors, sentence_vectors) -> None:
    chunk_col.add(
        ids=[c.id for c in chunks],
        embeddings=np.asarray(chunk_vectors, dtype=np.float32),
        documents=[c.text for c in chunks],
        metadatas=[chunk_metadata(c) for c in chunks],
    )
    # One record per passage, its sentence vectors packed: see retrieval/packed.py for why.
    sentence_col.add(
        **packed.records(
            [c.id for c in chunks], [len(c.sentences) for c in chunks], sentence_vectors
        )
    )


def _vectors(collection, ids: list[str]) -> np.ndarray:
    records = collection.get(ids=ids, include=["embeddings"])
    by_id = dict(zip(records["ids"], records["embeddings"]))
    return np.asarray([by_id[i] for i in ids], dtype=np.float32)


def chunk_metadata(chunk: Chunk) -> dict:
    sentences = [[s.start, s.end, s.line_start, s.line_end] for s in chunk.sentences]
    return {
        "source": chunk.source,
        "line_start": chunk.span.line_start,
        "line_end": chunk.span.line_end,
        "url": chunk.url,
        "sentences": json.dumps(sentences),
        "duplicates": json.dumps(chunk.duplicates),
    }


def _location(chunk: Chunk) -> str:
    return _location_of(chunk_metadata(chunk))


def _location_of(meta: dict) -> str:
    keys = ("source", "line_start", "line_end", "sentences", "duplicates", "url")
    return json.dumps([meta.get(k) for k in keys])


def _document_stats(scan: CorpusScan, chunks: list[Chunk]) -> dict[str, dict]:
    per_source: dict[str, int] = {}
    for chunk in chunks:
        per_source[chunk.source] = per_source.get(chunk.source, 0) + 1
    return {
        doc.source: {
            "sha256": doc.sha256,
            "chars": len(doc.text),
            "lines": doc.text.count("\n") + 1,
            "chunks": per_source.get(doc.source, 0),
            "url": doc.url,
        }
        for doc in scan.documents
    }


def _fingerprint(chunks: list[Chunk], documents: dict, embedder: str) -> str:
    digest = hashlib.sha256(embedder.encode())
    digest.update(json.dumps(documents, sort_keys=True).encode())
    for chunk in chunks:
        digest.update(chunk.id.encode())
        digest.update(_location(chunk).encode())
    return digest.hexdigest()


def _file_changes(old: Version | None, documents: dict) -> dict[str, list[str]]:
    before = old.documents if old else {}
    return {
        "added": sorted(set(documents) - set(before)),
        "updated": sorted(
            s for s in documents if s in before and before[s]["sha256"] != documents[s]["sha256"]
        ),
        "deleted": sorted(set(before) - set(documents)),
        "unchanged": sorted(
            s for s in documents if s in before and before[s]["sha256"] == documents[s]["sha256"]
        ),
    }


def _no_progress(stage: str, done: int, total: int) -> None:
    """Progress is optional: the CLI shows a bar, the bot edits a message."""
