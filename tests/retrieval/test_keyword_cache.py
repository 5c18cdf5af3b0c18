"""The BM25 index saved per index version: a process starting on a known version skips its build."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.search import snapshot
from retrieval.search.hybrid import Retriever
from retrieval.search.keywords import KeywordIndex
from tests.conftest import make_service

TEXTS = [
    "Schemers are models that fake alignment during training.",
    "SGD penalises the extra reasoning that a schemer performs.",
    "The report's section 4.4.2 estimates the cost of that reasoning.",
    "",
]


def test_a_saved_index_scores_exactly_as_the_built_one(tmp_path):
    built = KeywordIndex(TEXTS)
    built.save(tmp_path / "k.npz", ["a", "b", "c", "d"], common=5)
    loaded, ids = KeywordIndex.load(tmp_path / "k.npz")
    assert ids == ["a", "b", "c", "d"]
    for query in ("schemer reasoning", "section 4.4.2", "nothing matches"):
        assert np.array_equal(built.scores(query), loaded.scores(query))
        assert built.top(query, 3) == loaded.top(query, 3)
    assert loaded.idf("schem") == built.idf("schem")
    assert loaded.word_counts.most_common(5) == built.word_counts.most_common(5)


def test_an_empty_index_round_trips(tmp_path):
    KeywordIndex([]).save(tmp_path / "k.npz", [], common=5)
    loaded, ids = KeywordIndex.load(tmp_path / "k.npz")
    assert ids == [] and loaded.top("anything", 3) == []


def test_a_second_retriever_of_a_version_reads_the_cache(seed_service, tmp_path, monkeypatch):
    store, version = seed_service.store, seed_service.store.active()
    first = Retriever(store, version, tmp_path)
    assert list(tmp_path.iterdir()) == [snapshot.path_of(tmp_path, version.name)]

    def no_fetch(self):
        raise AssertionError("the passages were fetched again")

    monkeypatch.setattr(Retriever, "_all_documents", no_fetch)
    second = Retriever(store, version, tmp_path)
    vector = seed_service.stages.retriever.embed("what is a schemer")
    assert [p.id for p in second.search("what is a schemer", vector, 5)] == [
        p.id for p in first.search("what is a schemer", vector, 5)
    ]
    assert second.common_words == first.common_words


def test_a_damaged_cache_file_is_rebuilt(seed_service, tmp_path, caplog):
    store, version = seed_service.store, seed_service.store.active()
    cached = snapshot.path_of(tmp_path, version.name)
    cached.write_bytes(b"not an npz file")
    retriever = Retriever(store, version, tmp_path)
    assert retriever.size > 0
    assert "rebuilding" in caplog.text
    KeywordIndex.load(cached)  # and written again whole


def test_without_a_cache_folder_nothing_is_written(seed_service, tmp_path):
    retriever = Retriever(seed_service.store, seed_service.store.active())
    assert retriever.size > 0 and not any(tmp_path.iterdir())


def test_a_cache_tokenised_the_old_way_is_not_read(seed_service, tmp_path):
    # Saved before hyphenated words were also indexed as their parts: another file name.
    store, version = seed_service.store, seed_service.store.active()
    old = tmp_path / f"{version.name}.npz"
    KeywordIndex(["nothing like the passages"]).save(old, ["x"], common=5)
    retriever = Retriever(store, version, tmp_path)
    assert retriever.size > 1
    assert list(tmp_path.iterdir()) == [snapshot.path_of(tmp_path, version.name)]


def test_a_hyphenated_word_is_found_by_its_parts_and_the_parts_by_it():
    index = KeywordIndex(
        [
            "A higher-order function takes functions as input.",
            "Sort the records in order, higher keys first.",
            "The report sets aside path dependence in training.",
        ]
    )
    assert index.top("higher order function", 1)[0][0] == 0
    assert index.top("path-dependence", 1)[0][0] == 2


def test_a_derived_index_scores_as_one_built_from_its_passages():
    base = KeywordIndex(TEXTS)
    added = ["A schemer reasons about training.", "Section 4.4.2 again, and SGD."]
    derived = base.derived(np.array([0, 2]), added, removed=[TEXTS[1], TEXTS[3]])
    built = KeywordIndex([TEXTS[0], TEXTS[2], *added])
    for query in ("schemer reasoning", "section 4.4.2", "sgd training", "nothing matches"):
        assert np.allclose(built.scores(query), derived.scores(query))
        assert built.top(query, 4) == derived.top(query, 4)
    for term in ("schem", "sgd", "penalis", "absent"):
        assert derived.idf(term) == pytest.approx(built.idf(term))
    assert +derived.word_counts == +built.word_counts


def test_after_an_incremental_refresh_the_index_is_derived_not_rebuilt(
    settings, embedder, tmp_path, monkeypatch
):
    service = make_service(settings, embedder)
    service.refresh()
    first = Retriever(service.store, service.store.active(), tmp_path)
    path = next(settings.corpus_dir.iterdir())
    path.write_text(path.read_text() + "\n\nA new paragraph about schemers and SGD.\n")
    service.refresh()
    version = service.store.active()
    assert version.previous == first.version.name  # an incremental refresh
    built = Retriever(service.store, version)
    monkeypatch.setattr(Retriever, "_all_documents", no_fetch)
    from_memory = Retriever(service.store, version, previous=first)
    from_cache = Retriever(service.store, version, tmp_path)  # the previous one's file
    vectors = vectors_by_record(built)
    for derived in (from_memory, from_cache):
        assert sorted(derived.passage_ids) == sorted(built.passage_ids)
        assert vectors_by_record(derived).keys() == vectors.keys()
        for record, vector in vectors_by_record(derived).items():
            assert np.array_equal(vector, vectors[record])
        for query in ("schemers and SGD", "training gaming", "alignment"):
            assert scores_by_id(derived, query) == pytest.approx(scores_by_id(built, query))


def no_fetch(self):
    raise AssertionError("the passages were fetched again")


def scores_by_id(retriever: Retriever, query: str) -> dict[str, float]:
    scores = retriever.keywords.scores(query)
    return dict(zip(retriever.passage_ids, scores.tolist()))


def vectors_by_record(retriever: Retriever) -> dict[str, np.ndarray]:
    found = retriever._snapshot
    assert found.exact and len(found.vectors) == len(found.records) > 0
    return dict(zip(found.records, found.vectors))


def test_past_exact_max_chromas_index_ranks_the_same_passages(seed_service, monkeypatch):
    store, version = seed_service.store, seed_service.store.active()
    exact = Retriever(store, version)
    monkeypatch.setattr(snapshot, "EXACT_MAX", 0)
    approximate = Retriever(store, version)
    assert approximate._snapshot.exact is False and len(approximate._snapshot.vectors) == 0
    embed = seed_service.stages.retriever.embed
    for question in ("what is a schemer", "why would SGD punish schemers", "collapsable boxes"):
        vector = embed(question)
        found = [(p.id, round(p.vector_score, 5)) for p in exact.search(question, vector, 5)]
        again = approximate.search(question, vector, 5)
        assert [(p.id, round(p.vector_score, 5)) for p in again] == found
