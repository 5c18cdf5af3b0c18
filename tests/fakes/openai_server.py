"""A local OpenAI-compatible chat server on 127.0.0.1 with scripted replies, for the real client.

Usage::

    with OpenAIDouble() as server:
        server.script(Reply("An answer [1]."), Status(429), Slow(3.0, "late"), Garbage())
        model = ChatOpenAI(base_url=server.base_url, model="double", api_key="k", ...)

Each POST to /v1/chat/completions takes the next scripted behaviour (the last one repeats);
every request is kept in `requests` (headers and JSON body) for assertions. The server runs
on its own event loop in a thread, because the client under test is synchronous.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field

from aiohttp import web


@dataclass(frozen=True)
class Reply:
    """A normal completion whose message content is `content`."""

    content: str


@dataclass(frozen=True)
class Slow:
    """A normal completion, sent only after `seconds`."""

    seconds: float
    content: str = "Too late. [1]"


@dataclass(frozen=True)
class Status:
    """An error response with this HTTP status and an OpenAI-style error body."""

    code: int


@dataclass(frozen=True)
class Garbage:
    """A 200 response whose body is not JSON at all."""

    body: str = "<html>\x00\x01 upstream proxy says hi {{{ ]]"


@dataclass
class Seen:
    headers: dict[str, str]
    body: dict
    at: float = field(default_factory=time.monotonic)


class OpenAIDouble:
    """POST /v1/chat/completions on a free port of 127.0.0.1, answering from a script."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self._script: list = [Reply("NO ANSWER IN THE PASSAGES")]
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *behaviours) -> None:
        """Replace the script: one behaviour per request, the last repeating."""
        with self._lock:
            self._script = list(behaviours)

    def __enter__(self) -> OpenAIDouble:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _stop(self) -> None:
        """Close the server, then cancel handlers still sleeping on a slow reply."""
        await self._runner.cleanup()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def _next(self):
        with self._lock:
            return self._script.pop(0) if len(self._script) > 1 else self._script[0]

    async def _completions(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(Seen(dict(request.headers), body))
        behaviour = self._next()
        if isinstance(behaviour, Slow):
            await asyncio.sleep(behaviour.seconds)
            return _completion(body, behaviour.content)
        if isinstance(behaviour, Status):
            return _error(behaviour.code)
        if isinstance(behaviour, Garbage):
            return web.Response(status=200, text=behaviour.body, content_type="text/html")
        return _completion(body, behaviour.content)


def _completion(request: dict, content: str) -> web.Response:
    payload = {
        "id": "chatcmpl-double",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "double"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
    return web.Response(text=json.dumps(payload), content_type="application/json")


def _error(code: int) -> web.Response:
    kinds = {429: "rate_limit_exceeded", 500: "server_error", 401: "invalid_api_key"}
    payload = {
        "error": {
            "message": f"double says {code}",
            "type": kinds.get(code, "error"),
            "code": kinds.get(code),
        }
    }
    headers = {"retry-after": "1"} if code == 429 else {}
    return web.Response(
        status=code, text=json.dumps(payload), content_type="application/json", headers=headers
    )
