"""The error handler's messages: short for members, tracebacks only in the log."""

from __future__ import annotations

import logging

import pytest
from discord import app_commands

from bot.errors import UNEXPECTED, Busy, NotModerator, TooFast, describe, user_message
from retrieval.errors import (
    IndexMissingError,
    QuestionError,
    RefreshRunningError,
    StoreUnavailableError,
)


def wrapped(error: Exception) -> app_commands.CommandInvokeError:
    """An error as discord.py hands it to the tree's handler."""
    try:
        raise error
    except Exception as exc:
        command = app_commands.Command(name="ask", description="x", callback=_noop)
        return app_commands.CommandInvokeError(command, exc)


async def _noop(interaction) -> None:
    return None


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (QuestionError("That question is 3,000 characters long."), "3,000 characters"),
        (RefreshRunningError("busy"), "already running"),
        (IndexMissingError("no index at /srv/x"), "/reindex"),
        (StoreUnavailableError("connection refused 10.0.0.1"), "try again in a minute"),
        (TooFast(12.4), "try again in 12 s"),
        (Busy(20), "try again in 20 s"),
        (NotModerator("Only moderators can do that."), "Only moderators"),
        (app_commands.NoPrivateMessage(), "in a server"),
    ],
)
def test_user_errors_get_short_messages(error, expected):
    message = user_message(wrapped(error))
    assert expected in message
    assert "Traceback" not in message and "/srv/x" not in message and "10.0.0.1" not in message


def test_unexpected_errors_get_a_generic_message_and_a_logged_traceback(caplog):
    caplog.set_level(logging.INFO, logger="bot.errors")
    message = describe(wrapped(KeyError("internal detail")), "/ask")
    assert message == UNEXPECTED
    record = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert record.exc_info[0] is KeyError
    assert "internal detail" not in message


def test_member_mistakes_are_logged_without_traceback(caplog):
    caplog.set_level(logging.INFO, logger="bot.errors")
    describe(QuestionError("too long"), "/ask")
    assert all(r.exc_info is None for r in caplog.records)
    assert any("too long" in r.getMessage() for r in caplog.records)
