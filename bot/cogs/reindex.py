"""/reindex: moderators refresh the index; questions keep being answered meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import moderator_only
from bot.render import NO_MENTIONS, progress_text, report_text
from retrieval.errors import RefreshRunningError

log = logging.getLogger(__name__)

EDIT_EVERY_S = 1.5  # progress edits, throttled well under Discord's rate limits


class ProgressMessage:
    """Shows a refresh's progress (reported from its worker thread) by editing the reply."""

    def __init__(self, interaction: discord.Interaction) -> None:
        self.interaction = interaction
        self.loop = asyncio.get_running_loop()
        self.latest: tuple[str, int, int] | None = None
        self.changed = asyncio.Event()

    def update(self, stage: str, done: int, total: int) -> None:
        """The refresh's progress callback; runs in the worker thread."""
        self.loop.call_soon_threadsafe(self._set, (stage, done, total))

    def _set(self, state: tuple[str, int, int]) -> None:
        self.latest = state
        self.changed.set()

    async def edit(self, content: str) -> None:
        await self.interaction.edit_original_response(content=content, allowed_mentions=NO_MENTIONS)

    @contextlib.asynccontextmanager
    async def shown(self) -> AsyncIterator[None]:
        """Edit the reply with the latest progress while the block runs."""
        task = asyncio.create_task(self._show())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _show(self) -> None:
        while True:
            await self.changed.wait()
            self.changed.clear()
            try:
                await self.edit(progress_text(*self.latest))
            except discord.HTTPException:
                log.warning("could not show refresh progress; carrying on", exc_info=True)
                return
            await asyncio.sleep(EDIT_EVERY_S)


class Reindex(commands.Cog):
    """Refreshing the index from the corpus folder."""

    def __init__(self, bot) -> None:
        self.bot = bot
        self.lock = asyncio.Lock()

    @app_commands.command(name="reindex")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @moderator_only()
    async def reindex(self, interaction: discord.Interaction) -> None:
        """Refresh the index from the corpus folder (moderators only)."""
        # Checked and taken with no await in between, so two /reindex can't both start.
        if self.lock.locked() or self.bot.service.refreshing:
            raise RefreshRunningError("A refresh is already running; wait for it to finish.")
        async with self.lock:
            await interaction.response.defer(thinking=True)
            progress = ProgressMessage(interaction)
            await progress.edit("Refreshing the index from the corpus folder…")
            async with progress.shown():
                report = await asyncio.to_thread(self.bot.service.refresh, progress.update)
            await progress.edit(report_text(report))
        log.info("refresh by member %s: %s", interaction.user.id, report.summary())
        self.bot.dispatch("index_refreshed", report)


async def setup(bot) -> None:
    await bot.add_cog(Reindex(bot))
