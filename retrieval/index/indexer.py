"""Incremental, atomic refresh of the index from the corpus folder, in O(changes).

Passages are content-addressed: an unchanged passage keeps its id and its record. A refresh
compares each document's digest with the live version's, reads back only the records of the
documents that changed, and writes records for new or moved passages under its own stamp
beside the live ones, where no reader looks (retrieval/index/records.py). Then it switches
the pointer in one write to a version that holds the new records and not the deleted ones,
so a refresh that fails or is killed leaves the previous index answering; the next refresh
clears its debris. A changed embedder, `--force`, or a change too large to list in the
pointer builds a new generation of collections instead, copying reused vectors, and switches
to it the same way.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.errors import (
    CorpusChangedError,
    IndexMissingError,
    StoreError,
    StoreUnavailableError,
)
from retrieval.index import packed
from retrieval.index.chunkcache import Chunked, chunk_documents
from retrieval.index.embedder import embed_array, embedder_id
from retrieval.index.locks import RefreshLock
from retrieval.index.records import (
    BASE,
    STAMP_KEY,
    location,
    passage_metadata,
    passage_of,
    record_id,
    same_cut,
    stored_metadata,
)
from retrieval.index.store import Store, Version, new_version_name, version_time
from retrieval.ingest import filestamps
from retrieval.ingest.corpus import CorpusScan, read_corpus
from retrieval.ingest.markup import plain
from retrieval.types import Passage

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
EMBED_BATCH = 256
# How long the version a refresh replaced stays whole. Readers follow the pointer every
# live.POINTER_TTL_S instead of reading it per search, so a version must not lose records (or
# see a later refresh's) while a reader may still use it: the refresh after next would do
# both, and does them only once the live version has been live this long. Wall-clock time,
# compared across processes (and machines, on a shared server): the margin covers their skew.
REPLACED_KEPT_S = 30.0
MAX_DELETED = 10_000  # record ids a version lists in the pointer; more, and it is a full build
DELETE_BATCH = 5_000


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
        cache_dir: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.corpus_dir = corpus_dir
        self.lock = lock
        self.chunk_chars = chunk_chars
        # How each document was cut last time (retrieval/index/chunkcache.py); None: no cache.
        self.chunk_cache = cache_dir / "chunks.npz" if cache_dir else None
        # Each file's stat when last read (retrieval/ingest/filestamps.py); None: read all.
        self.stamps = cache_dir / "files.npz" if cache_dir else None
        self.clock = clock

    def refresh(self, progress: Progress | None = None, force: bool = False) -> RefreshReport:
        """Bring the index up to date with the corpus; raises RefreshRunningError if one runs."""
        with self.lock:
            log.info("refreshing the index from %s", self.corpus_dir)
            return self._refresh(progress or _no_progress, force)

    def _refresh(self, progress: Progress, force: bool) -> RefreshReport:
        started = time.perf_counter()
        progress("reading corpus", 0, 1)
        try:
            return self._refresh_from(self._scan(trust=not force), started, progress, force)
        except CorpusChangedError as exc:  # raised before anything is written
            log.info("%s Reading every file again.", exc)
            return self._refresh_from(self._scan(trust=False), started, progress, force)

    def _scan(self, trust: bool) -> CorpusScan:
        """The corpus; with `trust`, files whose stat is unchanged since last read are not read."""
        known = filestamps.load(self.stamps) if trust else {}
        scan = read_corpus(self.corpus_dir, known, lambda: int(self.clock() * 1e9))
        if scan.seen != known:
            filestamps.save(self.stamps, scan.seen)
        return scan

    def _refresh_from(self, scan: CorpusScan, started: float, progress, force) -> RefreshReport:
        live = self._active_or_none()
        old = self._reusable(live)  # the version whose vectors can be reused
        before = old.documents if old and not force else None
        chunked = self._chunk(scan, before)
        fingerprint = _fingerprint(chunked.documents, embedder_id(self.embedder))
        if old and old.fingerprint == fingerprint and not force:
            report = RefreshReport(old.name, _file_changes(old, chunked.documents))
            report.skipped, report.unchanged = scan.skipped, chunked.total
            report.seconds = time.perf_counter() - started
            return report
        if old and not self._whole(old):
            old = before = None
            chunked = self._chunk(scan, None)
            fingerprint = _fingerprint(chunked.documents, embedder_id(self.embedder))
        documents = chunked.documents
        name = new_version_name()
        report = RefreshReport(name, _file_changes(old, documents), skipped=scan.skipped)
        if live:
            # Generations older than the live one are debris; newer ones may be another
            # process's full build in progress on a shared server, and are left to it.
            self.store.drop_unused({live.generation}, before=live.generation)
        base = Version(name, time.time(), embedder_id(self.embedder), fingerprint, documents)
        delta = _Delta.of(self.store, old, chunked, documents) if before is not None else None
        if delta is not None and len(delta.deleted) <= MAX_DELETED:
            settled = self._settled(old)  # decided once: the clock may move (or jump) meanwhile
            self._run(_incremental(base, old, delta, settled), report, progress, delta, settled)
        else:
            passages = chunked.passages if before is None else self._chunk(scan, None).passages
            self._run(base, report, progress, _Delta.full(self.store, old, passages))
        report.seconds = time.perf_counter() - started
        log.info("refreshed index to %s: %s", report.version, report.summary())
        return report

    def _chunk(self, scan: CorpusScan, before: dict | None) -> Chunked:
        """Every document's statistics; passages of those cut again (all, without `before`)."""
        return chunk_documents(scan.documents, self.chunk_chars, self.chunk_cache, before)

    def _run(self, version: Version, report, progress, delta: _Delta, settled=True) -> None:
        """Write `version`'s records and switch to it."""
        delta.count(report)
        try:
            if version.generation == version.name:
                self.store.collection(version.chunks, create=True)
                self.store.collection(version.sentences, create=True)
            else:
                self._tidy(version, delta.source, settled)
            self._copy(version, delta, progress)
            report.embedded_texts = self._embed(version, delta.fresh, progress)
        except BaseException as exc:
            self._discard(version)
            # On a shared server, a later refresh may have dropped our unfinished version.
            if not (isinstance(exc, StoreError) and self._superseded(version, report)):
                raise
            return
        self._publish(version, report)

    def _settled(self, live: Version | None) -> bool:
        """Whether `live` went live long enough ago that no reader uses its predecessors."""
        return live is None or self.clock() - live.published_at >= REPLACED_KEPT_S

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
            self.store.collection(live.chunks)
            self.store.collection(live.sentences)
        except StoreUnavailableError:
            raise
        except StoreError as exc:
            # A damaged live version must not block (or fake) the rebuild that replaces it.
            log.warning("index %s is damaged (%s): embedding everything again", live.name, exc)
            return None
        return live

    def _whole(self, live: Version) -> bool:
        """Whether the live version's collections hold at least the records it counts.

        Asked only of a refresh that writes: a process's first read of a collection opens its
        segments (1.3 s at 10,000 passages), which a write pays anyway, so a no-change refresh
        trusts the store (`seedbot index --force` does not).
        """
        try:
            stored = self.store.collection(live.chunks).count()
        except StoreUnavailableError:
            raise
        except StoreError as exc:
            stored = exc
        expected = sum(doc["chunks"] for doc in live.documents.values())
        if isinstance(stored, int) and stored >= expected:
            return True
        log.warning("index %s is damaged (%s): embedding everything again", live.name, stored)
        return False

    def _tidy(self, version: Version, live: Version, settled: bool) -> None:
        """Before writing: clear records no version holds, fold older stamps into the base.

        None of it changes what the live version or the one it replaced hold, and all of it
        is done again by the next refresh if this one is killed. Forgetting and folding
        change what older versions hold, so they wait until those are settled (see
        REPLACED_KEPT_S); meanwhile the new version lists the records it must skip.
        """
        older = [s for s in live.committed if s not in (BASE, live.stamp)] if settled else []
        if settled:
            self._forget(live)  # if the refresh that made it live was killed before doing so
        for name in (version.chunks, version.sentences):
            collection = self.store.collection(name)
            _delete(collection, _dead(collection, live, version))
            for stamp in older:
                ids = collection.get(where={STAMP_KEY: stamp}, include=[])["ids"]
                for start in range(0, len(ids), DELETE_BATCH):
                    batch = ids[start : start + DELETE_BATCH]
                    collection.update(ids=batch, metadatas=[{STAMP_KEY: BASE}] * len(batch))

    def _forget(self, version: Version) -> None:
        """Delete the records `version` and the one it replaced both do not hold."""
        ids = sorted(version.gone)
        for name in (version.chunks, version.sentences):
            _delete(self.store.collection(name), ids)

    def _publish(self, version: Version, report: RefreshReport) -> None:
        """Flip the pointer to `version`, unless a refresh started after it finished first."""
        current = self._active_or_none()  # one read: the pointer's documents list is large
        if _won_by(current, version, report):
            self._discard(version)
            return
        self.store.activate(replace(version, published_at=self.clock()))
        # Keep the version just replaced: queries in flight elsewhere may still read it.
        keep = {version.generation} | ({current.generation} if current else set())
        self.store.drop_unused(keep, before=version.generation)
        if self._settled(current):  # else the next refresh forgets them, once it is
            self._forget(version)

    def _superseded(self, version: Version, report: RefreshReport) -> bool:
        """Whether a refresh started after ours is live: it read the corpus later, so it wins."""
        return _won_by(self._active_or_none(), version, report)

    def _discard(self, version: Version) -> None:
        """Remove an unfinished version; if even that fails, the next refresh clears it."""
        try:
            if version.generation == version.name:
                self.store.drop_version(version.name)
                return
            for name in (version.chunks, version.sentences):
                self.store.collection(name).delete(where={STAMP_KEY: version.stamp})
        except StoreError as exc:
            log.warning("could not remove unfinished index %s: %s", version.name, exc)

    def _copy(self, version: Version, delta: _Delta, progress) -> None:
        """Records for passages whose text is indexed already: its vectors, their new place."""
        moved = delta.moved
        if not moved:
            return
        chunks = self.store.collection(delta.source.chunks)
        sentences = self.store.collection(delta.source.sentences)
        for start in range(0, len(moved), EMBED_BATCH * 4):
            batch = moved[start : start + EMBED_BATCH * 4]
            progress("reusing unchanged passages", start, len(moved))
            olds = [old for _, old in batch]
            passage_vectors = _vectors(chunks, olds)
            by_id = packed.read(sentences, [(old, len(p.sentences)) for p, old in batch])
            sentence_vectors = np.concatenate([by_id[old] for old in olds])
            self._add(version, [p for p, _ in batch], passage_vectors, sentence_vectors)

    def _embed(self, version: Version, passages: list[Passage], progress) -> int:
        embedded = 0
        for start in range(0, len(passages), EMBED_BATCH):
            batch = passages[start : start + EMBED_BATCH]
            progress("embedding new passages", start, len(passages))
            texts = [plain(p.sentence_text(i)) for p in batch for i in range(len(p.sentences))]
            sentence_vectors = embed_array(self.embedder, texts)
            embedded += len(texts)
            self._add(version, batch, passage_vectors(batch, sentence_vectors), sentence_vectors)
        progress("embedding new passages", len(passages), len(passages))
        return embedded

    def _add(self, version: Version, passages, vectors, sentence_vectors) -> None:
        add_passages(self.store, version, passages, vectors, sentence_vectors)


@dataclass
class _Delta:
    """What a refresh writes: passages to embed, passages moved (and their old records)."""

    source: Version | None  # where the records of moved passages are
    fresh: list[Passage]
    moved: list[tuple[Passage, str]]
    deleted: set[str]  # records the new version does not hold
    counts: dict[str, int]

    @classmethod
    def of(cls, store: Store, old: Version, chunked: Chunked, documents) -> _Delta:
        """The change from `old`, reading back only the records of the documents that changed.

        A changed document was cut again, so `chunked` holds its passages.
        """
        sources = set(documents) | set(old.documents)
        changed = {s for s in sources if _digest(documents, s) != _digest(old.documents, s)}
        where = {"source": {"$in": sorted(changed)}}
        held = store.held(old, ["metadatas"], where=where) if changed else {"ids": []}
        records = dict(zip(held["ids"], held.get("metadatas", [])))
        return cls._against(old, records, chunked.passages, changed, chunked.total)

    @classmethod
    def full(cls, store: Store, old: Version | None, passages: list[Passage]) -> _Delta:
        """Every passage written anew; vectors reused from `old` where it has them."""
        held = store.held(old, ["metadatas"]) if old else {"ids": [], "metadatas": []}
        records = dict(zip(held["ids"], held["metadatas"]))
        delta = cls._against(old, records, passages, None, len(passages))
        written = {p.id for p in delta.fresh} | {p.id for p, _ in delta.moved}
        olds = {passage_of(r): r for r in held["ids"]}
        delta.moved += [(p, olds[p.id]) for p in passages if p.id not in written]
        return delta

    @classmethod
    def _against(cls, source, old: dict[str, dict], passages: list[Passage], sources, total: int):
        by_passage = {meta["passage"]: (record, meta) for record, meta in old.items()}
        fresh, moved, kept = [], [], set()
        for passage in passages:
            if sources is not None and passage.source not in sources:
                continue
            record, meta = by_passage.get(passage.id, (None, None))
            if record is None or not same_cut(meta, passage):
                fresh.append(passage)  # new text, or the same text cut into other sentences
            elif location(meta) != location(passage_metadata(passage)):
                moved.append((passage, record))
            else:
                kept.add(record)
        new_ids = {p.id for p in passages}
        counts = {
            "added": len(fresh),
            "updated": len(moved),
            "deleted": sum(1 for m in old.values() if m["passage"] not in new_ids),
            "unchanged": total - len(fresh) - len(moved),
        }
        return cls(source, fresh, moved, set(old) - kept, counts)

    def count(self, report: RefreshReport) -> None:
        for key, value in self.counts.items():
            setattr(report, key, value)


def _incremental(base: Version, live: Version, delta: _Delta, settled: bool) -> Version:
    """The version that adds `delta`'s records to the live generation under its own stamp.

    Settled, the refresh forgets what the live version's predecessor alone held and folds
    older stamps into the base first; if not, the new version keeps every stamp the live
    one has and skips every record the live one skips.
    """
    stamp = version_time(base.name)
    if settled:
        own = live.deleted - live.gone  # what the live version deleted: its predecessor held them
        committed = (BASE, live.stamp, stamp)
    else:
        own = live.deleted
        committed = (*live.committed, live.stamp, stamp)
    return replace(
        base,
        generation=live.generation,
        committed=tuple(dict.fromkeys(committed)),
        deleted=frozenset(delta.deleted) | own,
        gone=own,
        previous=live.name,
    )


def add_passages(store: Store, version: Version, passages, vectors, sentence_vectors) -> None:
    """Write passages' records, with their vectors, as `version` (which must not be live yet)."""
    stamp = version.stamp
    ids = [record_id(p.id, stamp) for p in passages]
    store.collection(version.chunks).add(
        ids=ids,
        embeddings=np.asarray(vectors, dtype=np.float32),
        documents=[p.text for p in passages],
        metadatas=[stored_metadata(p, stamp) for p in passages],
    )
    # One record per passage, its sentence vectors packed: see retrieval/packed.py for why.
    counts = [len(p.sentences) for p in passages]
    store.collection(version.sentences).add(
        **packed.records(ids, counts, sentence_vectors, {STAMP_KEY: stamp})
    )


def passage_vectors(passages: list[Passage], sentence_vectors: np.ndarray) -> np.ndarray:
    """A passage's vector: the normalised mean of its sentences' vectors (one embedding pass)."""
    out, row = np.zeros((len(passages), sentence_vectors.shape[1]), dtype=np.float32), 0
    for i, passage in enumerate(passages):
        out[i] = sentence_vectors[row : row + len(passage.sentences)].mean(axis=0)
        row += len(passage.sentences)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def _won_by(current: Version | None, version: Version, report: RefreshReport) -> bool:
    """Whether `current`, the live version, was started after `version` (then it stays)."""
    if current is None or (version_time(current.name) or 0) < (version_time(version.name) or 0):
        return False
    log.info("index %s, started later, is live: %s is not used", current.name, version.name)
    report.version = current.name
    return True


def _dead(collection, live: Version, version: Version) -> list[str]:
    """Records of refreshes that started before `version` and never went live.

    Later ones may be running elsewhere. Chroma answers a range on one field from its index,
    and any other filter on the field (`$nin`, or a range under `$and`) by reading every
    record, so the range asks for every record not yet folded into the base (only those of
    recent refreshes) and the rest is sorted out here.
    """
    found = collection.get(where={STAMP_KEY: {"$gt": BASE}}, include=["metadatas"])
    return [
        record
        for record, meta in zip(found["ids"], found["metadatas"])
        if meta[STAMP_KEY] not in live.committed and meta[STAMP_KEY] < version.stamp
    ]


def _delete(collection, ids: list[str]) -> None:
    for start in range(0, len(ids), DELETE_BATCH):
        collection.delete(ids=ids[start : start + DELETE_BATCH])


def _vectors(collection, ids: list[str]) -> np.ndarray:
    records = collection.get(ids=ids, include=["embeddings"])
    by_id = dict(zip(records["ids"], records["embeddings"]))
    return np.asarray([by_id[i] for i in ids], dtype=np.float32)


def _digest(documents: dict, source: str) -> str | None:
    return documents[source]["digest"] if source in documents else None


def _fingerprint(documents: dict, embedder: str) -> str:
    """Of everything a version holds: the documents' digests cover their passages' records."""
    digest = hashlib.sha256(embedder.encode())
    digest.update(json.dumps(documents, sort_keys=True).encode())
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
