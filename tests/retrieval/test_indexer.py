"""Refresh: incremental, idempotent, atomic, and never two at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from retrieval.errors import IndexMissingError, RefreshRunningError
from retrieval.index.indexer import REPLACED_KEPT_S
from retrieval.index.store import HNSW_EF_SEARCH, POINTER_COLLECTION, VERSION_PREFIX
from tests.conftest import Clock, make_service
from tests.resilience.invariants import assert_no_debris, expected_chunks, held_ids

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


def test_a_refresh_writes_only_the_changed_passages_records(settings, counting, corpus):
    service = make_service(settings, counting)
    service.refresh()
    version = service.store.active()
    before = set(service.store.collection(version.chunks).get(include=[])["ids"])
    path = corpus / SEED_003
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Collapsable boxes are amazing.", "Foldable boxes."), "utf-8")
    report = service.refresh()
    live = service.store.active()
    assert live.generation == version.generation, "same collections: no copy of the rest"
    after = set(service.store.collection(live.chunks).get(include=[])["ids"])
    assert len(after - before) == report.added + report.updated == 1
    assert len(live.deleted) == 1 and live.deleted <= before
    assert held_ids(service.store, live) == set(expected_chunks(corpus))


def test_a_documents_passages_include_those_whose_copy_stands_in_it(settings, embedder, corpus):
    shared = "Folding crates stack neatly in a cupboard.\n"
    (corpus / "a.txt").write_text(shared, encoding="utf-8")
    (corpus / "b.txt").write_text("Other words come first.\n\n" + shared, encoding="utf-8")
    service = make_service(settings, embedder)
    service.refresh()
    retriever = service.live.current()
    in_b = retriever.load_passages(retriever.passage_ids_of("b.txt"))
    assert {p.source for p in in_b} == {"a.txt", "b.txt"}
    [copy] = [p for p in in_b if p.source == "a.txt"]
    assert copy.text == shared.strip() and copy.duplicates == [("b.txt", 3, 3)]
    assert copy.id in retriever.passage_ids_of("a.txt")


@pytest.mark.parametrize("schema", [1, 2])  # 1: JSON layout; 2: copy fields without a count
def test_an_index_in_an_older_layout_is_rebuilt_not_read(settings, embedder, schema):
    service = make_service(settings, embedder)
    service.refresh()
    pointer = service.store.client.get_collection(POINTER_COLLECTION)
    old = {k: v for k, v in pointer.metadata.items() if k not in ("schema", "generation")}
    pointer.modify(metadata={**old, "schema": schema})
    with pytest.raises(IndexMissingError, match="earlier version"):
        service.store.active()
    report = make_service(settings, embedder).refresh()
    assert report.added > 0 and service.store.active().name == report.version


def test_a_replaced_version_stays_whole_until_the_live_one_settles(settings, counting, corpus):
    """Readers follow the pointer every POINTER_TTL_S, not per search: what they use stays."""
    service = make_service(settings, counting)
    clock = Clock()
    clock.now = 2_000_000_000.0  # wall-clock seconds: the indexer's clock
    service.live.indexer.clock = clock
    service.refresh()
    first = service.store.active()
    expected = set(expected_chunks(corpus))
    path = corpus / SEED_003
    for old, new in (("Collapsable boxes", "Boxes 1"), ("Boxes 1", "Boxes 2")):
        text = path.read_text(encoding="utf-8")  # the same passage, twice in quick succession
        path.write_text(text.replace(old, new, 1), "utf-8")
        assert service.refresh().added == 1
    assert held_ids(service.store, first) == expected, "the version two back lost records"
    assert held_ids(service.store, service.store.active()) == set(expected_chunks(corpus))
    assert_no_debris(service.store)
    clock.now += REPLACED_KEPT_S  # once the live one has settled, the next refresh tidies up
    previous = service.store.active()
    path.write_text(path.read_text(encoding="utf-8") + "\nA last line.\n", "utf-8")
    service.refresh()
    live = service.store.active()
    stored = service.store.collection(live.chunks).get(include=[])["ids"]
    kept = set(service.store.held(live, [])["ids"]) | set(service.store.held(previous, [])["ids"])
    assert set(stored) == kept, "records only older versions held are gone"
    assert_no_debris(service.store)


def test_records_lost_from_the_live_collections_are_rebuilt_by_the_next_change(
    settings, counting, corpus
):
    """A no-change refresh trusts the store; one that writes checks it first."""
    service = make_service(settings, counting)
    first = service.refresh()
    version = service.store.active()
    lost = sorted(service.store.held(version, [])["ids"])[:3]
    service.store.collection(version.chunks).delete(ids=lost)
    assert service.refresh().version == version.name
    (corpus / "new.txt").write_text("A new file about planting garlic in autumn.\n", "utf-8")
    report = service.refresh()
    live = service.store.active()
    assert live.generation != version.generation, "a full build into new collections"
    assert report.added == first.added + 1
    assert held_ids(service.store, live) == set(expected_chunks(corpus))


def test_the_index_collections_search_their_graph_with_the_wider_ef_search(settings, embedder):
    service = make_service(settings, embedder)
    service.refresh()
    client = service.store.client
    versions = [c for c in client.list_collections() if c.name.startswith(VERSION_PREFIX)]
    assert versions
    for collection in versions:
        hnsw = client.get_collection(collection.name).configuration_json["hnsw"]
        assert hnsw["ef_search"] == HNSW_EF_SEARCH and hnsw["space"] == "cosine"


def test_text_a_new_chunker_cuts_into_other_sentences_is_embedded_again(
    settings, counting, corpus, monkeypatch
):
    """An upgrade may cut the same passage text into other sentences: its old sentence
    vectors no longer fit it, so the refresh embeds it again rather than failing on them."""
    from retrieval.index import chunkcache
    from retrieval.ingest import chunking

    note = "Quokkas are small marsupials. They live on Rottnest Island.\n"
    (corpus / "quokka.txt").write_text(note, encoding="utf-8")
    service = make_service(settings, counting)
    first = service.refresh()
    real = chunking.sentence_spans

    def joined(text, wrapped=False, code=frozenset()):  # the note as one sentence
        spans = real(text, wrapped, code)
        return [(spans[0][0], spans[-1][1])] if spans and text.startswith("Quokkas") else spans

    monkeypatch.setattr(chunking, "sentence_spans", joined)
    monkeypatch.setattr(chunkcache, "CHUNKER_VERSION", chunking.CHUNKER_VERSION + 1)
    counting.count = 0
    report = make_service(settings, counting).refresh()
    assert (report.added, counting.count) == (1, 1)  # the note, as one sentence
    assert report.unchanged == first.added - 1
    answer = make_service(settings, counting).ask("where do quokkas live?")
    assert "Rottnest Island" in answer.citations[0].quote
