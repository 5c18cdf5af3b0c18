"""Starting the bot process: no token, a wrong token, and a missing privileged intent."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator

import pytest

from tests.discord_double import DiscordDouble
from tests.e2e.conftest import bot_env, e2e_corpus, run_command

pytestmark = pytest.mark.e2e


@pytest.fixture
async def double() -> AsyncIterator[DiscordDouble]:
    async with DiscordDouble(allowed_privileged_intents=0) as started:
        yield started


async def start_bot(double, tmp_path, **env: str) -> tuple[int, str, str]:
    e2e_corpus(tmp_path)
    # At the default level: at DEBUG the log carries the traceback behind the one line.
    env = {"LOG_LEVEL": "INFO", **env}
    return await run_command(
        sys.executable, "-m", "bot", env=bot_env(double, tmp_path, **env), cwd=tmp_path, timeout=90
    )


async def test_a_wrong_token_gets_a_clear_message_not_a_traceback(double, tmp_path):
    code, out, err = await start_bot(double, tmp_path, DISCORD_TOKEN="not.the.right.token")
    assert code == 2
    assert "Discord refused the token in DISCORD_TOKEN" in err
    assert "Traceback" not in err + out
    assert not (tmp_path / "store").exists()  # it failed before any slow work


async def test_no_token_falls_back_to_the_terminal_chat_with_a_hint(double, tmp_path):
    code, _, err = await start_bot(double, tmp_path, DISCORD_TOKEN="")
    assert code == 0
    assert "DISCORD_TOKEN is not set: opening the terminal chat" in err
    assert not double.calls  # never tried Discord


async def test_a_missing_message_content_intent_is_explained(double, tmp_path):
    code, out, err = await start_bot(double, tmp_path)
    assert code == 2
    assert "Message Content Intent" in err and "Traceback" not in err + out
