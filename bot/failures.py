"""Every way the bot or `seedbot` can fail to start, as one line and a documented exit code.

Exit codes (docs/discord.md lists them too):
  0  stopped normally
  1  a bug: the line names the error; the traceback is in the log at DEBUG
  2  fix something first: a setting, the token, an intent, a missing index, Discord's
     refusal to register commands in a guild (the service manager should not restart)
  3  temporary: no network, DNS failure, Discord 5xx or rate limits, a Chroma server that is
     down; trying again later works (the systemd unit restarts the bot)
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
import discord

from retrieval.errors import SeedbotError, StoreUnavailableError

log = logging.getLogger(__name__)

EXIT_BUG, EXIT_FIX, EXIT_TEMPORARY = 1, 2, 3

BAD_TOKEN = (
    "Discord refused the token in DISCORD_TOKEN. Copy it again from the developer "
    "portal (Bot > Reset Token) into .env; see docs/discord.md."
)
NO_INTENT = (
    "Discord refused the Message Content intent. Enable it in the developer portal "
    "(Bot > Privileged Gateway Intents > Message Content Intent); see docs/discord.md."
)


@dataclass(frozen=True)
class Failure:
    """What to tell the person running the bot, and the exit status."""

    message: str
    code: int

    @property
    def line(self) -> str:
        return f"seedbot: {self.message}"


def explain(exc: BaseException, doing: str = "start the bot") -> Failure:
    """The one-line failure for `exc`, raised while trying to do `doing`."""
    log.debug("could not %s", doing, exc_info=exc)
    for kind, describe in _DESCRIBERS:
        if isinstance(exc, kind):
            return describe(exc, doing)
    return Failure(
        f"could not {doing}: unexpected {type(exc).__name__}: {exc}. This is a bug; "
        "LOG_LEVEL=DEBUG shows the traceback.",
        EXIT_BUG,
    )


def _dns(exc: aiohttp.ClientConnectorError, doing: str) -> Failure:
    return Failure(
        f"could not {doing}: the name {exc.host} could not be resolved (DNS failure or no "
        "network). Check the machine's network and DNS; the bot can be started again as is.",
        EXIT_TEMPORARY,
    )


def _unreachable(exc: BaseException, doing: str) -> Failure:
    where = _host(exc)
    return Failure(
        f"could not {doing}: {where} cannot be reached (network unreachable or connection "
        "refused). Check the machine's network; the bot can be started again as is.",
        EXIT_TEMPORARY,
    )


def _server_error(exc: discord.DiscordServerError, doing: str) -> Failure:
    return Failure(
        f"could not {doing}: Discord answered {exc.status} (a problem on Discord's side). "
        "Try again in a few minutes; https://discordstatus.com shows outages.",
        EXIT_TEMPORARY,
    )


def _rate_limited(exc: BaseException, doing: str) -> Failure:
    after = getattr(exc, "retry_after", None)
    when = f"in {after:.0f} s" if isinstance(after, int | float) else "later"
    return Failure(
        f"could not {doing}: Discord is rate-limiting this bot (HTTP 429); try again {when}. "
        "Creating commands is limited per day: don't sync on every start.",
        EXIT_TEMPORARY,
    )


def _http(exc: discord.HTTPException, doing: str) -> Failure:
    if exc.status == 429:
        return _rate_limited(exc, doing)
    if exc.status in (401, 403):
        return Failure(
            f"could not {doing}: Discord refused with {exc.status} ({exc.text or 'Forbidden'}). "
            "Is the bot in that server, invited with the applications.commands scope? "
            "Invite it with the URL in docs/discord.md, then try again.",
            EXIT_FIX,
        )
    return Failure(
        f"could not {doing}: Discord answered {exc.status} ({exc.text or 'no reason given'}).",
        EXIT_FIX,
    )


def _store_down(exc: StoreUnavailableError, doing: str) -> Failure:
    return Failure(str(exc), EXIT_TEMPORARY)


def _ours(exc: SeedbotError, doing: str) -> Failure:
    return Failure(str(exc), EXIT_FIX)


def _host(exc: BaseException) -> str:
    host = getattr(exc, "host", None)
    if host:
        return f"{host}:{exc.port}" if getattr(exc, "port", None) else str(host)
    base = discord.http.Route.BASE
    return urlsplit(base).netloc or "Discord"


_DESCRIBERS = (
    (discord.LoginFailure, lambda exc, doing: Failure(BAD_TOKEN, EXIT_FIX)),
    (discord.PrivilegedIntentsRequired, lambda exc, doing: Failure(NO_INTENT, EXIT_FIX)),
    (aiohttp.ClientConnectorDNSError, _dns),
    (discord.DiscordServerError, _server_error),
    (discord.RateLimited, _rate_limited),
    (discord.HTTPException, _http),
    (StoreUnavailableError, _store_down),
    (SeedbotError, _ours),
    (aiohttp.ClientError, _unreachable),
    (OSError, _unreachable),
    (asyncio.TimeoutError, _unreachable),
)
