"""The BM25 index saved per index version: a process starting on a known version skips its build."""

from __future__ import annotations

import numpy as np

from retrieval.search.hybrid import Retriever
from retrieval.search.keywords import KeywordIndex

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
    assert [p.name for p in tmp_path.iterdir()] == [f"{version.name}.npz"]

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
    (tmp_path / f"{version.name}.npz").write_bytes(b"not an npz file")
    retriever = Retriever(store, version, tmp_path)
    assert retriever.size > 0
    assert "rebuilding" in caplog.text
    KeywordIndex.load(tmp_path / f"{version.name}.npz")  # and written again whole


def test_without_a_cache_folder_nothing_is_written(seed_service, tmp_path):
    retriever = Retriever(seed_service.store, seed_service.store.active())
    assert retriever.size > 0 and not any(tmp_path.iterdir())
