"""Files unchanged since they were read are not read again, and no edit is missed for it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from retrieval.errors import CorpusChangedError
from retrieval.index.indexer import Indexer
from retrieval.index.locks import RefreshLock
from retrieval.index.store import Store, make_client
from retrieval.ingest import filestamps
from retrieval.ingest.corpus import Document, UnreadDocument, read_corpus
from retrieval.ingest.filestamps import RACY_NS
from tests.resilience.invariants import assert_index_matches


def later() -> int:
    """A clock ahead of the real one: every file written so far is settled when it reads."""
    return time.time_ns() + 10 * RACY_NS


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_settled_unchanged_file_is_not_read_again(tmp_path: Path):
    write(tmp_path, "a.txt", "Alpha one.\n")
    write(tmp_path, "sub/b.md", "Beta two.\n")
    first = read_corpus(tmp_path, clock=later)
    second = read_corpus(tmp_path, first.seen, clock=later)
    assert all(isinstance(d, UnreadDocument) for d in second.documents)
    assert [(d.source, d.sha256) for d in second.documents] == [
        (d.source, d.sha256) for d in first.documents
    ]
    texts = [(d.source, d.text, d.url) for d in first.documents]
    assert [(d.source, d.text, d.url) for d in second.documents] == texts  # read on demand
    assert second.seen == first.seen


def test_a_file_changed_just_before_the_scan_is_read_again(tmp_path: Path):
    """Racy git: its stat could be shared by a same-size edit within the same tick."""
    path = write(tmp_path, "a.txt", "Alpha one.\n")
    first = read_corpus(tmp_path)  # the real clock: the file was written this instant
    assert first.seen == {}
    stat = path.stat()
    path.write_text("Gamma two.\n", encoding="utf-8")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same mtime
    second = read_corpus(tmp_path, first.seen, clock=later)
    assert second.documents == [Document("a.txt", "Gamma two.\n")]
    assert not isinstance(second.documents[0], UnreadDocument)


def test_a_same_size_edit_that_keeps_the_mtime_is_seen_by_its_ctime(tmp_path: Path):
    path = write(tmp_path, "a.txt", "Alpha one.\n")
    first = read_corpus(tmp_path, clock=later)
    stat = path.stat()
    path.write_text("Gamma two.\n", encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # what `touch -r` or rsync can do
    second = read_corpus(tmp_path, first.seen, clock=later)
    assert second.documents[0].text == "Gamma two.\n"
    assert second.seen["a.txt"].sha256 != first.seen["a.txt"].sha256


def test_a_file_edited_after_the_scan_is_not_read_as_the_old_one(tmp_path: Path):
    path = write(tmp_path, "a.txt", "Alpha one.\n")
    first = read_corpus(tmp_path, clock=later)
    unread = read_corpus(tmp_path, first.seen, clock=later).documents[0]
    path.write_text("Alpha one, edited.\n", encoding="utf-8")
    with pytest.raises(CorpusChangedError):
        _ = unread.text


def test_the_stamps_survive_a_save_and_a_damaged_file_only_costs_a_read(tmp_path: Path):
    write(tmp_path / "corpus", "a.txt", "Alpha one.\n")
    seen = read_corpus(tmp_path / "corpus", clock=later).seen
    saved = tmp_path / "files.npz"
    filestamps.save(saved, seen)
    assert filestamps.load(saved) == seen
    saved.write_bytes(b"not a zip")
    assert filestamps.load(saved) == {}


def test_the_order_is_that_of_sorted_paths(tmp_path: Path):
    """Deduplication keeps a text's first place, so the order must not change with the listing."""
    for name in ("a-c.txt", "a/b.txt", "a/B.txt", "Z.md", "a.b/c.rst", "a/b/c.markdown"):
        write(tmp_path, name, f"Text of {name}.\n")
    sources = [d.source for d in read_corpus(tmp_path).documents]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert sources == [p.relative_to(tmp_path).as_posix() for p in sorted(files)]


def test_a_file_edited_between_scan_and_cut_is_indexed_as_it_is_now(tmp_path: Path, embedder):
    """The refresh reads the corpus again rather than cut a text its digest does not match."""
    corpus = tmp_path / "corpus"
    shared = "A paragraph both files hold, word for word, so both are placed again.\n"
    write(corpus, "a.txt", "Alpha's own opening paragraph.\n\n" + shared)
    indexer = editing_indexer(tmp_path, corpus, embedder)
    indexer.refresh()
    indexer.edits = {"a.txt": "Alpha, edited after the scan.\n\n" + shared}
    write(corpus, "0.txt", shared)  # now earlier: a.txt's copy of it is placed again
    indexer.refresh()
    assert indexer.full_reads == 1
    assert_index_matches(indexer.store, corpus)


def editing_indexer(tmp_path: Path, corpus: Path, embedder) -> EditingIndexer:
    """An indexer of `corpus` whose clock runs ahead, so the files' stats are trusted."""
    store = Store(make_client(path=tmp_path / "store"))
    lock = RefreshLock(tmp_path / "lock")
    return EditingIndexer(
        store, embedder, corpus, lock, cache_dir=tmp_path / "chunks", clock=lambda: later() / 1e9
    )


class EditingIndexer(Indexer):
    """An indexer whose files are edited right after its scan: a user saving at that moment."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.edits: dict[str, str] = {}
        self.full_reads = 0

    def _scan(self, trust: bool):
        scan = super()._scan(trust)
        self.full_reads += not trust
        for name, text in self.edits.items():
            write(self.corpus_dir, name, text)
        self.edits = {}
        return scan


def test_a_forced_refresh_reads_every_file(tmp_path: Path, embedder):
    """`seedbot index --force` is the way out when a file's stat cannot be trusted."""
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", "Alpha's only paragraph.\n")
    indexer = editing_indexer(tmp_path, corpus, embedder)
    indexer.refresh()
    indexer.refresh(force=True)
    assert indexer.full_reads == 1
