"""The corpus's similarity floor (search/chance.py) and the feature measured from it."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.index.embedder import embed_array
from retrieval.search.chance import OFF_TOPIC, ChanceFloor
from tests.retrieval.test_indexer import CountingEmbeddings


def counted(counting: CountingEmbeddings) -> ChanceFloor:
    """A floor whose embeddings `counting` counts."""
    return ChanceFloor(lambda texts: embed_array(counting, texts))


def test_the_floor_is_the_median_best_similarity_of_everyday_questions(seed_service, embedder):
    retriever = seed_service.live.current()
    vectors = embed_array(embedder, list(OFF_TOPIC))
    # The passage nearest each question, found by scoring every passage of the version.
    every = retriever.passage_ids
    best = [max(p.vector_score for p in retriever.load_passages(every, v)) for v in vectors]
    expected = float(np.median(best))
    assert counted(CountingEmbeddings(embedder)).of(retriever) == pytest.approx(expected, abs=1e-6)
    assert 0.0 < expected < 0.3  # everyday questions find little in a forum on AI alignment


def test_the_floor_is_measured_once_per_index_version(service, embedder):
    counting = CountingEmbeddings(embedder)
    floor = counted(counting)
    first = floor.of(service.live.current())
    assert floor.of(service.live.current()) == first
    assert counting.count == len(OFF_TOPIC)  # the questions are embedded once

    (service.settings.corpus_dir / "lighthouse.md").write_text(
        "# The Skerrin Point lighthouse\n\nThe lighthouse is painted red and white.\n"
    )
    service.refresh()
    version = service.live.current()
    assert floor.of(version) == counted(CountingEmbeddings(embedder)).of(version)
    assert counting.count == len(OFF_TOPIC)  # a new version reuses the embedded questions


def test_an_everyday_question_stands_near_the_floor_and_an_answerable_one_far_above(
    seed_service,
):
    def over_chance(question: str) -> float:
        return seed_service.ask(question).verification["features"]["passage_over_chance"]

    assert over_chance("How do I fix a bike chain that keeps slipping?") < 0.15
    assert over_chance("What is the strongest argument against scheming?") > 0.3
