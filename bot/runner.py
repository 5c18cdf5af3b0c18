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
from bot.feedback import FeedbackStore
from retrieval.assembly import build_service
from retrieval.errors import SeedbotError
from retrieval.service import SeedService
from retrieval.settings import Settings

log = logging.getLogger(__name__)

BAD_TOKEN = (
    "seedbot: Discord refused the token in DISCORD_TOKEN. Copy it again from the developer "
    "portal (Bot > Reset Token) into .env; see docs/discord.md."
)
NO_INTENT = (
    "seedbot: Discord refused the Message Content intent. Enable it in the developer portal "
    "(Bot > Privileged Gateway Intents > Message Content Intent); see docs/discord.md."
)


def run_bot(settings: Settings) -> int:
    """Run the bot until it is stopped; 2 with a one-line reason when it can't start."""
    options = endpoint_overrides(os.environ)
    try:
        asyncio.run(serve(settings, **options))
    except SeedbotError as exc:
        print(f"seedbot: {exc}", file=sys.stderr)
        return 2
    except discord.LoginFailure:
        print(BAD_TOKEN, file=sys.stderr)
        return 2
    except discord.PrivilegedIntentsRequired:
        print(NO_INTENT, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def open_service(settings: Settings) -> SeedService:
    """The answering service with its index loaded (built first if there is none yet)."""
    service = build_service(settings)
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
