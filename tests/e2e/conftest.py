"""The real bot process (`python -m bot`) against the local Discord double, on the seed corpus."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from retrieval.settings import Settings
from tests.discord_double import DiscordDouble

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
# One extra document whose sentences all answer one question at length: the way to get an
# answer over 2,000 characters from the extractive answerer. It also quotes @everyone and a
# role mention, as a corpus might.
EXTRA = Path(__file__).parent / "corpus" / "varn_lighthouses.md"
SEEDBOT = Path(sys.executable).parent / "seedbot"
START_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0
# Settings for the bot under test: long answers allowed, no cooldown in the way of 20 timed asks.
BOT_SETTINGS = {
    "TOP_K": "10",
    "ANSWER_SENTENCES": "10",
    "COOLDOWN_QUESTIONS": "1000",
    "LOG_LEVEL": "DEBUG",  # discord.http logs URLs with interaction tokens at DEBUG
}


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    log_path: Path
    corpus: Path
    feedback_db: Path
    env: dict[str, str]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def bot_env(double: DiscordDouble, base: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot process: pointed at the double, with no setting inherited."""
    ours = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k not in ours and not k.startswith("DISCORD_")}
    env.update(
        DISCORD_TOKEN=double.token,
        DISCORD_API_BASE=double.api_base,
        DISCORD_GATEWAY_URL=double.gateway_url,
        DISCORD_GUILD_READY_TIMEOUT="0.1",
        CORPUS_DIR=str(base / "corpus"),
        STORE_DIR=str(base / "store"),
        FEEDBACK_DB=str(base / "feedback.sqlite3"),
        PYTHONUNBUFFERED="1",
        **BOT_SETTINGS,
    )
    return {**env, **extra}


def e2e_corpus(base: Path) -> Path:
    corpus = base / "corpus"
    shutil.copytree(SEEDS, corpus)
    shutil.copy(EXTRA, corpus / EXTRA.name)
    return corpus


async def run_command(*args: str, env: dict[str, str], cwd: Path, timeout: float = 60.0):
    """Run a command to its end; (exit code, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        *args,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return process.returncode, out.decode(), err.decode()


async def wait_for_log(bot: BotProcess, needle: str, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while needle not in bot.log():
        if bot.process.returncode is not None:
            raise AssertionError(
                f"the bot exited with {bot.process.returncode}:\n{bot.log()[-3000:]}"
            )
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                f"no {needle!r} in the bot's log within {timeout}s:\n{bot.log()[-3000:]}"
            )
        await asyncio.sleep(0.1)


async def stop(process: asyncio.subprocess.Process) -> int:
    """SIGTERM, as a service manager would; the exit code (killed if it hangs)."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()
    return process.returncode


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def double() -> AsyncIterator[DiscordDouble]:
    async with DiscordDouble() as started:
        yield started


@contextlib.asynccontextmanager
async def running_bot(
    double: DiscordDouble, base: Path, clean_stop: bool = True, **env: str
) -> AsyncIterator[BotProcess]:
    """Commands synced with `seedbot sync-commands --guild`, then `python -m bot` running.

    With `clean_stop`, the bot must exit 0 on SIGTERM when the block ends without error.
    """
    corpus = e2e_corpus(base)
    environment = bot_env(double, base, **env)
    code, out, err = await run_command(
        str(SEEDBOT), "sync-commands", "--guild", str(double.guild_id), env=environment, cwd=base
    )
    assert code == 0, err
    assert f"Registered 5 commands in guild {double.guild_id}" in out
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
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            await stop(process)
        raise
    stopped = await stop(process)
    if clean_stop:
        assert stopped == 0, bot.log()[-3000:]  # a clean stop on SIGTERM


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot_process(double, tmp_path_factory) -> AsyncIterator[BotProcess]:
    """The bot for the whole module, on the seeds plus the long-answer document."""
    async with running_bot(double, tmp_path_factory.mktemp("e2e")) as bot:
        yield bot


@pytest.fixture(scope="module")
def reference_service(bot_process, tmp_path_factory, embedder):
    """The same retrieval core and settings in this process, to compare the bot's output with."""
    from tests.conftest import make_service

    settings = Settings.from_env(env=bot_process.env)
    built = make_service(settings, embedder, store_dir=tmp_path_factory.mktemp("ref") / "store")
    built.refresh()
    return built
