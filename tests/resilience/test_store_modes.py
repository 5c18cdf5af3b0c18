"""The store, indexer and service behave the same on the embedded store and on a Chroma server."""

from __future__ import annotations

import threading

import pytest

from retrieval.index.live import POINTER_TTL_S
from tests.conftest import Clock, make_service
from tests.resilience.invariants import (
    assert_citations_verbatim,
    assert_index_matches,
    assert_no_debris,
    held_ids,
)
from tests.retrieval.test_indexer import CountingEmbeddings

SEED_003 = "003_6fe5a58e943e7eb6.txt"


def test_a_refresh_indexes_the_corpus_exactly_and_answers_from_it(
    settings, embedder, chroma_client
):
    service = make_service(settings, embedder, chroma_client)
    report = service.refresh()
    version = assert_index_matches(service.store, settings.corpus_dir)
    assert report.version == version.name and report.added > 0
    answer = service.ask("What happened with the o1 series?")
    assert not answer.refused
    assert any(c.source == SEED_003 and c.line_start <= 5 <= c.line_end for c in answer.citations)
    assert_citations_verbatim(settings.corpus_dir, answer)


def test_edits_and_deletions_are_incremental(settings, embedder, chroma_client):
    counting = CountingEmbeddings(embedder)
    service = make_service(settings, counting, chroma_client)
    service.refresh()
    path = settings.corpus_dir / SEED_003
    path.write_text(
        path.read_text(encoding="utf-8").replace("Collapsable boxes", "Folding crates"),
        encoding="utf-8",
    )
    counting.count = 0
    edited = service.refresh()
    assert edited.files["updated"] == [SEED_003] and edited.added == edited.deleted == 1
    assert 0 < counting.count <= 10
    assert_index_matches(service.store, settings.corpus_dir)
    path.unlink()
    deleted = service.refresh()
    assert deleted.files["deleted"] == [SEED_003] and deleted.added == 0
    assert_index_matches(service.store, settings.corpus_dir)
    assert_no_debris(service.store)


def test_a_refresh_by_one_service_is_seen_by_another_without_restart(
    settings, embedder, chroma_client
):
    writer = make_service(settings, embedder, chroma_client)
    writer.refresh()
    clock = Clock()
    reader = make_service(settings, embedder, chroma_client, clock=clock)
    assert reader.ask("What are folding crates good for?").refused
    path = settings.corpus_dir / "crates.txt"
    path.write_text("Folding crates are good for storing winter clothes.\n", encoding="utf-8")
    flipped = writer.refresh().version
    assert reader.live.current().version.name != flipped  # within the TTL: no store round trip
    clock.now += POINTER_TTL_S  # then the pointer is read again
    assert reader.live.current().version.name == flipped
    answer = reader.ask("What are folding crates good for?")
    assert [c.source for c in answer.citations] == ["crates.txt"]


def test_a_failed_refresh_leaves_the_live_version_and_no_debris(settings, embedder, chroma_client):
    service = make_service(settings, embedder, chroma_client)
    live = service.refresh().version
    (settings.corpus_dir / "new.txt").write_text("Tomatoes need sun. " * 40, encoding="utf-8")
    failing = make_service(settings, CountingEmbeddings(embedder, fail_after=0), chroma_client)
    with pytest.raises(RuntimeError, match="died"):
        failing.refresh()
    assert service.store.active().name == live
    assert service.store.versions() == {live}
    assert not service.ask("Why would SGD punish schemers?").refused


class Gate(CountingEmbeddings):
    """The real embedder that stops inside its first batch until the test lets it go on."""

    def __init__(self, inner) -> None:
        super().__init__(inner)
        self.inside, self.go_on = threading.Event(), threading.Event()

    def embed_documents(self, texts):
        self.inside.set()
        assert self.go_on.wait(60)
        return super().embed_documents(texts)


def test_overlapping_refreshes_from_two_processes_never_lose_the_live_index(
    settings, embedder, chroma_client, tmp_path
):
    """Two bots on one server (separate lock files), both refreshing at once.

    Before the fix, the later refresh's clean-up deleted the earlier one's collections
    mid-build, whose own clean-up then deleted the version just made live.
    """
    first = make_service(settings, embedder, chroma_client)
    first.refresh()
    (settings.corpus_dir / "crates.txt").write_text(
        "Folding crates are good for storing winter clothes.\n", encoding="utf-8"
    )
    slow = Gate(embedder)
    elsewhere = settings.replace(store_dir=tmp_path / "other-machine")
    a = make_service(settings, slow, chroma_client)
    b = make_service(elsewhere, embedder, chroma_client)
    outcome: dict = {}
    worker = threading.Thread(target=lambda: outcome.update(a=a.refresh()))
    worker.start()
    try:
        assert slow.inside.wait(60)
        b_version = b.refresh().version  # started later, finishes first
    finally:
        slow.go_on.set()
        worker.join(60)
    assert outcome["a"].version == b_version, "the older build must not replace the newer"
    assert_index_matches(first.store, settings.corpus_dir)
    assert_no_debris(first.store)
    fresh = make_service(settings, embedder, chroma_client)
    assert fresh.ask("What are folding crates good for?").citations


def test_a_reader_two_refreshes_behind_answers_from_its_whole_version_then_follows(
    settings, embedder, chroma_client
):
    """Another process refreshed twice since this one last looked.

    Searches do not read the pointer: until its next look (POINTER_TTL_S), the reader
    answers from the version it has, which the refreshes kept whole; then it follows.
    """
    writer = make_service(settings, embedder, chroma_client)
    writer.refresh()
    clock = Clock()
    reader = make_service(settings, embedder, chroma_client, clock=clock)
    loaded = reader.live.current().version
    expected = held_ids(writer.store, loaded)
    for n in (1, 2):
        (settings.corpus_dir / f"crates{n}.txt").write_text(
            f"Folding crates of size {n} are good for storing winter clothes.\n", encoding="utf-8"
        )
        writer.refresh()
    assert loaded.name not in writer.store.versions()
    assert held_ids(writer.store, loaded) == expected  # not a record lost, none of theirs seen
    assert reader.ask("What are folding crates good for?").refused
    clock.now += POINTER_TTL_S
    answer = reader.ask("What are folding crates good for?")
    assert reader.live.current().version.name == writer.store.active().name
    assert {c.source for c in answer.citations} <= {"crates1.txt", "crates2.txt"}
    assert answer.citations
