"""The bot in-process: the real SeedBot and service, connected to the local Discord double."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from bot.client import SeedBot
from bot.feedback import FeedbackStore
from bot.progress import Pace
from tests.bot.helpers import VirtualTime
from tests.discord_double import DiscordDouble, run_client


@pytest.fixture
def double(discord_double) -> DiscordDouble:
    """The double, with discord.py pointed at it (tests/discord_double/fixtures.py)."""
    return discord_double


@pytest.fixture
async def make_bot(double, tmp_path) -> AsyncIterator:
    """`await make_bot(service, **settings_changes)`: a ready SeedBot on the double.

    Its progress runs on virtual time (`time`: a VirtualTime), so no answer shows progress
    unless a test advances the clock, however slow this machine is."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(service, time: VirtualTime | None = None, **changes) -> SeedBot:
            settings = service.settings.replace(
                feedback_db=tmp_path / "feedback.sqlite3", **changes
            )
            feedback = FeedbackStore(settings.feedback_db)
            stack.callback(feedback.close)
            time = time or VirtualTime()
            bot = SeedBot(
                settings=settings,
                service=service,
                feedback=feedback,
                guild_ready_timeout=0.1,
                pace=Pace(clock=time, sleep=time.sleep),
            )
            await stack.enter_async_context(run_client(bot, double))
            await bot.tree.sync()  # so the double checks every command against its schema
            return bot

        yield start


@pytest.fixture
async def seed_bot(make_bot, seed_service) -> SeedBot:
    """A bot over the session's read-only index of the seed corpus."""
    return await make_bot(seed_service)
