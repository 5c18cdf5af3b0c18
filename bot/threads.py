"""Answers as conversations: post them, open a thread on them, and read a thread's history back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import discord

from bot.feedback import Posted
from bot.render import NO_MENTIONS, Part, thread_name
from bot.views import answer_view
from retrieval.types import Turn

log = logging.getLogger(__name__)

HISTORY_MESSAGES = 30  # messages of a thread read back for a follow-up
MAX_TURNS = 4  # earlier exchanges handed to the service
THREAD_ARCHIVE_MINUTES = 1440

Send = Callable[[Part, discord.ui.View | None], Awaitable[discord.Message]]


async def publish(bot, posted: Posted, parts: list[Part], send: Send) -> list[discord.Message]:
    """Record the answer, send its parts (buttons under the last), and link the messages."""
    await asyncio.to_thread(bot.feedback.save, posted)
    view = answer_view(posted.answer_id, with_sources=bool(posted.citations))
    messages = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        messages.append(await send(part, view if last else None))
    await asyncio.to_thread(bot.feedback.link, posted.answer_id, [m.id for m in messages])
    posted.message_ids = [m.id for m in messages]
    return messages


def interaction_sender(interaction: discord.Interaction, progress_shown: bool = False) -> Send:
    """Send parts as the interaction's follow-ups (the first replaces "thinking…"); after
    progress was shown in the original response, the first part replaces that instead."""
    sent: list[discord.Message] = []

    async def send(part: Part, view: discord.ui.View | None) -> discord.Message:
        if progress_shown and not sent:
            sent.append(
                await interaction.edit_original_response(
                    content=part.content,
                    embeds=part.embeds,
                    view=view,
                    allowed_mentions=NO_MENTIONS,
                )
            )
            return sent[0]
        return await interaction.followup.send(
            part.content,
            embeds=part.embeds,
            view=view or discord.utils.MISSING,
            allowed_mentions=NO_MENTIONS,
            wait=True,
        )

    return send


def reply_sender(message: discord.Message, progress: discord.Message | None = None) -> Send:
    """Send the first part as a reply to the member's message, the rest after it; the first
    replaces the `progress` reply when one was shown."""
    sent: list[discord.Message] = []

    async def send(part: Part, view: discord.ui.View | None) -> discord.Message:
        options = dict(embeds=part.embeds, view=view, allowed_mentions=NO_MENTIONS)
        if sent:
            out = await message.channel.send(part.content or None, **options)
        elif progress is not None:
            out = await progress.edit(content=part.content or None, **options)
        else:
            out = await message.reply(part.content or None, mention_author=False, **options)
        sent.append(out)
        return out

    return send


async def open_thread(
    channel: object, message: discord.Message, title: str
) -> discord.Thread | None:
    """A thread on the answer, for follow-ups; None where threads can't be (DMs, threads)."""
    # The channel is passed in: a webhook (follow-up) message may only know a partial one.
    if not isinstance(channel, discord.TextChannel):
        return None
    try:
        return await channel.create_thread(
            name=thread_name(title), message=message, auto_archive_duration=THREAD_ARCHIVE_MINUTES
        )
    except discord.HTTPException:
        # The answer is already out; a missing thread permission shouldn't turn it into an error.
        log.warning("could not open a thread on message %s", message.id, exc_info=True)
        return None


def is_our_thread(bot, channel: object) -> bool:
    return isinstance(channel, discord.Thread) and channel.owner_id == bot.user.id


async def thread_turns(
    bot, thread: discord.Thread, before: discord.abc.Snowflake | None = None
) -> list[Turn]:
    """The thread's earlier exchanges, oldest first, from what the bot recorded when it answered.

    The thread was opened on our answer, so its id is that answer's message id; our later
    messages in the thread are looked up by id. Nothing is parsed back from rendered text.
    """
    ours = [
        m.id
        async for m in thread.history(limit=HISTORY_MESSAGES, before=before)
        if m.author.id == bot.user.id
    ]
    ids = [thread.id, *reversed(ours)]
    found = await asyncio.to_thread(bot.feedback.for_messages, ids)
    turns, seen = [], set()
    for message_id in ids:
        posted = found.get(message_id)
        if posted is not None and posted.answer_id not in seen:
            seen.add(posted.answer_id)
            turns.append(posted.turn())
    return turns[-MAX_TURNS:]
