"""/sources: what the bot answers from, and when the index was last refreshed."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.render import NO_MENTIONS, sources_embed


class Sources(commands.Cog):
    """The indexed documents."""

    def __init__(self, bot) -> None:
        self.bot = bot

    @app_commands.command(name="sources")
    async def sources(self, interaction: discord.Interaction) -> None:
        """List the documents I answer from, their sizes, and when the index was refreshed."""
        await interaction.response.defer(thinking=True)
        info = await asyncio.to_thread(self.bot.service.sources)
        note = await asyncio.to_thread(stale_note, self.bot.settings.corpus_dir, info.documents)
        await interaction.followup.send(
            note, embed=sources_embed(info), allowed_mentions=NO_MENTIONS
        )


def stale_note(corpus_dir, documents) -> str | None:
    """A line for moderators when the texts changed since the last refresh, else None."""
    from bot.terminal.doctor import describe_changes
    from retrieval.errors import SeedbotError
    from retrieval.index.staleness import compare

    try:
        staleness = compare(corpus_dir, documents)
    except SeedbotError:
        return None  # an unreadable corpus folder is for `seedbot doctor`, not members
    if not staleness.stale:
        return None
    return (
        f"The texts changed since the last refresh ({describe_changes(staleness)}); answers "
        "still come from the last refresh. A moderator can run /reindex."
    )


async def setup(bot) -> None:
    await bot.add_cog(Sources(bot))
