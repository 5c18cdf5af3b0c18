"""Refresh: incremental, idempotent, atomic, and never two at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from retrieval.errors import IndexMissingError, RefreshRunningError
from tests.conftest import make_service
from tests.resilience.invariants import held_ids

SEED_003 = "003_6fe5a58e943e7eb6.txt"


class CountingEmbeddings(Embeddings):
    """The real embedder, counting what it is asked to embed; can be told to fail midway."""

    def __init__(self, inner, fail_after: int | None = None) -> None:
        self.inner, self.fail_after, self.count = inner, fail_after, 0
        self.name = inner.name

    def embed_documents(self, texts):
        self.count += len(texts)
        if self.fail_after is not None and self.count > self.fail_after:
            raise RuntimeError("embedding service died")
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture
def counting(embedder):
    return CountingEmbeddings(embedder)


def live_ids(service) -> set[str]:
    return held_ids(service.store, service.store.active())


def test_first_refresh_adds_every_passage(settings, counting):
    service = make_service(settings, counting)
    report = service.refresh()
    assert report.added == len(live_ids(service)) > 0
    assert report.deleted == report.updated == report.unchanged == 0
    assert report.files["added"] == sorted(p.name for p in settings.corpus_dir.iterdir())
    assert counting.count == report.embedded_texts > 0


def test_a_refresh_with_nothing_changed_embeds_nothing(settings, counting):
    service = make_service(settings, counting)
    first = service.refresh()
    counting.count = 0
    again = service.refresh()
    assert counting.count == 0
    assert (again.added, again.updated, again.deleted) == (0, 0, 0)
    assert again.unchanged == first.added
    assert again.version == first.version


def test_an_edited_file_re_embeds_only_its_changed_passages(settings, counting, corpus: Path):
    service = make_service(settings, counting)
    service.refresh()
    counting.count = 0
    path = corpus / SEED_003
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Collapsable boxes are amazing.", "Foldable boxes are great."),
        encoding="utf-8",
    )
    report = service.refresh()
    assert report.added == 1 and report.deleted == 1
    assert report.files["updated"] == [SEED_003]
    assert 0 < counting.count <= 10, "only the edited passage's sentences are embedded"
    answer = service.ask("what does the commenter say about foldable boxes?")
    assert any("Foldable boxes are great." in c.quote for c in answer.citations)


def test_inserting_lines_moves_passages_without_re_embedding_them(settings, counting, corpus):
    service = make_service(settings, counting)
    service.refresh()
    counting.count = 0
    path = corpus / SEED_003
    path.write_text("\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    report = service.refresh()
    assert counting.count == 0
    assert report.added == report.deleted == 0 and report.updated > 0
    answer = service.ask("What changed once the o1 series of models arrived?")
    assert answer.citations[0].line_start == 7  # was line 5, two lines were inserted above


def test_a_deleted_file_disappears_from_the_index(settings, counting, corpus):
    service = make_service(settings, counting)
    service.refresh()
    (corpus / SEED_003).unlink()
    report = service.refresh()
    assert report.files["deleted"] == [SEED_003]
    assert report.deleted > 0 and report.added == 0
    sources = service.sources().documents
    assert SEED_003 not in sources
    answer = service.ask("What are collapsable boxes good for?")
    assert all(c.source != SEED_003 for c in answer.citations)


def test_a_failed_refresh_leaves_the_previous_index_answering(settings, embedder, corpus):
    service = make_service(settings, embedder)
    service.refresh()
    before = service.store.active().name
    (corpus / "new.txt").write_text(
        "Brand new text about gardening tomatoes. " * 20, encoding="utf-8"
    )
    failing = make_service(settings, CountingEmbeddings(embedder, fail_after=0))
    with pytest.raises(RuntimeError, match="died"):
        failing.refresh()
    assert service.store.active().name == before
    assert not service.ask("Why would SGD punish schemers?").refused
    names = {c.name for c in service.store.client.list_collections()}
    assert not any(n.startswith("seedbot_v") and not n.startswith(before) for n in names)


def test_a_second_refresh_while_one_runs_is_refused(settings, embedder):
    started, release = threading.Event(), threading.Event()

    class Slow(CountingEmbeddings):
        def embed_documents(self, texts):
            started.set()
            release.wait(10)
            return super().embed_documents(texts)

    service = make_service(settings, Slow(embedder))
    worker = threading.Thread(target=service.refresh)
    worker.start()
    try:
        assert started.wait(10)
        assert service.refreshing
        with pytest.raises(RefreshRunningError):
            service.refresh()
    finally:
        release.set()
        worker.join(30)
    assert not service.refreshing
    assert service.refresh().unchanged > 0


def test_questions_before_any_refresh_say_there_is_no_index(settings, embedder):
    with pytest.raises(IndexMissingError, match="seedbot index"):
        make_service(settings, embedder).ask("anything?")


def test_a_new_embedder_rebuilds_every_vector(settings, embedder):
    from langchain_core.embeddings import DeterministicFakeEmbedding

    make_service(settings, embedder).refresh()
    other = DeterministicFakeEmbedding(size=384)
    report = make_service(settings, other).refresh()
    assert report.added > 0 and report.unchanged == 0
