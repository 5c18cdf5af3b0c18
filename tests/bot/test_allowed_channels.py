"""ALLOWED_CHANNELS: mentions are answered only in the listed channels and their threads."""

from __future__ import annotations

import pytest

from retrieval.errors import SettingsError
from retrieval.settings import Settings

QUESTION = "What is a speed argument against schemers?"


def replies_to(double, asked: dict):
    return lambda m: (m.get("message_reference") or {}).get("message_id") == asked["id"]


async def test_mentions_elsewhere_are_ignored(double, make_bot, seed_service):
    quiet = double.world.add_text_channel("quiet")
    allowed = Settings.from_env({"ALLOWED_CHANNELS": f" {double.channel_id} ,"}).allowed_channels
    bot = await make_bot(seed_service, allowed_channels=allowed)
    assert bot.allowed_channels == {double.channel_id}
    ignored = await double.send_message(quiet, double.member, f"{double.bot.mention} {QUESTION}")
    asked = await double.send_message(
        double.channel_id, double.member, f"{double.bot.mention} {QUESTION}"
    )
    await double.wait_for_message(replies_to(double, asked), timeout=20)
    # Both were dispatched in order; the ignored one returns before the answered one's first
    # await, so by now it would have started typing or replying in `quiet`.
    assert not double.calls_to(path=f"/channels/{quiet}/")
    assert not [m for m in double.world.messages_in(quiet) if m["id"] != ignored["id"]]


async def test_unset_means_every_channel(double, make_bot, seed_service):
    other = double.world.add_text_channel("other")
    await make_bot(seed_service)
    asked = await double.send_message(other, double.member, f"{double.bot.mention} {QUESTION}")
    answer = await double.wait_for_message(replies_to(double, asked), timeout=20)
    assert answer["channel_id"] == str(other)


def test_a_bad_value_names_the_variable():
    with pytest.raises(SettingsError, match="ALLOWED_CHANNELS"):
        Settings.from_env({"ALLOWED_CHANNELS": "#general"})
