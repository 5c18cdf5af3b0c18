"""The real bot process (`python -m bot`) against the Discord double, for load and fault tests.

Built on the e2e harness (tests/e2e/conftest.py), so both start the bot the same way.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.discord_double import DiscordDouble
from tests.e2e.conftest import BotProcess
from tests.e2e.conftest import running_bot as e2e_running_bot

# One value for every secret setting: it must never appear in a log line or a message.
MARKER = "mrk-Sd7q2Xv9-secret-marker"
REPLY_WAIT_S = 240.0  # generous: the machine is shared; a healthy run takes seconds
SECRETS = {"DISCORD_TOKEN": MARKER, "CHROMA_TOKEN": MARKER, "LLM_API_KEY": MARKER}


def running_bot(double: DiscordDouble, base: Path, **env: str):
    """The e2e harness's bot; fault tests stop it however it ended up, without judging that."""
    return e2e_running_bot(double, base, clean_stop=False, **env)


async def wait_for_replies(double: DiscordDouble, message_ids: list[str]) -> None:
    deadline = time.monotonic() + REPLY_WAIT_S
    while any(not replies_to(double, i) for i in message_ids):
        missing = sum(1 for i in message_ids if not replies_to(double, i))
        assert time.monotonic() < deadline, f"{missing} of {len(message_ids)} got no reply"
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # a duplicate reply would arrive now


def replies_to(double: DiscordDouble, message_id: str) -> list[dict]:
    """The bot's messages that reply to the message `message_id`."""
    return [
        m
        for m in list(double.messages.values())
        if m["author"]["id"] == str(double.bot.id)
        and (m.get("message_reference") or {}).get("message_id") == message_id
    ]


def reply_time(double: DiscordDouble, message_id: str) -> float | None:
    """When the bot's first reply to `message_id` reached the double (monotonic)."""
    for call in list(double.calls):
        body = call.json_body if isinstance(call.json_body, dict) else {}
        if str((body.get("message_reference") or {}).get("message_id")) == message_id:
            return call.time_monotonic
    return None


def assert_marker_nowhere(double: DiscordDouble, bot: BotProcess, marker: str = MARKER) -> int:
    """The marker is in no log line and no request body or URL; returns the lines checked."""
    lines = bot.log().splitlines()
    assert lines, "the bot wrote no log at all"
    leaked = [line for line in lines if marker in line]
    assert not leaked, leaked[:3]
    for call in list(double.calls):
        shown = f"{call.path} {call.query} {call.json_body} {call.files}"
        assert marker not in shown, f"{call.method} {call.path} carries the secret"
    for message in list(double.messages.values()):
        assert marker not in str(message)
    return len(lines)
