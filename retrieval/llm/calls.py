"""Model calls under a deadline that cancels the request, at most N in flight at once.

Each call runs as `ainvoke` on one private event loop (a daemon thread), under
`asyncio.wait_for`: at the deadline the task is cancelled, which closes its HTTP connection,
so a local server (one slot, a CPU) stops working on an answer nobody waits for any more.
A semaphore keeps at most `concurrency` calls in flight, answers, rewrites and summary
map calls alike, because a local server that serves one request at a time would only queue
the rest while their deadlines ran out.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.runnables import Runnable

log = logging.getLogger(__name__)

GRACE_S = 5.0  # past its deadline a cancelled call must end within this; else we stop waiting

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def private_loop() -> asyncio.AbstractEventLoop:
    """The event loop every model call runs on, started on first use."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="llm-calls", daemon=True).start()
        return _loop


@dataclass
class Call:
    """One model call: its text, or why there is none, and what it cost."""

    text: str | None = None
    failure: str | None = None
    seconds: float = 0.0
    usage: dict = field(default_factory=dict)  # input_tokens, output_tokens when reported
    finish: str = ""  # "stop", or "length" when LLM_MAX_TOKENS cut the reply

    @property
    def ok(self) -> bool:
        return self.failure is None


class Caller:
    """Runs model calls with a deadline each and at most `concurrency` in flight."""

    def __init__(self, concurrency: int = 1) -> None:
        self.concurrency = max(1, concurrency)
        self._slots: asyncio.Semaphore | None = None

    def call(self, runnable: Runnable, inputs: Mapping[str, Any], deadline_s: float) -> Call:
        """One call; the deadline covers waiting for a free slot as well."""
        loop = private_loop()
        coroutine = asyncio.wait_for(self._in_slot(runnable, dict(inputs)), deadline_s)
        future = asyncio.run_coroutine_threadsafe(_timed(coroutine), loop)
        try:
            return future.result(timeout=deadline_s + GRACE_S)
        except FutureTimeout:  # the cancelled call did not end: stop waiting for it
            future.cancel()
            return Call(failure="timeout", seconds=deadline_s + GRACE_S)

    def call_each(
        self,
        runnable: Runnable,
        inputs: Sequence[Mapping[str, Any]],
        deadline_s: float,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Call]:
        """Several calls, each with its own deadline counted from when it gets a slot."""
        loop = private_loop()
        future = asyncio.run_coroutine_threadsafe(
            self._each(runnable, inputs, deadline_s, progress), loop
        )
        rounds = -(-len(inputs) // self.concurrency)
        return future.result(timeout=rounds * (deadline_s + GRACE_S) + GRACE_S)

    async def _each(self, runnable, inputs, deadline_s, progress) -> list[Call]:
        done = 0

        async def one(item: Mapping[str, Any]) -> Call:
            nonlocal done
            async with self._semaphore():
                result = await _timed(asyncio.wait_for(runnable.ainvoke(dict(item)), deadline_s))
            done += 1
            if progress is not None:
                progress(done, len(inputs))
            return result

        return list(await asyncio.gather(*(one(item) for item in inputs)))

    async def _in_slot(self, runnable: Runnable, inputs: dict) -> Any:
        async with self._semaphore():
            return await runnable.ainvoke(inputs)

    def _semaphore(self) -> asyncio.Semaphore:
        if self._slots is None:  # made on the private loop, the only one that uses it
            self._slots = asyncio.Semaphore(self.concurrency)
        return self._slots


async def _timed(coroutine) -> Call:
    """The call's result as a `Call`, never an exception: any failure means a fallback."""
    started = time.perf_counter()
    try:
        reply = await coroutine
    except TimeoutError:
        log.warning("LLM gave no reply within the deadline; cancelled the request")
        return Call(failure="timeout", seconds=time.perf_counter() - started)
    except Exception as exc:  # any provider failure must end in the offline answer
        why = failure_of(exc)
        log.warning("LLM call failed (%s); falling back", why)
        return Call(failure=why, seconds=time.perf_counter() - started)
    return _as_call(reply, time.perf_counter() - started)


def _as_call(reply: Any, seconds: float) -> Call:
    text = reply.content if isinstance(reply, BaseMessage) else reply
    if not isinstance(text, str) or not text.strip():
        log.warning("LLM reply was empty; falling back")
        return Call(failure="empty reply", seconds=seconds)
    usage = dict(getattr(reply, "usage_metadata", None) or {})
    meta = getattr(reply, "response_metadata", None) or {}
    finish = str(meta.get("finish_reason") or meta.get("done_reason") or "")
    return Call(text, None, seconds, usage, finish)


def failure_of(exc: BaseException) -> str:
    """Why a call failed, by type and HTTP status only: messages may carry request details."""
    status = getattr(exc, "status_code", None) or getattr(
        getattr(exc, "response", None), "status_code", None
    )
    if status == 429:
        return "rate limited (429)"
    name = type(exc).__name__
    if "Timeout" in name:
        return "timeout"
    return f"{name} ({status})" if status else name
