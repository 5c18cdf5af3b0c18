"""/feedback: the answers members voted 👎, so moderators see what goes wrong."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import moderator_only
from bot.render import NO_MENTIONS, feedback_embed

SHOWN = 10


class Feedback(commands.Cog):
    """Members' votes on answers, for moderators."""

    def __init__(self, bot) -> None:
        self.bot = bot

    @app_commands.command(name="feedback")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @moderator_only()
    async def feedback(self, interaction: discord.Interaction) -> None:
        """The answers most recently voted 👎 (moderators only)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        downvoted = await asyncio.to_thread(self.bot.feedback.recent_downvoted, SHOWN)
        await interaction.followup.send(
            embed=feedback_embed(downvoted), ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def setup(bot) -> None:
    await bot.add_cog(Feedback(bot))
