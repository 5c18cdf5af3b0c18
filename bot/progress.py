"""Progress while a slow model works: the answer's message shows the stage it is at.

The service reports stages from its worker thread (retrieval/progress.py); `Progress` takes
them onto the event loop and shows the latest one at most once every `interval_s`, counting
from when the member was told to wait, so a quick answer never flickers through its stages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import discord

from bot.render import NO_MENTIONS
from bot.wording import stage_text

log = logging.getLogger(__name__)
PROGRESS_INTERVAL_S = 4.0  # Discord allows about 5 edits per 5 s per channel; members need less

Show = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Pace:
    """How often progress may be shown, and the clock that says when (a test's is virtual)."""

    interval_s: float = PROGRESS_INTERVAL_S
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


class Progress:
    """Shows the latest reported stage through `show`, rate-limited, until the answer is ready.

    Use as `async with Progress(show, pace) as progress:` around the work, handing the work
    `progress.reporter()`; on leaving, nothing more is shown.
    """

    def __init__(self, show: Show, pace: Pace) -> None:
        self._show = show
        self._pace = pace
        self._latest: str | None = None
        self._changed = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._showing = False  # an edit is in flight: let it land rather than cut it
        self._closed = False
        self.shown: list[str] = []  # stages shown so far, in order

    def report(self, stage: str) -> None:
        """Note that the work reached `stage` (on the event loop's thread)."""
        self._latest = stage
        self._changed.set()

    def reporter(self) -> Callable[[str], None]:
        """`report` for a worker thread: it hands each stage to this loop thread-safely."""
        loop = asyncio.get_running_loop()
        return lambda stage: loop.call_soon_threadsafe(self.report, stage)

    async def __aenter__(self) -> Progress:
        self._task = asyncio.create_task(self._run(self._pace.clock()))
        return self

    async def __aexit__(self, *exc_info) -> None:
        # A cut edit might still land after the answer, so one in flight is waited for.
        self._closed = True
        if not self._showing:
            self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self, last_shown: float) -> None:
        """Wait for a new stage, then for the interval since the last edit, then show it."""
        while not self._closed:
            await self._changed.wait()
            wait = last_shown + self._pace.interval_s - self._pace.clock()
            if wait > 0:
                await self._pace.sleep(wait)
            self._changed.clear()
            stage = self._latest
            if stage is not None and stage not in self.shown[-1:]:
                if not await self._shown(stage):
                    return
                last_shown = self._pace.clock()

    async def _shown(self, stage: str) -> bool:
        """Show `stage`; False when that failed, and no more progress will be shown."""
        self._showing = True
        try:
            await self._show(stage_text(stage))
        except discord.HTTPException:  # progress is a courtesy: the answer still comes
            log.warning("could not show progress; showing none", exc_info=True)
            return False
        finally:
            self._showing = False
        self.shown.append(stage)
        return True


class OriginalProgress:
    """Progress for a slash command: the deferred "thinking…" response, edited."""

    def __init__(self, interaction: discord.Interaction) -> None:
        self.interaction = interaction
        self.shown = False

    async def show(self, text: str) -> None:
        self.shown = True  # set first: even a failed edit may have reached Discord
        await self.interaction.edit_original_response(content=text)

    async def withdraw(self) -> None:
        """Remove the progress shown, so an error is not read under a stale stage."""
        if self.shown:
            with _logged("could not remove the progress message"):
                await self.interaction.delete_original_response()


class ReplyProgress:
    """Progress for a question asked in a message: a reply, posted when first due, then edited."""

    def __init__(self, message: discord.Message) -> None:
        self.message = message
        self.posted: discord.Message | None = None

    async def show(self, text: str) -> None:
        if self.posted is None:
            self.posted = await self.message.reply(
                text, mention_author=False, allowed_mentions=NO_MENTIONS
            )
        else:
            self.posted = await self.posted.edit(content=text)

    async def withdraw(self) -> None:
        """Remove the progress reply, so the error is the only reply."""
        if self.posted is not None:
            with _logged("could not remove the progress reply"):
                await self.posted.delete()


@contextlib.contextmanager
def _logged(what: str):
    """Log an HTTP failure instead of raising it: the error being reported matters more."""
    try:
        yield
    except discord.HTTPException:
        log.warning(what, exc_info=True)
