"""The one error handler: short messages for members, full tracebacks in the log."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.render import NO_MENTIONS
from retrieval.errors import (
    IndexMissingError,
    RefreshRunningError,
    SeedbotError,
    StoreUnavailableError,
)

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on my side while doing that; it has been logged."
FRIENDLY = {
    IndexMissingError: "No index has been built yet: a moderator can build it with /reindex.",
    StoreUnavailableError: "The index can't be reached right now; try again in a minute.",
    RefreshRunningError: "A refresh of the index is already running; wait for it to finish.",
}


class BotUserError(Exception):
    """A bot-side refusal whose message is meant for the member as it is."""


class TooFast(BotUserError):
    """The member asked more than their share of questions recently."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"You're asking faster than I can keep up with; try again in {retry_after:.0f} s."
            if retry_after >= 1.5
            else "You're asking faster than I can keep up with; try again in a moment."
        )


class Busy(BotUserError):
    """Too many questions are being answered at once."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"I'm answering a lot of questions right now; try again in {retry_after:.0f} s."
        )


class NotModerator(app_commands.CheckFailure):
    """The member may not use a moderator command."""


def unwrap(error: BaseException) -> BaseException:
    """The exception a command raised, without discord.py's wrappers."""
    while isinstance(error, (app_commands.CommandInvokeError, commands.CommandInvokeError)):
        error = error.original
    return error


def user_message(error: BaseException) -> str | None:
    """What to tell the member about `error`, or None when it is a bug to log."""
    error = unwrap(error)
    for kind, message in FRIENDLY.items():
        if isinstance(error, kind):
            return message
    if isinstance(error, (SeedbotError, BotUserError, NotModerator)):
        return str(error)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command works in a server, not in direct messages."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little; try again in {error.retry_after:.0f} s."
    if isinstance(error, discord.Forbidden):
        return "I'm missing a permission here (see the bot's setup in docs/discord.md)."
    return None


def describe(error: BaseException, where: str) -> str:
    """The member-facing message, logging the error at the level it deserves."""
    message = user_message(error)
    if message is None:
        original = unwrap(error)
        log.error("unexpected error in %s", where, exc_info=original)
        return UNEXPECTED
    log.info("refused in %s: %s", where, message)
    return message


async def report_interaction_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Answer a failed interaction, deferred or not, so it never just times out."""
    where = _interaction_name(interaction)
    message = describe(error, where)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(
                message, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
    except discord.HTTPException:
        log.warning("could not tell the member about an error in %s", where, exc_info=True)


async def report_message_error(message: discord.Message, error: BaseException) -> None:
    """Reply to the message whose question failed."""
    text = describe(error, "a message question")
    try:
        await message.reply(text, allowed_mentions=NO_MENTIONS, mention_author=False)
    except discord.HTTPException:
        log.warning("could not reply with an error to message %s", message.id, exc_info=True)


async def on_event_error(event: str, args: tuple[Any, ...], error: BaseException) -> None:
    """A listener failed: reply when it was a member's message, else just log."""
    if event == "on_message" and args and isinstance(args[0], discord.Message):
        await report_message_error(args[0], error)
        return
    log.error("unexpected error in event %s", event, exc_info=error)


def guarded(
    callback: Callable[[Any, discord.Interaction], Awaitable[None]],
) -> Callable[[Any, discord.Interaction], Awaitable[None]]:
    """Route a component callback's errors here (discord.py only logs dynamic items' errors)."""

    @functools.wraps(callback)
    async def wrapper(self: Any, interaction: discord.Interaction) -> None:
        try:
            await callback(self, interaction)
        except Exception as exc:
            await report_interaction_error(interaction, exc)

    return wrapper


class SeedTree(app_commands.CommandTree):
    """The command tree with the bot's one error handler."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_interaction_error(interaction, error)


def _interaction_name(interaction: discord.Interaction) -> str:
    command = interaction.command
    if command is not None:
        return f"/{command.qualified_name}"
    custom_id = (interaction.data or {}).get("custom_id", "")
    return f"component {custom_id.split(':')[1] if ':' in custom_id else custom_id}"
