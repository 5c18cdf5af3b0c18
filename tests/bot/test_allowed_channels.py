"""ALLOWED_CHANNELS: mentions are answered only in the listed channels and their threads."""

from __future__ import annotations

import pytest

from bot.channels import allowed_channels
from retrieval.errors import SettingsError

QUESTION = "What is a speed argument against schemers?"


def replies_to(double, asked: dict):
    return lambda m: (m.get("message_reference") or {}).get("message_id") == asked["id"]


async def test_mentions_elsewhere_are_ignored(double, make_bot, seed_service, monkeypatch):
    quiet = double.world.add_text_channel("quiet")
    monkeypatch.setenv("ALLOWED_CHANNELS", f" {double.channel_id} ,")
    bot = await make_bot(seed_service)
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


async def test_unset_means_every_channel(double, make_bot, seed_service, monkeypatch):
    other = double.world.add_text_channel("other")
    monkeypatch.delenv("ALLOWED_CHANNELS", raising=False)
    await make_bot(seed_service)
    asked = await double.send_message(other, double.member, f"{double.bot.mention} {QUESTION}")
    answer = await double.wait_for_message(replies_to(double, asked), timeout=20)
    assert answer["channel_id"] == str(other)


def test_a_bad_value_names_the_variable():
    with pytest.raises(SettingsError, match="ALLOWED_CHANNELS"):
        allowed_channels({"ALLOWED_CHANNELS": "#general"})
