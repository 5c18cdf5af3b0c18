"""/ask, mentions and thread follow-ups through discord.py's real client on the double."""

from __future__ import annotations

import pytest

from bot.feedback import FeedbackStore
from bot.render import without_mentions
from tests.bot.helpers import acknowledgement, markers, quoted, reply, verbatim_in_corpus

QUESTION = "What is a speed argument against schemers?"


async def test_ask_defers_then_answers_with_verbatim_citations_and_a_thread(
    double, seed_bot, seed_service
):
    sent = await double.send_slash_command("ask", {"question": QUESTION})
    ack = await acknowledgement(double, sent)
    assert ack.json_body["type"] == 5  # deferred: "thinking…" while the service works
    body = await reply(double, sent)
    assert markers(body["content"]) == [1]
    assert body["allowed_mentions"] == {"parse": []}
    field = body["embeds"][0]["fields"][0]
    source = field["name"].split("] ")[1].split(",")[0]
    assert verbatim_in_corpus(seed_service.settings.corpus_dir, source, quoted(field["value"]))
    buttons = [c["custom_id"] for row in body["components"] for c in row["components"]]
    assert [b.split(":")[1] for b in buttons] == ["vote", "vote", "sources"]
    thread = await double.wait_for_call(method="POST", path="/threads")
    assert thread.json_body["name"] == QUESTION


FIRST = "What arguments are there about scheming, deception and training?"
FOLLOW_UP = "what about the second one?"


async def mention_answer(double, content: str, channel_id: int | None = None) -> tuple[dict, dict]:
    """Post `content` as the member; return the member's message and the bot's reply to it."""
    asked = await double.send_message(channel_id or double.channel_id, double.member, content)
    answer = await double.wait_for_message(
        lambda m: (m.get("message_reference") or {}).get("message_id") == asked["id"], timeout=20
    )
    return asked, answer


def cited_lines(message: dict) -> list[str]:
    return [f["name"].split("] ", 1)[1] for e in message["embeds"] for f in e["fields"]]


async def test_mention_is_answered_as_a_reply_that_pings_no_one(double, seed_bot):
    _, answer = await mention_answer(double, f"{double.bot.mention} {QUESTION}")
    assert markers(answer["content"]) == [1]
    assert answer["mentions"] == [] and not answer["mention_everyone"]
    create = double.calls_to("POST", f"/channels/{double.channel_id}/messages")[-1].json_body
    assert create["allowed_mentions"] == {"parse": [], "replied_user": False}


async def test_follow_up_in_the_thread_is_answered_with_the_thread_in_mind(double, seed_bot):
    _, first = await mention_answer(double, f"{double.bot.mention} {FIRST}")
    assert len(first["embeds"][0]["fields"]) >= 2, "the test needs an answer with two sources"
    await double.wait_for_call(method="POST", path=f"/messages/{first['id']}/threads")
    _, follow = await mention_answer(double, FOLLOW_UP, channel_id=int(first["id"]))
    assert cited_lines(follow)[0] == cited_lines(first)[1]  # "the second one" resolved
    _, fresh = await mention_answer(double, f"{double.bot.mention} {FOLLOW_UP}")
    assert cited_lines(fresh)[:1] != cited_lines(first)[1:2]  # not so without the thread


async def test_history_comes_from_the_recorded_answers_not_from_rendered_text(
    double, seed_bot, tmp_path
):
    # With the record gone (a new feedback file), the thread's rendered answer is not parsed
    # back: the follow-up is answered without history, like a question asked afresh.
    _, first = await mention_answer(double, f"{double.bot.mention} {FIRST}")
    await double.wait_for_call(method="POST", path=f"/messages/{first['id']}/threads")
    seed_bot.feedback = FeedbackStore(tmp_path / "new.sqlite3")  # the old file was lost
    _, follow = await mention_answer(double, FOLLOW_UP, channel_id=int(first["id"]))
    # The ordinal is not resolved against the first answer's citations any more.
    assert cited_lines(follow)[:1] != cited_lines(first)[1:2]
    seed_bot.feedback.close()


async def test_members_talking_to_each_other_in_the_thread_are_left_alone(double, seed_bot):
    _, first = await mention_answer(double, f"{double.bot.mention} {QUESTION}")
    await double.wait_for_call(method="POST", path=f"/messages/{first['id']}/threads")
    before = len(double.calls)
    await double.send_message(int(first["id"]), double.member, f"{double.moderator.mention} see?")
    await double.send_message(double.channel_id, double.member, "no mention here")
    sent = await double.send_slash_command("sources")  # something the bot does answer
    await reply(double, sent)
    posted = [c for c in double.calls[before:] if c.path.endswith("/messages")]
    assert posted == []


async def test_thanks_in_the_thread_gets_no_reply_and_a_question_after_it_does(double, seed_bot):
    _, first = await mention_answer(double, f"{double.bot.mention} {QUESTION}")
    await double.wait_for_call(method="POST", path=f"/messages/{first['id']}/threads")
    before = len(double.calls)
    await double.send_message(int(first["id"]), double.member, "ok thanks, got it!")
    _, follow = await mention_answer(double, "why?", channel_id=int(first["id"]))
    posted = [
        c for c in double.calls[before:] if c.method == "POST" and c.path.endswith("/messages")
    ]
    assert len(posted) == 1 and follow["embeds"]  # only the answer to "why?"


async def test_no_answer_in_the_corpus_says_so_and_points_to_sources(double, seed_bot):
    sent = await double.send_slash_command("ask", {"question": "What is the capital of France?"})
    body = await reply(double, sent)
    assert "couldn't find" in body["content"] and "/sources" in body["content"]
    assert body["embeds"] == []


async def test_too_long_question_is_refused_at_once_and_privately(double, seed_bot):
    limit = seed_bot.settings.max_question_chars
    sent = await double.send_slash_command("ask", {"question": "why " * (limit // 4 + 1)})
    ack = await acknowledgement(double, sent)
    assert ack.json_body["type"] == 4 and ack.json_body["data"]["flags"] == 64
    assert f"the limit is {limit:,}" in ack.json_body["data"]["content"]


async def test_cooldown_tells_the_member_when_to_try_again(double, make_bot, seed_service):
    await make_bot(seed_service, cooldown_questions=1, cooldown_s=60)
    first = await double.send_slash_command("ask", {"question": QUESTION})
    await reply(double, first)
    second = await double.send_slash_command("ask", {"question": QUESTION})
    body = await reply(double, second)
    assert "try again in" in body["content"] and body["flags"] == 64
    other = await double.send_slash_command("ask", {"question": QUESTION}, member=double.moderator)
    assert markers((await reply(double, other))["content"]) == [1]


async def test_a_failure_after_deferring_still_gets_an_answer(
    double, seed_bot, monkeypatch, caplog
):
    def broken(question, history=(), on_stage=None):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(seed_bot.service, "ask", broken)
    sent = await double.send_slash_command("ask", {"question": QUESTION})
    body = await reply(double, sent)
    assert body["content"].startswith("Something went wrong on my side")
    assert "index exploded" not in body["content"]
    assert any(r.exc_info and "index exploded" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.parametrize("content", ["@everyone what is a speed argument against schemers?"])
async def test_mass_mentions_in_a_question_stay_inert(double, seed_bot, content):
    _, answer = await mention_answer(double, f"{double.bot.mention} {content}")
    assert not answer["mention_everyone"]
    thread = await double.wait_for_call(method="POST", path=f"/messages/{answer['id']}/threads")
    assert "@everyone" not in thread.json_body["name"]
    # Mentions say nothing about the texts: the question (and its thread) is asked without them.
    assert thread.json_body["name"].replace("\u200b", "") == without_mentions(content)


async def test_an_answer_with_a_code_example_shows_it_as_a_code_block(
    double, make_bot, tmp_path, embedder
):
    from retrieval.settings import Settings
    from tests.conftest import make_service

    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "logging.rst").write_text(
        "Logging to a file\n=================\n\n"
        "To log every message to a file, call basicConfig with a file name::\n\n"
        "   import logging\n"
        "   logging.basicConfig(filename='example.log', level=logging.DEBUG)\n\n"
        "Each run appends to the file.\n",
        encoding="utf-8",
    )
    service = make_service(Settings(corpus_dir=corpus, store_dir=tmp_path / "store"), embedder)
    service.refresh()
    await make_bot(service)
    _, answer = await mention_answer(
        double, f"{double.bot.mention} how do I log messages to a file?"
    )
    content = answer["content"]
    assert (
        "```\nimport logging\nlogging.basicConfig(filename='example.log', level=logging.DEBUG)\n```"
        in content
    )
    assert "call basicConfig with a file name:" in content
