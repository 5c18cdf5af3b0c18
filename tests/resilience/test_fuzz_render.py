"""What reaches Discord from hostile corpus text and topics: within limits, and never a ping.

Answers quote the corpus, and summary titles repeat the member's topic, so both carry
whatever those contain to bot/render.py. The render's own unit properties live in
tests/bot/test_render.py; here the input is the service's real output.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, assume, given, settings

from bot.render import EMBED_FIELDS, EMBED_TOTAL, MESSAGE_CHARS, MESSAGE_EMBEDS, cited_parts
from retrieval.errors import CorpusError, QuestionError, UnknownDocumentError
from tests.resilience.hostile import hostile_lines, hostile_text, pings
from tests.resilience.test_fuzz_corpus import service_over

SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


def assert_sendable(parts) -> None:
    """Every message fits Discord's limits, and no text in it can mention anyone."""
    assert parts
    for part in parts:
        assert len(part.content) <= MESSAGE_CHARS
        assert not pings(part.content), part.content
        assert len(part.embeds) <= MESSAGE_EMBEDS
        assert sum(len(e) for e in part.embeds) <= EMBED_TOTAL
        for embed in part.embeds:
            assert len(embed.fields) <= EMBED_FIELDS
            texts = [embed.title or "", embed.description or ""]
            texts += [t for f in embed.fields for t in (f.name, f.value)]
            assert not any(pings(t) for t in texts)


@settings(max_examples=20, deadline=None, suppress_health_check=SLOW)
@given(text=hostile_lines(), data=st.data())
def test_answers_quoting_hostile_text_render_safely(tmp_path, text, data):
    base = Path(tempfile.mkdtemp(dir=tmp_path))
    (base / "corpus").mkdir()
    (base / "corpus" / "hostile.txt").write_text(text, encoding="utf-8", errors="replace")
    service = service_over(base / "corpus", base / "store")
    try:
        service.refresh()
    except CorpusError:
        assume(False)
    try:
        question = data.draw(st.sampled_from(text.split("\n")))
        try:
            answer = service.ask(question)
        except QuestionError:
            return
        assert_sendable(cited_parts(answer.text, answer.citations))
    finally:
        service.store.client.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topic=hostile_text)
def test_summaries_of_hostile_topics_render_safely(seed_service, topic):
    try:
        summary = seed_service.summarize(topic=topic)
    except (QuestionError, UnknownDocumentError):
        return
    # As bot/cogs/summary.py sends it.
    assert_sendable(cited_parts(summary.text, summary.citations, heading=f"**{summary.title}**"))


def test_a_code_fence_in_a_topic_does_not_swallow_the_message(seed_service):
    summary = seed_service.summarize(topic="```py")
    parts = cited_parts(summary.text, summary.citations, heading=f"**{summary.title}**")
    assert all(part.content.count("```") == 0 for part in parts)
