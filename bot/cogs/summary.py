"""/summary: one document, a topic, or the whole corpus, cited like answers."""

from __future__ import annotations

import asyncio
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot.feedback import Posted
from bot.render import CHOICE_NAME, cited_parts
from bot.threads import interaction_sender, is_our_thread, open_thread, publish
from bot.views import new_answer_id
from bot.wording import summary_text

NAMES_TTL_S = 60.0  # how long the autocomplete list of documents is reused
MAX_CHOICES = 25


class Summary(commands.Cog):
    """Summaries of the indexed texts."""

    def __init__(self, bot) -> None:
        self.bot = bot
        self._names: list[str] = []
        self._names_at = float("-inf")

    @app_commands.command(name="summary")
    @app_commands.describe(
        document="One file of the corpus (default: the whole corpus)",
        topic="Summarise what the texts (or the document) say about this topic",
    )
    async def summary(
        self,
        interaction: discord.Interaction,
        document: str | None = None,
        topic: str | None = None,
    ) -> None:
        """Summarise one document, a topic, or the whole corpus, with sources."""
        if topic:
            topic = self.bot.service.clean_question(topic)
        self.bot.limits.cooldown.hit(interaction.user.id)
        await interaction.response.defer(thinking=True)
        async with self.bot.limits.in_flight.slot():
            summary = await asyncio.to_thread(
                self.bot.service.summarize, document=document or None, topic=topic or None
            )
        posted = self.posted(summary, request_text(document, topic), interaction)
        parts = cited_parts(
            summary_text(summary), summary.citations, heading=f"**{summary.title}**"
        )
        messages = await publish(self.bot, posted, parts, interaction_sender(interaction))
        if not is_our_thread(self.bot, interaction.channel):
            await open_thread(interaction.channel, messages[0], summary.title)

    @summary.autocomplete("document")
    async def document_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Corpus files whose name contains what the member typed so far."""
        needle = current.casefold()
        names = [n for n in await self.document_names() if needle in n.casefold()]
        return [app_commands.Choice(name=n, value=n) for n in names[:MAX_CHOICES]]

    async def document_names(self) -> list[str]:
        """The indexed files (cached briefly: autocomplete runs on every keystroke)."""
        if time.monotonic() - self._names_at > NAMES_TTL_S:
            info = await asyncio.to_thread(self.bot.service.sources)
            # A choice's value is limited to 100 characters; longer names can still be typed.
            self._names = sorted(n for n in info.documents if len(n) <= CHOICE_NAME)
            self._names_at = time.monotonic()
        return self._names

    @commands.Cog.listener()
    async def on_index_refreshed(self, report) -> None:
        self._names_at = float("-inf")

    def posted(self, summary, request: str, interaction: discord.Interaction) -> Posted:
        return Posted(
            answer_id=new_answer_id(),
            kind="summary",
            asker_id=interaction.user.id,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            question=request,
            answer=summary_text(summary),
            refused=summary.refused,
            citations=list(summary.citations),
            standalone=summary.title,
        )


def request_text(document: str | None, topic: str | None) -> str:
    """The command as the member gave it, stored as the summary's "question"."""
    given = [f"document:{document}"] * bool(document) + [f"topic:{topic}"] * bool(topic)
    return " ".join(["/summary", *given])


async def setup(bot) -> None:
    await bot.add_cog(Summary(bot))
