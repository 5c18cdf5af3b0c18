"""The real bot process (`python -m bot`) against the Discord double, for load and fault tests.

Built on the e2e harness (tests/e2e/conftest.py), so both start the bot the same way.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from tests.discord_double import DiscordDouble
from tests.e2e.conftest import (
    SEEDBOT,
    START_TIMEOUT,
    BotProcess,
    bot_env,
    e2e_corpus,
    run_command,
    stop,
    wait_for_log,
)

# One value for every secret setting: it must never appear in a log line or a message.
MARKER = "mrk-Sd7q2Xv9-secret-marker"
REPLY_WAIT_S = 240.0  # generous: the machine is shared; a healthy run takes seconds
SECRETS = {"DISCORD_TOKEN": MARKER, "CHROMA_TOKEN": MARKER, "LLM_API_KEY": MARKER}


@asynccontextmanager
async def running_bot(double: DiscordDouble, base: Path, **env: str) -> AsyncIterator[BotProcess]:
    """Sync the commands, start `python -m bot`, wait for it to be ready; SIGTERM at the end."""
    corpus = e2e_corpus(base)
    environment = bot_env(double, base, **env)
    code, _, err = await run_command(
        str(SEEDBOT), "sync-commands", "--guild", str(double.guild_id), env=environment, cwd=base
    )
    assert code == 0, err
    log_path = base / "bot.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            env=environment,
            cwd=base,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
    bot = BotProcess(process, log_path, corpus, base / "feedback.sqlite3", environment)
    try:
        await wait_for_log(bot, "seedbot ready", START_TIMEOUT)
        yield bot
    finally:
        with suppress(ProcessLookupError):
            await stop(process)


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
