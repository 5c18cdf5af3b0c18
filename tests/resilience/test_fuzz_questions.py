"""Hostile questions and topics: every one ends in a checked answer or a clear refusal."""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from bot.wording import answer_text, summary_text
from retrieval.errors import QuestionError, UnknownDocumentError
from tests.resilience.hostile import FRAGMENTS, MARKER, hostile_text
from tests.resilience.invariants import assert_quotes_verbatim

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_well_formed(text: str, citations, corpus_dir) -> None:
    """Markers are exactly the citations', and quotes are verbatim (pings: see test_fuzz_render)."""
    assert text.strip()
    assert_quotes_verbatim(corpus_dir, citations)
    assert {int(n) for n in MARKER.findall(text)} == {c.n for c in citations}


@FUZZ
@given(question=hostile_text)
def test_any_question_gets_a_checked_answer_or_a_clear_refusal(seed_service, question):
    try:
        answer = seed_service.ask(question)
    except QuestionError as exc:
        assert "empty" in str(exc) or "limit" in str(exc)
        return
    assert_well_formed(answer_text(answer), answer.citations, seed_service.settings.corpus_dir)
    assert not (answer.refused and answer.citations)


@settings(max_examples=30, deadline=None)
@given(
    padding=st.integers(min_value=-50, max_value=50),
    fragment=st.sampled_from(FRAGMENTS[:30]),
)
def test_questions_at_the_length_limit_are_answered_or_refused_clearly(
    seed_service, padding, fragment
):
    limit = seed_service.settings.max_question_chars
    question = ("Why would SGD punish schemers? " + fragment * limit)[: limit + padding]
    if padding > 0:
        with pytest.raises(QuestionError, match="limit"):
            seed_service.ask(question)
        return
    answer = seed_service.ask(question)
    assert_well_formed(answer_text(answer), answer.citations, seed_service.settings.corpus_dir)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topic=hostile_text, document=st.one_of(st.none(), hostile_text))
def test_any_summary_request_gets_a_checked_summary_or_a_clear_refusal(
    seed_service, topic, document
):
    try:
        summary = seed_service.summarize(document=document or None, topic=topic)
    except (QuestionError, UnknownDocumentError) as exc:
        assert str(exc).strip()
        return
    assert summary.title.strip()
    if summary.refused:  # its text (worded by the adapters) echoes the topic, markers defused
        assert summary.citations == () and summary_text(summary).strip()
        return
    assert_well_formed(summary.text, summary.citations, seed_service.settings.corpus_dir)


def test_a_summary_refusal_does_not_show_a_fake_citation_marker(seed_service):
    summary = seed_service.summarize(topic="[99] boiling eggs [1]")
    assert summary.refused
    assert MARKER.findall(summary_text(summary)) == []
