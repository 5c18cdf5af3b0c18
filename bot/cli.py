"""`seedbot sync-commands`: the one command of the terminal that talks to Discord."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from retrieval.errors import SeedbotError
from retrieval.settings import Settings


def sync(args: argparse.Namespace, settings: Settings) -> int:
    """`seedbot sync-commands`: register the slash commands, globally or in one guild."""
    from bot.failures import explain
    from bot.runner import endpoint_overrides
    from bot.sync import sync_commands

    if not settings.discord_token:
        raise SeedbotError("DISCORD_TOKEN is not set: put the bot's token in .env first.")
    guild_id = 0 if args.everywhere else args.guild or settings.discord_guild_id
    options = endpoint_overrides(os.environ)
    where = f"guild {guild_id}" if guild_id else "every guild"
    try:
        names = asyncio.run(sync_commands(settings, guild_id, **options))
    except Exception as exc:
        failure = explain(exc, f"register the slash commands in {where}")
        print(failure.line, file=sys.stderr)
        return failure.code
    where = f"guild {guild_id}" if guild_id else "every guild (may take up to an hour to show)"
    print(f"Registered {len(names)} commands in {where}: " + ", ".join(f"/{n}" for n in names))
    return 0
