"""End to end: members and moderators use the real bot process through the Discord double."""

from __future__ import annotations

import re
import sqlite3
import statistics

import pytest

from bot.render import MESSAGE_CHARS, neutralise
from tests.bot.helpers import (
    TIMEOUT,
    ZWSP,
    acknowledgement,
    final_edit,
    flat,
    followups,
    markers,
    quoted,
    reply,
    verbatim_in_corpus,
)

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

QUESTION = "What is a speed argument against schemers?"
FIRST = "What arguments are there about scheming, deception and training?"
LONG = "Tell me about the lighthouse keepers of the Varn archipelago"
COMMANDS = {"ask", "summary", "sources", "reindex", "feedback"}


def sources_of(message: dict) -> list[tuple[str, str]]:
    """(heading, quote) of each cited source in a message's embeds."""
    return [(f["name"], quoted(f["value"])) for e in message["embeds"] for f in e["fields"]]


def assert_cited_verbatim(bot_process, message: dict) -> None:
    cited = sources_of(message)
    assert cited, "expected sources under the answer"
    for heading, quote in cited:
        source = heading.split("] ", 1)[1].rsplit(", line", 1)[0]
        assert verbatim_in_corpus(bot_process.corpus, source, quote), heading


def assert_pings_no_one(body: dict) -> None:
    assert body["allowed_mentions"]["parse"] == []
    assert not body["allowed_mentions"].get("replied_user")


async def mention(double, content: str, channel_id: int | None = None) -> dict:
    asked = await double.send_message(channel_id or double.channel_id, double.member, content)
    return await double.wait_for_message(
        lambda m: (m.get("message_reference") or {}).get("message_id") == asked["id"],
        timeout=TIMEOUT,
    )


async def test_commands_were_registered_with_sync_commands(double, bot_process):
    put = double.calls_to(
        "PUT", f"/applications/{double.application_id}/guilds/{double.guild_id}/commands"
    )
    assert {c["name"] for c in put[-1].json_body} == COMMANDS
    assert not double.calls_to(
        "PUT", f"/applications/{double.application_id}/commands"
    )  # no sync on start


async def test_mention_gets_a_cited_reply_that_opens_a_thread(double, bot_process):
    answer = await mention(double, f"{double.bot.mention} {QUESTION}")
    assert markers(answer["content"]) == [1]
    assert_cited_verbatim(bot_process, answer)
    create = double.calls_to("POST", f"/channels/{double.channel_id}/messages")[-1].json_body
    assert_pings_no_one(create)
    await double.wait_for_call(
        method="POST", path=f"/messages/{answer['id']}/threads", timeout=TIMEOUT
    )


async def test_ask_is_acknowledged_first_and_answered_with_citations(double, bot_process):
    sent = await double.send_slash_command("ask", {"question": QUESTION})
    ack = await acknowledgement(double, sent)
    assert ack.json_body["type"] == 5
    answer = (await followups(double, sent, 1))[0]
    assert ack.time_monotonic < answer.time_monotonic
    assert next(c for c in double.calls if sent.token in c.path) is ack
    assert_pings_no_one(answer.json_body)
    assert_cited_verbatim(bot_process, double.messages[sent.original_id])
    await double.wait_for_call(
        method="POST", path=f"/messages/{sent.original_id}/threads", timeout=TIMEOUT
    )


async def test_follow_up_in_the_thread_resolves_to_the_earlier_subject(double, bot_process):
    first = await mention(double, f"{double.bot.mention} {FIRST}")
    assert len(sources_of(first)) >= 2
    await double.wait_for_call(
        method="POST", path=f"/messages/{first['id']}/threads", timeout=TIMEOUT
    )
    follow = await mention(double, "what about the second one?", channel_id=int(first["id"]))
    assert sources_of(follow)[0][0].split("] ")[1] == sources_of(first)[1][0].split("] ")[1]
    assert_cited_verbatim(bot_process, follow)


async def test_summary_of_the_corpus_is_cited(double, bot_process):
    sent = await double.send_slash_command("summary", {})
    assert (await acknowledgement(double, sent)).json_body["type"] == 5
    body = await reply(double, sent)
    assert body["content"].startswith("**Summary of the corpus")
    assert markers(body["content"])
    assert_cited_verbatim(bot_process, double.messages[sent.original_id])


async def test_reindex_is_refused_to_a_member_and_run_for_a_moderator(double, bot_process):
    refused = await double.send_slash_command("reindex", member=double.member)
    ack = await acknowledgement(double, refused)
    assert ack.json_body["type"] == 4 and ack.json_body["data"]["flags"] == 64
    assert "Only moderators" in ack.json_body["data"]["content"]
    allowed = await double.send_slash_command("reindex", member=double.moderator)
    assert (await acknowledgement(double, allowed)).json_body["type"] == 5
    done = await final_edit(double, allowed, "Index refreshed")
    assert re.search(r"0 added, 0 updated, 0 deleted, \d+ unchanged", done["content"])


async def test_everyone_in_a_question_and_in_the_corpus_pings_no_one(double, bot_process):
    answer = await mention(double, f"{double.bot.mention} @everyone {LONG}?")
    thread = await double.wait_for_call(
        method="POST", path=f"/messages/{answer['id']}/threads", timeout=TIMEOUT
    )
    # The mention is dropped from the question, so the thread is named after what was asked.
    assert thread.json_body["name"].startswith(LONG) and "everyone" not in thread.json_body["name"]
    posted = [
        m
        for m in double.messages.values()
        if m["author"]["id"] == str(double.bot.id) and m["channel_id"] == str(double.channel_id)
    ]
    corpus_text = " ".join(m["content"] + str(m["embeds"]) for m in posted)
    assert f"@{ZWSP}everyone" in corpus_text  # the corpus sentence was quoted, made inert
    for message in posted:
        assert not message["mention_everyone"] and message["mention_roles"] == []
        assert message["mentions"] == []
        assert not re.search(r"@everyone|<@&\d+>", message["content"] + str(message["embeds"]))


async def test_an_answer_over_2000_characters_is_split_cleanly(
    double, bot_process, reference_service
):
    expected = reference_service.ask(LONG)
    assert len(expected.text) > MESSAGE_CHARS
    sent = await double.send_slash_command("ask", {"question": LONG})
    parts = await followups(double, sent, 2)
    contents = [p.json_body["content"] for p in parts]
    assert all(0 < len(c) <= MESSAGE_CHARS for c in contents)
    assert flat(" ".join(contents)) == flat(neutralise(expected.text))  # no word lost or cut
    assert not any(c.lstrip().startswith("[") for c in contents)  # markers stay with sentences
    last = parts[-1].json_body
    assert len(last["embeds"]) >= 1 and last["components"]  # sources and buttons at the end
    assert (
        sum(len(f["name"]) + len(f["value"]) for e in last["embeds"] for f in e["fields"]) <= 6000
    )
    assert all(len(f["value"]) <= 1024 for e in last["embeds"] for f in e["fields"])
    varn = [f["value"] for e in last["embeds"] for f in e["fields"] if "varn" in f["name"]]
    assert varn and all("(https://example.org/varn-lighthouses)" in v for v in varn)  # links


async def test_vote_button_is_acknowledged_and_stored(double, bot_process):
    sent = await double.send_slash_command("ask", {"question": QUESTION})
    await reply(double, sent)
    message = double.messages[sent.original_id]
    custom_id = next(
        c["custom_id"]
        for row in message["components"]
        for c in row["components"]
        if c["custom_id"].startswith("seedbot:vote:down")
    )
    click = await double.click_button(message, custom_id, member=double.member)
    ack = await acknowledgement(double, click)
    assert ack.json_body["type"] == 5 and ack.json_body["data"]["flags"] == 64
    assert "recorded" in (await reply(double, click))["content"]
    with sqlite3.connect(bot_process.feedback_db) as db:
        votes = db.execute(
            "SELECT member_id, vote FROM votes WHERE answer_id = ?", (custom_id.rsplit(":", 1)[1],)
        ).fetchall()
    assert votes == [(double.member.id, -1)]


async def test_ask_latency_median_of_20(double, bot_process, capsys):
    acks, answers = [], []
    for _ in range(20):
        sent = await double.send_slash_command("ask", {"question": QUESTION})
        ack = await acknowledgement(double, sent)
        answer = (await followups(double, sent, 1))[0]
        acks.append((ack.time_monotonic - sent.created) * 1000)
        answers.append((answer.time_monotonic - sent.created) * 1000)
    assert max(acks) < 3000  # Discord's deadline for the first response
    with capsys.disabled():
        print(
            f"\n/ask latency over 20 (ms): acknowledgement median {statistics.median(acks):.1f} "
            f"(max {max(acks):.1f}); answer median {statistics.median(answers):.1f} "
            f"(max {max(answers):.1f})"
        )


async def test_no_secret_reaches_the_logs(double, bot_process):
    log = bot_process.log()
    assert "[redacted]" in log  # discord.http's DEBUG lines did carry tokens, now masked
    assert double.token not in log
    for sent in double.interactions.values():
        assert sent.token not in log
