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
