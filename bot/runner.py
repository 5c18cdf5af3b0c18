"""Running the bot: build the service and stores from settings, then hold the bot's lifetime."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Mapping
from typing import Any

import discord
import yarl

from bot.client import make_bot
from bot.failures import explain
from bot.feedback import FeedbackStore
from bot.render import ADDRESSES_MEMBERS
from retrieval.assembly import build_service
from retrieval.service import SeedService
from retrieval.settings import Settings

log = logging.getLogger(__name__)


def run_bot(settings: Settings) -> int:
    """Run the bot until it is stopped; on failure one `seedbot: ...` line and its exit code."""
    options = endpoint_overrides(os.environ)
    try:
        asyncio.run(serve(settings, **options))
    except KeyboardInterrupt:
        pass
    except Exception as exc:
        failure = explain(exc, "start the bot")
        print(failure.line, file=sys.stderr)
        return failure.code
    return 0


def open_service(settings: Settings) -> SeedService:
    """The answering service with its index loaded (built first if there is none yet)."""
    service = build_service(settings, blocked_claims=ADDRESSES_MEMBERS)
    service.ensure_index()
    service.warm_up(background=False)  # before connecting, so no early question waits
    return service


async def serve(settings: Settings, **options: Any) -> None:
    """Log in, load the index, then answer until the gateway closes or we are told to stop."""
    feedback = FeedbackStore(settings.feedback_db)
    try:
        async with make_bot(settings, feedback=feedback, **options) as bot:
            # Logging in first makes a wrong token fail in a second, not after indexing.
            await bot.login(settings.discord_token.get_secret_value())
            # Built on this thread, blocking the loop on purpose: no gateway is open yet, and
            # Chroma and onnxruntime objects made in a worker thread can abort the process at exit.
            bot.service = open_service(settings)
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.ensure_future(bot.close()))
            await bot.connect()
    finally:
        feedback.close()


def endpoint_overrides(env: Mapping[str, str]) -> dict[str, Any]:
    """Point discord.py at a local Discord double; only the end-to-end tests set these."""
    options: dict[str, Any] = {}
    if env.get("DISCORD_API_BASE"):
        discord.http.Route.BASE = env["DISCORD_API_BASE"].rstrip("/")
        log.warning("using the Discord API at %s (a test setting)", discord.http.Route.BASE)
    if env.get("DISCORD_GATEWAY_URL"):
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(env["DISCORD_GATEWAY_URL"])
    if env.get("DISCORD_GUILD_READY_TIMEOUT"):
        options["guild_ready_timeout"] = float(env["DISCORD_GUILD_READY_TIMEOUT"])
    return options
