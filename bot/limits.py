"""Per-member cooldown and a cap on questions answered at once."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from bot.errors import Busy, TooFast
from retrieval.settings import Settings

QUEUE_WAIT_S = 20.0  # how long a question may wait for a free slot before "busy"


class Cooldown:
    """At most `rate` questions per `per` seconds for each member, over a sliding window."""

    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.per = per
        self.clock = clock
        self._asked: dict[int, deque[float]] = {}

    def retry_after(self, member_id: int) -> float:
        """Seconds until the member may ask again (0 when they may ask now)."""
        now = self.clock()
        window = self._window(member_id, now)
        if len(window) < self.rate:
            return 0.0
        return window[0] + self.per - now

    def hit(self, member_id: int) -> None:
        """Count one question; TooFast (and nothing counted) when over the limit."""
        wait = self.retry_after(member_id)
        if wait > 0:
            raise TooFast(wait)
        self._asked.setdefault(member_id, deque()).append(self.clock())

    def _window(self, member_id: int, now: float) -> deque[float]:
        window = self._asked.get(member_id)
        if window is None:
            return deque()
        while window and window[0] <= now - self.per:
            window.popleft()
        if not window:  # forget quiet members, so the map stays small
            del self._asked[member_id]
        return window


class InFlight:
    """At most `limit` questions answered at once; the rest wait a while for a free slot."""

    def __init__(self, limit: int, wait_s: float = QUEUE_WAIT_S) -> None:
        self.limit = limit
        self.wait_s = wait_s
        self._slots = asyncio.Semaphore(limit)
        self.running = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot while answering; Busy if none frees up within `wait_s`."""
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_s)
        except TimeoutError:
            raise Busy(self.wait_s) from None
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._slots.release()


class Limits:
    """The cooldown and the in-flight cap, built from settings."""

    def __init__(self, cooldown: Cooldown, in_flight: InFlight) -> None:
        self.cooldown = cooldown
        self.in_flight = in_flight

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            Cooldown(settings.cooldown_questions, settings.cooldown_s),
            InFlight(settings.max_in_flight),
        )
