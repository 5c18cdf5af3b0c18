"""Pytest fixtures for the Discord double; usable as a plugin from the top-level conftest:

    pytest_plugins = ["tests.discord_double.fixtures"]

`discord_double` yields a started DiscordDouble with discord.py pointed at it (Route.BASE and
DiscordWebSocket.DEFAULT_GATEWAY patched, restored afterwards). `run_client` runs a real
discord.py client against it for the length of an `async with` block.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord
import pytest
import yarl

from .server import DiscordDouble


@contextlib.contextmanager
def pointed_at(double: DiscordDouble):
    """Point discord.py's REST base (webhooks and interaction callbacks use it too) and its
    default gateway at the double, restoring both on exit."""
    route, ws = discord.http.Route, discord.gateway.DiscordWebSocket
    old_base, old_gateway = route.BASE, ws.DEFAULT_GATEWAY
    route.BASE = double.api_base
    ws.DEFAULT_GATEWAY = yarl.URL(double.gateway_url)
    try:
        yield double
    finally:
        route.BASE, ws.DEFAULT_GATEWAY = old_base, old_gateway


@pytest.fixture
async def discord_double() -> AsyncIterator[DiscordDouble]:
    async with DiscordDouble() as double:
        with pointed_at(double):
            yield double


@contextlib.asynccontextmanager
async def run_client(
    client: discord.Client, double: DiscordDouble, *, timeout: float = 10.0
) -> AsyncIterator[discord.Client]:
    """Start `client` against `double`, wait until it is ready, and close it on exit.

    Build the client with `guild_ready_timeout=0.1`: discord.py waits that long after the last
    GUILD_CREATE before `ready` (2 s by default). A login or gateway failure is raised here.
    """
    task = asyncio.create_task(client.start(double.token), name="discord-double-client")
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not client.is_ready():
            if task.done():
                task.result()  # raises the client's failure (LoginFailure, ConnectionClosed...)
                raise RuntimeError("the client stopped before it was ready")
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(
                    f"client not ready within {timeout}s; calls: "
                    f"{[(c.method, c.path, c.status) for c in double.calls]}"
                )
            await asyncio.sleep(0.01)
        yield client
    finally:
        await asyncio.wait_for(client.close(), timeout)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout)
