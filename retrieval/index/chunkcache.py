"""Chunking in O(changes): what each document was cut into, cached on disk between refreshes.

Cutting a document into sentences and passages costs about 0.4 ms per passage (40 s at
100,000 passages), and it depends on other documents only through deduplication: a
paragraph (or a passage's text) seen earlier in the corpus is kept there, and the first
place lists its copies. So each document's paragraph outline (hashes and first lines, a
function of its text alone) is cached, deduplication is redone over the outlines in numpy,
and only the documents whose text or placement changed are cut again. Passages of several
documents with the same text are one record, so documents linked by such texts form a
group, recorded in their statistics: a group is cut again whole when a member changed or
the group itself did (a member lost or gained). The others keep the statistics the live
version records for them. The cache is keyed by content, so a stale or foreign one is only
slower.
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval import npzfile
from retrieval.index.records import location, passage_metadata
from retrieval.ingest.chunking import (
    CHUNKER_VERSION,
    Outline,
    merge,
    outline,
    paragraphs_of,
    passages_of,
    place,
)
from retrieval.ingest.corpus import Document
from retrieval.types import Passage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Entry:
    """What one document (at one text) was cut into, last time it was cut."""

    sha256: str
    outline: Outline
    context: str  # the placement's signature
    ids: list[str]  # its passages' ids before passage-level merging


@dataclass
class Chunked:
    """The corpus's per-document statistics, and the passages of the documents cut again."""

    documents: dict[str, dict]
    passages: list[Passage]  # of the documents cut again: all of them without `before`
    total: int  # passages in the whole corpus


def chunk_documents(
    documents: list[Document],
    chunk_chars: int,
    cache: Path | None = None,
    before: dict[str, dict] | None = None,
) -> Chunked:
    """Cut the corpus, reusing `before`'s statistics for documents whose cut cannot differ."""
    if before and _as_before(documents, cache, chunk_chars, before):
        out = {doc.source: before[doc.source] for doc in documents}
        return Chunked(out, [], sum(d["chunks"] for d in out.values()))
    entries = load(cache, chunk_chars)
    before = before or {}
    paragraphs, outlines = {}, []
    for n, doc in enumerate(documents):
        entry = entries.get(doc.source)
        if entry is None or entry.sha256 != doc.sha256:
            paragraphs[n] = paragraphs_of(doc)
            outlines.append(outline(doc, paragraphs[n]))
        else:
            outlines.append(entry.outline)
    placements = place([doc.source for doc in documents], outlines)
    # The cut also depends on the chunker and the passage size: a live version cut under
    # others (then a refresh killed after saving the cache) must not pass for this one.
    contexts = [_digest(f"{p.signature}:{_key(chunk_chars)}") for p in placements]
    ids, cut = {}, {}
    for n, doc in enumerate(documents):
        entry = entries.get(doc.source)
        if _reusable(doc, contexts[n], before.get(doc.source), entry):
            ids[n] = entry.ids
        else:
            cut[n] = _cut(doc, paragraphs, n, placements[n], chunk_chars)
            ids[n] = [p.id for p in cut[n]]
    groups = _sharing_text(ids)
    names = {n: _group_name(documents, group) for group in groups for n in group}
    groups += [{n} for n in ids if n not in names]  # sharing none, it must have shared none
    for group in groups:
        # A merged record is made of its group's passages: all reused, or all cut again.
        if all(n not in cut and _was(before, documents[n], names.get(n, "")) for n in group):
            continue
        for n in sorted(group - set(cut)):
            cut[n] = _cut(documents[n], paragraphs, n, placements[n], chunk_chars)
    passages = merge([cut[n] for n in sorted(cut)])
    stats = _stats(passages)
    out = {}
    for n, doc in enumerate(documents):
        if n in cut:
            out[doc.source] = {
                **_document(doc, stats.get(doc.source)),
                "context": contexts[n],
                "group": names.get(n, ""),
            }
        else:
            out[doc.source] = before[doc.source]
    fresh = {
        doc.source: _Entry(doc.sha256, outlines[n], contexts[n], ids[n])
        for n, doc in enumerate(documents)
    }
    if _changed(entries, fresh):
        save(cache, chunk_chars, fresh)
    return Chunked(out, passages, sum(d["chunks"] for d in out.values()))


def _as_before(documents: list[Document], cache: Path | None, chunk_chars: int, before) -> bool:
    """Whether nothing need be placed or cut: every document is as the live version has it.

    The cache was written whole from one placement of its documents in its order, so if they
    are the corpus's, in that order, with the same texts, its contexts are today's; and a
    live version whose statistics match all of them (and holds no other document) recorded
    its groups from the same cuts.
    """
    if set(before) != {doc.source for doc in documents}:
        return False
    sources, shas, contexts = _columns(cache, chunk_chars)
    if sources != [doc.source for doc in documents] or shas != [d.sha256 for d in documents]:
        return False
    return all(
        before[s].get("sha256") == sha and before[s].get("context") == context
        for s, sha, context in zip(sources, shas, contexts)
    )


def _columns(path: Path | None, chunk_chars: int) -> tuple[list[str], list[str], list[str]]:
    """The cache's sources, digests and contexts alone (the outlines stay unread), or none."""
    if path is None or not path.is_file():
        return [], [], []
    try:
        with np.load(path, allow_pickle=False) as data:
            return _document_columns(data, chunk_chars) or ([], [], [])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return [], [], []  # `load` says so, if it gets that far


def _document_columns(data, chunk_chars: int) -> tuple[list[str], list[str], list[str]] | None:
    """An open cache file's sources, digests and contexts; None when another chunker (or
    chunk size) wrote it."""
    if npzfile.split(data["key"]) != [_key(chunk_chars)]:
        return None
    sources, shas = npzfile.split(data["sources"]), npzfile.split(data["shas"])
    return sources, shas, npzfile.split(data["contexts"])


def _reusable(doc: Document, context: str, old: dict | None, entry: _Entry | None) -> bool:
    """Whether the live version's statistics and the cached ids still hold for the document.

    If it shares a passage's text with other documents, or did, see `chunk_documents`.
    """
    return bool(
        old
        and entry
        and old.get("sha256") == entry.sha256 == doc.sha256
        and old.get("context") == entry.context == context
    )


def _was(before: dict[str, dict], doc: Document, group: str) -> bool:
    """Whether the live version recorded the document in the same group of shared texts."""
    return before.get(doc.source, {}).get("group") == group


def _changed(old: dict[str, _Entry], new: dict[str, _Entry]) -> bool:
    """Whether the cache must be written again (outlines follow from the texts' hashes)."""
    if list(old) != list(new):
        return True
    return any(
        (o.sha256, o.context, o.ids) != (n.sha256, n.context, n.ids)
        for o, n in zip(old.values(), new.values())
    )


def _cut(doc, paragraphs: dict, n: int, placement, chunk_chars: int) -> list[Passage]:
    found = paragraphs.get(n)
    if found is None:
        found = paragraphs[n] = paragraphs_of(doc)
    return passages_of(doc, found, placement, chunk_chars)


def _sharing_text(ids: dict[int, list[str]]) -> list[set[int]]:
    """Groups of documents linked by passage texts they share (merged into one record)."""
    owners = np.repeat(
        np.fromiter(ids, dtype=np.int64, count=len(ids)), [len(v) for v in ids.values()]
    )
    texts = np.asarray([i for found in ids.values() for i in found], dtype=str)
    order = np.argsort(texts, kind="stable")
    texts, owners = texts[order], owners[order]
    # Sorted, the owners of one text stand side by side: linking neighbours links them all.
    same = np.flatnonzero((texts[1:] == texts[:-1]) & (owners[1:] != owners[:-1]))
    parent: dict[int, int] = {}

    def root(n: int) -> int:
        while parent.setdefault(n, n) != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in zip(owners[same].tolist(), owners[same + 1].tolist()):
        parent[root(b)] = root(a)
    groups: dict[int, set[int]] = defaultdict(set)
    for n in parent:
        groups[root(n)].add(n)
    return [group for group in groups.values() if len(group) > 1]


def _group_name(documents: list[Document], group: set[int]) -> str:
    return _digest("\n".join(sorted(documents[n].source for n in group)))


def _stats(passages: list[Passage]) -> dict[str, tuple[int, str]]:
    """Per source: its passage count and a digest of its passages' records."""
    counts: dict[str, int] = {}
    digests: dict[str, hashlib._Hash] = {}
    for passage in passages:
        counts[passage.source] = counts.get(passage.source, 0) + 1
        digest = digests.setdefault(passage.source, hashlib.sha256())
        digest.update(passage.id.encode())
        digest.update(repr(location(passage_metadata(passage))).encode())
    return {s: (counts[s], digests[s].hexdigest()) for s in counts}


def _document(doc: Document, stats: tuple[int, str] | None) -> dict:
    chunks, digest = stats or (0, "")
    return {
        "sha256": doc.sha256,
        "chars": len(doc.text),
        "lines": doc.text.count("\n") + 1,
        "chunks": chunks,
        "url": doc.url,
        "digest": digest,
    }


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _key(chunk_chars: int) -> str:
    return f"{CHUNKER_VERSION}:{chunk_chars}"


def load(path: Path | None, chunk_chars: int) -> dict[str, _Entry]:
    """The cached cuts, or none if the file is missing, unreadable or from another chunker."""
    if path is None or not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            columns = _document_columns(data, chunk_chars)
            if columns is None:
                return {}
            sources, shas, contexts = columns
            ids = npzfile.split(data["ids"])
            keys, lines = data["keys"], data["lines"]
            paragraph_ends = np.cumsum(data["paragraphs"]).tolist()
            id_ends = np.cumsum(data["passages"]).tolist()
            if not len(sources) == len(shas) == len(contexts) == len(id_ends):
                raise ValueError("columns of different lengths")
            counted = (paragraph_ends[-1], id_ends[-1]) if id_ends else (0, 0)
            if counted != (len(keys), len(ids)) or len(keys) != len(lines):
                raise ValueError("columns of different lengths")
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("chunk cache %s unreadable (%s): cutting every document again", path, exc)
        return {}
    entries, p0, i0 = {}, 0, 0
    for n, source in enumerate(sources):
        p1, i1 = paragraph_ends[n], id_ends[n]
        found = Outline(keys[p0:p1], lines[p0:p1])
        entries[source] = _Entry(shas[n], found, contexts[n], ids[i0:i1])
        p0, i0 = p1, i1
    return entries


def save(path: Path | None, chunk_chars: int, entries: dict[str, _Entry]) -> None:
    """Write the cache whole, or not at all (a cache: failures only log)."""
    if path is None:
        return
    # A newline would split a path in two in this format; such a document is just cut again.
    entries = {s: e for s, e in entries.items() if "\n" not in s}
    values = list(entries.values())
    npzfile.write_whole(
        path,
        "chunk cache",
        key=npzfile.joined([_key(chunk_chars)]),
        sources=npzfile.joined(list(entries)),
        shas=npzfile.joined([e.sha256 for e in values]),
        contexts=npzfile.joined([e.context for e in values]),
        ids=npzfile.joined([i for e in values for i in e.ids]),
        keys=_concat([e.outline.keys for e in values], "<u8"),
        lines=_concat([e.outline.lines for e in values], np.int64),
        paragraphs=np.asarray([len(e.outline.keys) for e in values], dtype=np.int64),
        passages=np.asarray([len(e.ids) for e in values], dtype=np.int64),
    )


def _concat(arrays: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype=dtype)
