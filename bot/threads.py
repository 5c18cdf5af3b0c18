"""Answers as conversations: post them, open a thread on them, and read a thread's history back."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable

import discord

from bot.feedback import Posted
from bot.render import NO_MENTIONS, ZWSP, Part, thread_name
from bot.views import answer_view
from retrieval.types import Citation, Turn

log = logging.getLogger(__name__)

HISTORY_MESSAGES = 30  # messages of a thread read back for a follow-up
MAX_TURNS = 4  # earlier exchanges handed to the service
THREAD_ARCHIVE_MINUTES = 1440

Send = Callable[[Part, discord.ui.View | None], Awaitable[discord.Message]]
_HEADING = re.compile(r"^\[(\d+)\] (.+), lines? (\d+)(?:-(\d+))?$")


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


def interaction_sender(interaction: discord.Interaction) -> Send:
    """Send parts as the interaction's follow-ups (the first replaces "thinking…")."""

    async def send(part: Part, view: discord.ui.View | None) -> discord.Message:
        return await interaction.followup.send(
            part.content,
            embeds=part.embeds,
            view=view or discord.utils.MISSING,
            allowed_mentions=NO_MENTIONS,
            wait=True,
        )

    return send


def reply_sender(message: discord.Message) -> Send:
    """Send the first part as a reply to the member's message, the rest after it."""
    sent: list[discord.Message] = []

    async def send(part: Part, view: discord.ui.View | None) -> discord.Message:
        options = dict(embeds=part.embeds, view=view, allowed_mentions=NO_MENTIONS)
        if sent:
            out = await message.channel.send(part.content or None, **options)
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
    """The thread's earlier exchanges, oldest first, for a follow-up asked in it."""
    ours = [
        m
        async for m in thread.history(limit=HISTORY_MESSAGES, before=before)
        if m.author.id == bot.user.id
    ]
    ours.reverse()
    # The thread was opened on our answer, so its id is that answer's message id.
    ids = [thread.id, *(m.id for m in ours)]
    found = await asyncio.to_thread(bot.feedback.for_messages, ids)
    starter = None if thread.id in found else await _starter(thread)
    turns, seen = [], set()
    for message_id, message in zip(ids, [starter, *ours], strict=True):
        posted = found.get(message_id)
        if posted is not None and posted.answer_id not in seen:
            seen.add(posted.answer_id)
            turns.extend([] if posted.refused else [posted.turn()])
        elif posted is None and message is not None:
            turns.extend(filter(None, [turn_from_message(message)]))
    return turns[-MAX_TURNS:]


async def _starter(thread: discord.Thread) -> discord.Message | None:
    """The message the thread was opened on (it lives in the parent channel)."""
    if thread.starter_message is not None:
        return thread.starter_message
    if thread.parent is None:
        return None
    try:
        return await thread.parent.fetch_message(thread.id)
    except discord.HTTPException:
        return None


def turn_from_message(message: discord.Message) -> Turn | None:
    """A turn read back from one of our cited answers (when the feedback file lost it)."""
    citations = [
        c
        for embed in message.embeds
        if (embed.title or "").startswith("Sources")
        for c in map(_citation_from_field, embed.fields)
        if c
    ]
    if not citations:
        return None
    question = ""
    if isinstance(message.reference and message.reference.resolved, discord.Message):
        question = message.reference.resolved.content
    return Turn(_unzap(question), _unzap(message.content), tuple(citations))


def _citation_from_field(embed_field) -> Citation | None:
    match = _HEADING.match(_unzap(embed_field.name or ""))
    if not match:
        return None
    n, source, first, last = match.groups()
    quote = _unzap((embed_field.value or "").split("\n")[0]).strip("“”")
    return Citation(int(n), source, int(first), int(last or first), quote)


def _unzap(text: str) -> str:
    return text.replace(ZWSP, "")
