"""Staying connected to the gateway: retry every temporary failure, including the first one.

discord.py 2.7.1's `Client.connect` reads `self.ws.sequence` after a failed handshake, so when
the very first handshake fails (`self.ws` is still None) it raises
`AttributeError: 'NoneType' object has no attribute 'sequence'` and the bot exits
(discord.py issue #10520). A malformed gateway event (a frame that is not JSON, or an event its
parsers choke on) also escapes `connect` and ends the process. `Reconnecting.connect` is the
same loop with both holes closed, and with its sleep injectable so tests need not wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord
from discord.backoff import ExponentialBackoff
from discord.gateway import DiscordWebSocket, ReconnectWebSocket

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[Any]]
HANDSHAKE_TIMEOUT = 60.0  # discord.py's own
# Close codes after which retrying cannot help (bad token, bad shard or intents); discord.py
# raises ConnectionClosed only for these and for its own clean close (1000).
FATAL_CLOSE_CODES = frozenset({4004, 4010, 4011, 4012, 4013, 4014})


class Reconnecting:
    """Mixin for a discord.Client: a `connect` that retries with backoff instead of exiting."""

    def __init__(self, *args: Any, retry_sleep: Sleep | None = None, **options: Any) -> None:
        super().__init__(*args, **options)
        self.retry_sleep: Sleep = retry_sleep or asyncio.sleep

    async def connect(self, *, reconnect: bool = True) -> None:
        """Hold the gateway until the client is closed; temporary failures are retried."""
        if isinstance(self, discord.AutoShardedClient):
            # Shards have their own reconnect loop, which does not hit #10520.
            return await super().connect(reconnect=reconnect)  # type: ignore[misc]
        backoff = ExponentialBackoff()
        params: dict[str, Any] = {"initial": True, "shard_id": self.shard_id}
        while not self.is_closed():
            try:
                self.ws = await asyncio.wait_for(
                    DiscordWebSocket.from_client(self, **params), timeout=HANDSHAKE_TIMEOUT
                )
                params["initial"] = False
                while True:
                    await self.ws.poll_event()
            except ReconnectWebSocket as exc:
                log.debug("the gateway asked us to %s", exc.op)
                self.dispatch("disconnect")
                params.update(resume_params(self.ws, resume=exc.resume))
            except Exception as exc:
                self.dispatch("disconnect")
                if self.is_closed():
                    return
                if not reconnect or _fatal(exc):
                    await self.close()
                    _reraise(exc)
                    return
                await self._retry_after(exc, backoff.delay())
                params.update(resume_params(self.ws, resume=True))

    async def _retry_after(self, exc: Exception, delay: float) -> None:
        """Drop a socket a bad event left open, say why in one line, then wait `delay`."""
        if self.ws is not None and self.ws.open:
            await self.ws.close(code=4000)
        log.warning("lost the Discord gateway (%s); reconnecting in %.1f s", describe(exc), delay)
        log.debug("gateway failure", exc_info=exc)
        await self.retry_sleep(delay)


def resume_params(ws: DiscordWebSocket | None, *, resume: bool) -> dict[str, Any]:
    """Where the next handshake picks up: a RESUME of the last session if there was one."""
    if ws is None or ws.session_id is None:
        return {"resume": False, "session": None, "sequence": None}
    params: dict[str, Any] = {"sequence": ws.sequence, "session": ws.session_id, "resume": resume}
    if resume:
        params["gateway"] = ws.gateway
    return params


def describe(exc: BaseException) -> str:
    """A short name for a gateway failure, for the one-line log message."""
    if isinstance(exc, aiohttp.WSServerHandshakeError):
        return f"handshake refused with HTTP {exc.status}"
    if isinstance(exc, OSError | aiohttp.ClientError | asyncio.TimeoutError):
        return f"network: {exc.__class__.__name__}"
    if isinstance(exc, ValueError | KeyError | TypeError | AttributeError):
        return f"malformed gateway event: {exc.__class__.__name__}"
    return exc.__class__.__name__


def _fatal(exc: Exception) -> bool:
    return isinstance(exc, discord.ConnectionClosed) and exc.code in FATAL_CLOSE_CODES


def _reraise(exc: Exception) -> None:
    """Raise `exc` as discord.py would; a clean close (1000) without reconnect just returns."""
    if isinstance(exc, discord.ConnectionClosed):
        if exc.code == 4014:
            raise discord.PrivilegedIntentsRequired(exc.shard_id) from None
        if exc.code == 1000:
            return
    raise exc
