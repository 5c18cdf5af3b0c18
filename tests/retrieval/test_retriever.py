"""The hybrid retriever passes LangChain's standard retriever tests; its documents round-trip."""

from __future__ import annotations

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from retrieval.search.retriever import HybridRetriever, document_of, passage_of


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    """`langchain-tests`' contract: invoke/ainvoke return Documents; `k` in constructor and call."""

    @pytest.fixture(autouse=True)
    def _index(self, seed_service):
        type(self).service = seed_service  # the properties below take no fixtures

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"live": self.service.live, "embed": self.service.stages.retriever.embed, "k": 4}

    @property
    def retriever_query_example(self) -> str:
        return "why would SGD punish schemers"


def test_documents_carry_what_the_answer_needs_and_give_the_passage_back(seed_service):
    retriever = seed_service.stages.retriever
    documents = retriever.invoke("what are collapsable boxes", k=3)
    assert len(documents) == 3
    for document in documents:
        meta = document.metadata
        assert {"source", "line_start", "line_end", "sentences", "sentence_vectors"} <= set(meta)
        passage = passage_of(document)
        assert passage.text == document.page_content and passage.id == document.id
        assert len(passage.sentences) == len(passage.sentence_vectors) > 0
        assert document_of(passage).metadata["sentences"] == meta["sentences"]


def test_passages_read_again_are_fresh_copies_scored_for_their_own_question(seed_service):
    retriever = seed_service.live.current()
    ids = retriever.passage_ids[:3]
    vector = seed_service.stages.retriever.embed("speed argument against schemers")
    first = retriever.load_passages(ids, vector)
    first[0].fused_score = 123.0
    again = retriever.load_passages(ids, -vector)
    assert [p.id for p in again] == [p.id for p in first]
    assert again[0] is not first[0] and again[0].fused_score == 0.0
    assert again[0].vector_score == pytest.approx(-first[0].vector_score)
    assert (again[0].sentence_vectors == first[0].sentence_vectors).all()


def test_the_passages_kept_read_are_bounded():
    from retrieval.search.hybrid import ReadPassages

    kept = ReadPassages(2)
    kept.put_many({"a": ("A", None), "b": ("B", None)})
    assert kept.get_many(["a"]) == {"a": ("A", None)}  # "a" is now the most recent
    kept.put_many({"c": ("C", None)})
    assert kept.get_many(["a", "b", "c"]) == {"a": ("A", None), "c": ("C", None)}


def test_a_passage_s_neighbours_are_the_passages_of_its_file_just_before_and_after(seed_service):
    retriever = seed_service.live.current()
    passages = retriever.load_passages(retriever.passage_ids)
    by_file: dict[str, list] = {}
    for passage in passages:
        by_file.setdefault(passage.source, []).append(passage)
    in_order = sorted(max(by_file.values(), key=len), key=lambda p: p.line_start)
    first, second, last = in_order[0], in_order[1], in_order[-1]
    assert retriever.neighbour(first, after=True).id == second.id
    assert retriever.neighbour(second, after=False).id == first.id
    assert retriever.neighbour(first, after=False) is None
    assert retriever.neighbour(last, after=True) is None
    assert seed_service.stages.retriever.neighbour(first, True).id == second.id  # the chain's way


def test_the_passage_after_may_start_on_the_line_where_a_passage_ends(seed_service):
    """A forum comment is one long line, which the chunker cuts into passages: the passage
    after one that ends on such a line starts on that same line."""
    retriever = seed_service.live.current()
    passages = retriever.load_passages(retriever.passage_ids)
    pairs = [
        (p, q)
        for p in passages
        for q in passages
        if q.source == p.source and q.line_start == p.line_end and p.line_start < q.line_start
    ]
    assert pairs, "the seed corpus has a long line cut in two"
    for before, after in pairs:
        assert retriever.neighbour(before, after=True).id == after.id
        assert retriever.neighbour(after, after=False).id == before.id
