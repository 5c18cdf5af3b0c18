"""200 questions at once from 50 members while a moderator refreshes the index.

Through the real bot process and the Discord double: every question gets exactly one reply,
each member's fourth question within the cooldown window is refused, answers quote the
corpus verbatim, the refresh completes and is used, and no reply is an error. The latency
from question to reply is printed (p50, p95) for the notes and bench/results.md.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import pytest

from bot.errors import UNEXPECTED
from tests.bot.helpers import final_edit, quoted, verbatim_in_corpus
from tests.discord_double import DiscordDouble
from tests.resilience.bot_process import (
    MARKER,
    SECRETS,
    assert_marker_nowhere,
    replies_to,
    reply_time,
    running_bot,
    wait_for_replies,
)
from tests.resilience.corpus_gen import grow_corpus

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

MEMBERS, PER_MEMBER, ALLOWED = 50, 4, 3  # the fourth question of each member is over the limit
QUESTIONS = [
    "Why would SGD prefer models that are not schemers?",
    "What happened with the o1 series?",
    "Does RLHF remove everything?",
    "Why use collapsable boxes rather than footnotes?",
    "What is the speed argument against schemers?",
    "What did the commenter think about ChatGPT's alignment?",
    "What do lighthouse keepers in the Varn archipelago do?",
]
NEW_TEXT = "The Varn ferry crews paint their hulls ochre so the keepers can count them.\n"
LIMITS = {"COOLDOWN_QUESTIONS": str(ALLOWED), "COOLDOWN_S": "600", "MAX_IN_FLIGHT": "4"}
SHORT_ANSWERS = {"TOP_K": "6", "ANSWER_SENTENCES": "3", "LOG_LEVEL": "INFO"}


async def test_two_hundred_questions_during_a_refresh(tmp_path):
    async with DiscordDouble(token=MARKER) as double:
        env = {**SECRETS, **LIMITS, **SHORT_ANSWERS}
        async with running_bot(double, tmp_path, **env) as bot:
            members = [double.world.add_person(f"member{i}", roles=[]) for i in range(MEMBERS)]
            (bot.corpus / "ferries.md").write_text(NEW_TEXT, encoding="utf-8")
            grow_corpus(bot.corpus, copies=2)  # enough new text to keep the refresh busy
            refresh = await double.send_slash_command("reindex", member=double.moderator)
            sent = await burst(double, members)
            await wait_for_replies(double, [m for m, _, _ in sent])
            refreshed_at = (await final_edit_call(double, refresh)).time_monotonic
            latencies = check_replies(double, bot, sent)
            answered_at = sorted(t for i, _, _ in sent if (t := reply_time(double, i)))
            assert answered_at[0] < refreshed_at, "the refresh ended before any answer"
            await check_refresh_is_used(double, bot)
            assert_marker_nowhere(double, bot)
    report(latencies)


async def burst(double: DiscordDouble, members) -> list[tuple[str, int, float]]:
    """Every member asks PER_MEMBER questions, all at once: (message id, member, sent at)."""

    async def ask(member, n: int) -> tuple[str, int, float]:
        question = QUESTIONS[(member.id + n) % len(QUESTIONS)]
        started = time.monotonic()
        message = await double.send_message(
            double.channel_id, member, f"{double.bot.mention} {question}"
        )
        return message["id"], member.id, started

    # One member's questions go in order (the cooldown counts them in order); members mix.
    rounds = [[ask(m, n) for m in members] for n in range(PER_MEMBER)]
    sent = []
    for questions in rounds:
        sent += await asyncio.gather(*questions)
    return sent


def check_replies(double: DiscordDouble, bot, sent) -> list[float]:
    """One reply each; ALLOWED answers and then refusals per member; answers quote verbatim."""
    by_member: dict[int, list[str]] = {}
    latencies = []
    for message_id, member_id, started in sent:
        replies = replies_to(double, message_id)
        assert len(replies) == 1, f"{len(replies)} replies to one question"
        content = replies[0]["content"]
        assert UNEXPECTED not in content and "answering a lot of questions" not in content
        kind = "too fast" if "faster than I can keep up" in content else "answered"
        by_member.setdefault(member_id, []).append(kind)
        if kind == "answered":
            latencies.append((reply_time(double, message_id) - started) * 1000)
            for field in (f for e in replies[0]["embeds"] for f in e["fields"]):
                source = field["name"].split("] ", 1)[1].rsplit(", line", 1)[0]
                assert verbatim_in_corpus(bot.corpus, source, quoted(field["value"]))
    expected = ["answered"] * ALLOWED + ["too fast"] * (PER_MEMBER - ALLOWED)
    assert all(kinds == expected for kinds in by_member.values()), by_member
    return latencies


async def check_refresh_is_used(double: DiscordDouble, bot) -> None:
    late = double.world.add_person("latecomer", roles=[])
    message = await double.send_message(
        double.channel_id, late, f"{double.bot.mention} Why do Varn ferry crews paint hulls ochre?"
    )
    await wait_for_replies(double, [message["id"]])
    fields = [
        f["name"] for e in replies_to(double, message["id"])[0]["embeds"] for f in e["fields"]
    ]
    assert any("ferries.md" in name for name in fields), fields


async def final_edit_call(double: DiscordDouble, sent):
    """The call that edited the /reindex reply to its final report."""
    await final_edit(double, sent, "Index refreshed")
    path = f"{sent.webhook_path}/messages/@original"
    return next(
        c
        for c in double.calls_to("PATCH", path)
        if "Index refreshed" in (c.json_body or {}).get("content", "")
    )


def report(latencies: list[float]) -> None:
    p95 = statistics.quantiles(latencies, n=20)[-1]
    print(
        f"\nload: {MEMBERS * PER_MEMBER} questions from {MEMBERS} members during a refresh; "
        f"{len(latencies)} answered; latency p50 {statistics.median(latencies):.0f} ms, "
        f"p95 {p95:.0f} ms, max {max(latencies):.0f} ms"
    )
