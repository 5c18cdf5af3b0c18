"""Every start-up failure is one `seedbot: ...` line and a documented exit code (bot/failures.py).

The network cases run offline: a port on 127.0.0.1 that refuses, a name resolved with the
network cut (scripts/offline), or the Discord double answering with an error.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.failures import EXIT_FIX, EXIT_TEMPORARY
from tests.discord_double import DiscordDouble
from tests.e2e.conftest import ROOT, SEEDBOT, bot_env, e2e_corpus, run_command

pytestmark = pytest.mark.e2e

OFFLINE = ROOT / "scripts" / "offline"
QUIET = {"LOG_LEVEL": "INFO"}  # the e2e default, DEBUG, would print the tracebacks we hide


@pytest.fixture
async def double():
    async with DiscordDouble() as started:
        yield started


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_one_line(err: str, out: str, code: int, expected: int, *needles: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("seedbot: ")]
    assert code == expected, err
    assert len(lines) == 1, err
    assert "Traceback" not in err + out
    assert all(n in lines[0] for n in needles), lines[0]
    return lines[0]


async def bot(double, tmp_path, *args: str, **env: str) -> tuple[int, str, str]:
    if not (tmp_path / "corpus").exists():
        e2e_corpus(tmp_path)
    command = args or (sys.executable, "-m", "bot")
    environment = bot_env(double, tmp_path, **{**QUIET, **env})
    return await run_command(*command, env=environment, cwd=tmp_path, timeout=90)


def sync(double) -> tuple[str, ...]:
    return (str(SEEDBOT), "sync-commands", "--guild", str(double.guild_id))


async def test_discord_unreachable(double, tmp_path):
    api = f"http://127.0.0.1:{closed_port()}/api/v10"
    code, out, err = await bot(double, tmp_path, DISCORD_API_BASE=api)
    assert_one_line(err, out, code, EXIT_TEMPORARY, "cannot be reached", "network")
    code, out, err = await bot(double, tmp_path, *sync(double), DISCORD_API_BASE=api)
    assert_one_line(err, out, code, EXIT_TEMPORARY, "register the slash commands")


async def test_dns_failure_with_the_network_cut(double, tmp_path):
    probe = subprocess.run([OFFLINE, "true"], capture_output=True)
    if probe.returncode != 0 or not shutil.which("unshare"):
        pytest.skip(f"cannot cut the network here (scripts/offline: {probe.stderr!r})")
    api = "http://discord.invalid/api/v10"
    command = (str(OFFLINE), sys.executable, "-m", "bot")
    code, out, err = await bot(double, tmp_path, *command, DISCORD_API_BASE=api)
    assert_one_line(err, out, code, EXIT_TEMPORARY, "discord.invalid could not be resolved")


async def test_discord_server_error(double, tmp_path):
    # 503: discord.py retries 500/502/504/524 itself with 25 s of sleeps, then fails the same.
    double.fail_next("GET", "/users/@me", status=503, code=0, message="Service Unavailable")
    code, out, err = await bot(double, tmp_path)
    assert_one_line(err, out, code, EXIT_TEMPORARY, "Discord answered 503", "discordstatus")


@pytest.mark.parametrize("status", [401, 403])
async def test_sync_refused_for_a_guild(double, tmp_path, status):
    double.fail_next("PUT", "/commands", status=status, code=50001, message="Missing Access")
    code, out, err = await bot(double, tmp_path, *sync(double))
    line = assert_one_line(err, out, code, EXIT_FIX, f"guild {double.guild_id}", "Missing Access")
    assert "applications.commands" in line


async def test_sync_rate_limited(double, tmp_path):
    double.rate_limit_next("PUT", "/commands", retry_after=3600)
    code, out, err = await bot(double, tmp_path, *sync(double))
    assert_one_line(err, out, code, EXIT_TEMPORARY, "rate-limiting", "3600 s")


async def test_wrong_token(double, tmp_path):
    code, out, err = await bot(double, tmp_path, DISCORD_TOKEN="not.the.right.token")
    assert_one_line(err, out, code, EXIT_FIX, "refused the token")
    code, out, err = await bot(double, tmp_path, *sync(double), DISCORD_TOKEN="not.the.token")
    assert_one_line(err, out, code, EXIT_FIX, "refused the token")


async def test_missing_index(double, tmp_path):
    code, out, err = await bot(double, tmp_path, str(SEEDBOT), "ask", "What is a schemer?")
    assert_one_line(err, out, code, EXIT_FIX, "seedbot index")


async def test_chroma_server_down(double, tmp_path):
    down = {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(closed_port())}
    code, out, err = await bot(double, tmp_path, str(SEEDBOT), "ask", "What is it?", **down)
    assert_one_line(err, out, code, EXIT_TEMPORARY, "Chroma server", "cannot be reached")
    code, out, err = await bot(double, tmp_path, **down)
    assert_one_line(err, out, code, EXIT_TEMPORARY, "Chroma server")


async def test_details_go_to_the_log_file_at_debug(double, tmp_path):
    log_file = tmp_path / "logs" / "seedbot.log"
    api = f"http://127.0.0.1:{closed_port()}/api/v10"
    code, out, err = await bot(
        double, tmp_path, DISCORD_API_BASE=api, LOG_LEVEL="DEBUG", LOG_FILE=str(log_file)
    )
    assert_one_line(err, out, code, EXIT_TEMPORARY, "cannot be reached")
    assert err.strip().count("\n") == 0  # the log went to the file, not the terminal
    logged = Path(log_file).read_text(encoding="utf-8")
    assert "could not start the bot" in logged and "Traceback" in logged
