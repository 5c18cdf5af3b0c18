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
        await interaction.followup.send(embed=sources_embed(info), allowed_mentions=NO_MENTIONS)


async def setup(bot) -> None:
    await bot.add_cog(Sources(bot))
