"""Registering the slash commands with Discord, on request (Discord limits creates per day)."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.client import SeedBot
from retrieval.settings import Settings

log = logging.getLogger(__name__)

MAX_RATE_LIMIT_WAIT_S = 30.0  # discord.py's smallest allowed value


async def sync_commands(settings: Settings, guild_id: int = 0, **options: Any) -> list[str]:
    """Upload the commands globally, or to one guild (there they appear at once)."""
    # A long 429 (the daily limit on creating commands) fails at once instead of sleeping.
    options.setdefault("max_ratelimit_timeout", MAX_RATE_LIMIT_WAIT_S)
    async with SeedBot(settings=settings, **options) as bot:
        await bot.login(
            settings.discord_token.get_secret_value()
        )  # runs setup_hook: loads the cogs
        guild = discord.Object(guild_id) if guild_id else None
        if guild is not None:
            bot.tree.copy_global_to(guild=guild)
        synced = await bot.tree.sync(guild=guild)
    log.info(
        "synced %d commands to %s", len(synced), f"guild {guild_id}" if guild_id else "all guilds"
    )
    return [command.name for command in synced]
