"""The bot: a discord.py client holding the service, settings and stores it is given."""

from __future__ import annotations

import logging
import sys
from typing import Any

import discord
from discord.ext import commands

from bot.connection import Reconnecting
from bot.errors import SeedTree, on_event_error
from bot.feedback import FeedbackStore
from bot.limits import Limits
from bot.progress import Pace
from bot.render import NO_MENTIONS
from retrieval.settings import Settings, shard_plan

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.cogs.ask",
    "bot.cogs.summary",
    "bot.cogs.sources",
    "bot.cogs.reindex",
    "bot.cogs.feedback",
)


def bot_intents() -> discord.Intents:
    """Guilds and their messages, with content: mentions and thread follow-ups are plain text."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    return intents


class SeedBot(Reconnecting, commands.Bot):
    """Answers questions about the corpus in Discord; slash commands live in bot/cogs.

    `retry_sleep` (an option) replaces asyncio.sleep between gateway retries, for tests.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        service: Any = None,
        feedback: FeedbackStore | None = None,
        limits: Limits | None = None,
        allowed: frozenset[int] | None = None,
        pace: Pace | None = None,
        **options: Any,
    ) -> None:
        # `service` and `feedback` may be None for `seedbot sync-commands`, which only needs
        # the commands' shapes.
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            allowed_mentions=NO_MENTIONS,
            tree_cls=SeedTree,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.service = service
        self.feedback = feedback
        self.limits = limits or Limits.from_settings(settings)
        # Channels where mentions are answered (empty: all); ALLOWED_CHANNELS by default.
        self.allowed_channels = frozenset(settings.allowed_channels if allowed is None else allowed)
        self.pace = pace or Pace()  # how often a slow answer's progress may be shown

    async def setup_hook(self) -> None:
        """Load the features. Commands are synced by `seedbot sync-commands`, not here."""
        for extension in EXTENSIONS:
            await self.load_extension(extension)

    async def on_ready(self) -> None:
        log.info(
            "seedbot ready as %s (id %s) in %d guilds", self.user, self.user.id, len(self.guilds)
        )

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: the ask feature listens for mentions itself."""

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        await on_event_error(event_method, args, sys.exc_info()[1])


class ShardedSeedBot(SeedBot, commands.AutoShardedBot):
    """The same bot over several gateway shards, for servers past Discord's per-shard limit."""


def make_bot(settings: Settings, **options: Any) -> SeedBot:
    """A SeedBot, sharded when DISCORD_SHARDS asks for it (shards may span processes)."""
    if not settings.discord_shards:
        return SeedBot(settings=settings, **options)
    count, ids = shard_plan(settings.discord_shards)
    if count is not None:
        options["shard_count"] = count
    if ids is not None:
        options["shard_ids"] = ids
    return ShardedSeedBot(settings=settings, **options)
