"""Staying connected through the double: refused handshakes, outages and malformed events."""

from __future__ import annotations

import asyncio
import json

import discord
import pytest

from bot.client import SeedBot
from retrieval.settings import Settings
from tests.discord_double import DiscordDouble, run_client

WAIT = 10.0  # generous: the waits below end as soon as the event arrives


class Delays:
    """An injected sleep: records each backoff delay and returns at once."""

    def __init__(self) -> None:
        self.seen: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.seen.append(delay)
        await asyncio.sleep(0)


@pytest.fixture
def delays() -> Delays:
    return Delays()


@pytest.fixture
def bot(tmp_path, delays) -> SeedBot:
    settings = Settings(corpus_dir=tmp_path, store_dir=tmp_path / "store")
    return SeedBot(settings=settings, guild_ready_timeout=0.1, retry_sleep=delays)


def assert_backoff(delays: list[float]) -> None:
    """discord.py's exponential backoff: the n-th delay lies in [0, 2**n]."""
    for n, delay in enumerate(delays, start=1):
        assert 0 <= delay <= 2**n


async def test_plain_discord_py_still_exits_when_the_first_handshake_fails(double):
    """The upstream bug the workaround is for (discord.py #10520); when this test fails,
    discord.py has fixed it and bot/connection.py can go."""
    double.gateway.refuse_handshakes(1)
    client = discord.Client(intents=discord.Intents.none())
    async with client:
        await client.login(double.token)
        with pytest.raises(AttributeError, match="sequence"):
            await asyncio.wait_for(client.connect(), WAIT)


async def test_the_first_handshakes_fail_and_the_bot_retries_until_it_is_ready(
    double: DiscordDouble, bot, delays
):
    double.gateway.refuse_handshakes(3)
    async with run_client(bot, double, timeout=WAIT):
        assert bot.is_ready()
    assert double.gateway.handshakes == 4
    assert len(delays.seen) == 3
    assert_backoff(delays.seen)


async def test_the_bot_keeps_retrying_through_an_outage_and_resumes(double, bot, delays):
    async with run_client(bot, double, timeout=WAIT):
        double.gateway.refuse_handshakes(4)
        resumed = asyncio.ensure_future(bot.wait_for("resumed", timeout=WAIT))
        await double.gateway.drop()
        await resumed
        assert len(delays.seen) == 4  # the drop itself resumes at once, as Discord asks
        assert_backoff(delays.seen)
        assert double.gateway.handshakes == 1 + 5
        ops = [p["op"] for p in double.gateway.received]
        assert ops.count(2) == 1 and ops.count(6) == 1  # one IDENTIFY; the outage RESUMEd
        assert await sees_a_new_message(bot, double)


@pytest.mark.parametrize(
    "frame",
    [
        "this is not JSON",
        json.dumps({"op": 0, "t": "MESSAGE_CREATE", "s": 999, "d": {"id": "1"}}),
    ],
    ids=["not-json", "event-missing-fields"],
)
async def test_a_malformed_gateway_event_makes_the_bot_reconnect_not_exit(
    double, bot, delays, frame
):
    async with run_client(bot, double, timeout=WAIT):
        resumed = asyncio.ensure_future(bot.wait_for("resumed", timeout=WAIT))
        await double.gateway.send_raw(frame)
        await resumed
        assert len(delays.seen) == 1
        assert await sees_a_new_message(bot, double)


async def sees_a_new_message(bot: SeedBot, double: DiscordDouble) -> bool:
    """After reconnecting, the bot's gateway still delivers events."""
    arrived = asyncio.ensure_future(
        bot.wait_for("message", check=lambda m: m.content == "still there?", timeout=WAIT)
    )
    await asyncio.sleep(0)
    await double.send_message(double.channel_id, double.member, "still there?")
    return (await arrived).content == "still there?"
