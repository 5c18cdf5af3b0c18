"""Questions: /ask, messages that mention the bot, and follow-ups in the bot's threads."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.channels import answers_in
from bot.feedback import Posted
from bot.progress import OriginalProgress, Progress, ReplyProgress, Show
from bot.render import Part, cited_parts, without_mentions
from bot.threads import (
    interaction_sender,
    is_our_thread,
    open_thread,
    publish,
    reply_sender,
    thread_turns,
)
from bot.views import SourcesButton, VoteButton, new_answer_id
from bot.wording import answer_text
from retrieval.answer.analysis import is_acknowledgement
from retrieval.types import Answer, Turn

log = logging.getLogger(__name__)

ANSWERABLE = (discord.MessageType.default, discord.MessageType.reply)


class Ask(commands.Cog):
    """Answers questions from the indexed texts, with cited sources."""

    def __init__(self, bot) -> None:
        self.bot = bot

    @app_commands.command(name="ask")
    @app_commands.describe(question="What you want to know about the texts")
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        """Ask a question about the texts; the answer cites its sources."""
        question = self.admit(question, interaction.user.id)
        await interaction.response.defer(thinking=True)
        channel = interaction.channel
        history = await self.history(channel)
        progress = OriginalProgress(interaction)
        posted, parts = await self.answer_showing(
            progress, question, history, interaction.user.id, channel
        )
        sender = interaction_sender(interaction, progress_shown=progress.shown)
        messages = await publish(self.bot, posted, parts, sender)
        if not is_our_thread(self.bot, channel):
            await open_thread(channel, messages[0], question)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A mention of the bot, or any message in one of its threads, is a question."""
        question = self.question_in(message)
        if question is None:
            return
        question = self.admit(question, message.author.id)
        progress = ReplyProgress(message)
        async with message.channel.typing():
            history = await self.history(message.channel, before=message)
            posted, parts = await self.answer_showing(
                progress, question, history, message.author.id, message.channel
            )
        messages = await publish(self.bot, posted, parts, reply_sender(message, progress.posted))
        if not is_our_thread(self.bot, message.channel):
            await open_thread(message.channel, messages[0], question)

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None when it isn't addressed to it."""
        me = self.bot.user
        if me is None or message.author.bot or message.type not in ANSWERABLE:
            return None
        if not answers_in(message.channel, self.bot.allowed_channels):
            return None
        mentioned = me.id in message.raw_mentions or any(u.id == me.id for u in message.mentions)
        if not mentioned:
            in_thread = is_our_thread(self.bot, message.channel)
            # In our thread, members talking to each other aren't asking the bot.
            if not in_thread or message.mentions or message.role_mentions:
                return None
            if is_acknowledgement(message.content):
                return None  # "thanks!" in the thread thanks; it asks nothing of the bot
        return message.content

    def admit(self, question: str, member_id: int) -> str:
        """The cleaned question, once it is within the length limit and the member's cooldown."""
        cleaned = self.bot.service.clean_question(without_mentions(question))
        self.bot.limits.cooldown.hit(member_id)
        return cleaned

    async def history(self, channel: object, before: discord.Message | None = None) -> list[Turn]:
        if not is_our_thread(self.bot, channel):
            return []
        return await thread_turns(self.bot, channel, before)

    async def answer_showing(
        self,
        progress: OriginalProgress | ReplyProgress,
        question: str,
        history: list[Turn],
        asker_id: int,
        channel,
    ) -> tuple[Posted, list[Part]]:
        """`answer`, showing its progress; withdrawn on an error, which is reported afresh."""
        try:
            return await self.answer(question, history, asker_id, channel, progress.show)
        except Exception:
            await progress.withdraw()
            raise

    async def answer(
        self, question: str, history: list[Turn], asker_id: int, channel, show: Show
    ) -> tuple[Posted, list[Part]]:
        """Ask the service (off the event loop, within the in-flight cap) and render the answer;
        while it works, `show` is given its stage, at most once per the bot's pace."""
        async with self.bot.limits.in_flight.slot(), Progress(show, self.bot.pace) as progress:
            # Only a model makes an answer slow enough to show progress (extractive: ms).
            on_stage = progress.reporter() if self.bot.service.generator else None
            answer = await asyncio.to_thread(
                self.bot.service.ask, question, history, on_stage=on_stage
            )
        log.info(
            "answered in %.0f ms: refused=%s, %d citations, %d earlier turns",
            answer.timings_ms.get("total", 0),
            answer.refused,
            len(answer.citations),
            len(history),
        )
        return posted_answer(answer, asker_id, channel), cited_parts(
            answer_text(answer), answer.citations
        )


def posted_answer(answer: Answer, asker_id: int, channel) -> Posted:
    """The record of an answer about to be posted in `channel`."""
    guild = getattr(channel, "guild", None)
    return Posted(
        answer_id=new_answer_id(),
        kind="answer",
        asker_id=asker_id,
        guild_id=guild.id if guild else None,
        channel_id=channel.id,
        question=answer.question,
        answer=answer_text(answer),
        refused=answer.refused,
        citations=list(answer.citations),
        standalone=answer.standalone_question,
    )


async def setup(bot) -> None:
    bot.add_dynamic_items(VoteButton, SourcesButton)
    await bot.add_cog(Ask(bot))
