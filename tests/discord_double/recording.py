"""Recording of the bot's REST calls, and the waits tests use to assert on them.

A middleware wraps every /api/v10 request: it parses the body (JSON, or multipart with
payload_json), checks the bot token, applies injected failures, turns ApiError into Discord's
error JSON and unknown routes into a recorded 404, then wakes anyone waiting on a call.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import payloads as p
from .errors import ApiError
from .rest import BODY, FILES

if TYPE_CHECKING:
    from .world import World

log = logging.getLogger(__name__)

API = "/api/v10"
NO_AUTH_PREFIXES = ("/webhooks/", "/interactions/")  # authorised by the interaction token


@dataclass
class RecordedCall:
    method: str
    path: str  # relative to /api/v10, percent-decoded, e.g. "/channels/1/messages"
    json_body: Any  # parsed JSON body; for multipart, the payload_json part
    time_monotonic: float
    query: dict[str, str] = field(default_factory=dict)
    files: list[dict] = field(default_factory=list)  # {"field", "filename", "content_type", "data"}
    status: int | None = None  # None while the request is being handled
    response: Any = None
    unknown_route: bool = False


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # Exactly "application/json": discord.py only parses JSON for that content type, and
    # web.json_response / text= would append "; charset=utf-8".
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


class Recording:
    """Mixin for DiscordDouble: `calls`, `fail_next`, `calls_to` and the `wait_for_*` helpers."""

    token: str
    world: World

    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []
        self._failures: list[dict] = []
        self._changed = asyncio.Condition()

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        if not request.path.startswith(API + "/"):
            return await handler(request)  # the gateway websocket
        body, files = await _read_body(request)
        call = RecordedCall(
            request.method,
            request.path[len(API) :],
            body,
            time.monotonic(),
            dict(request.query),
            files,
        )
        self.calls.append(call)
        request[BODY], request[FILES] = body, files
        try:
            self._check_auth(request, call.path)
            self._injected_failure(call)
            result = await handler(request)
            response = (
                result
                if isinstance(result, web.StreamResponse)
                else (web.Response(status=204) if result is None else json_response(result))
            )
        except ApiError as exc:
            response = json_response(exc.body, exc.status, exc.headers)
        except web.HTTPException as exc:  # no such route (404) or method (405)
            call.unknown_route = True
            response = json_response(
                {"message": f"{exc.status}: {exc.reason}", "code": 0}, exc.status
            )
        except Exception as exc:
            # A bug in the double. Not a 5xx: discord.py would retry those with long sleeps.
            log.exception("double: %s %s failed", call.method, call.path)
            response = json_response({"message": f"double error: {exc!r}", "code": 0}, 400)
        call.status = response.status
        if isinstance(response, web.Response) and response.body:
            call.response = json.loads(response.body)
        await self._notify()
        return response

    def _check_auth(self, request: web.Request, path: str) -> None:
        if not path.startswith(NO_AUTH_PREFIXES) and (
            request.headers.get("Authorization") != f"Bot {self.token}"
        ):
            raise ApiError(401, 0, "401: Unauthorized")

    def fail_next(
        self,
        method: str,
        path: str,
        *,
        status: int = 403,
        code: int = 50013,
        message: str = "Missing Permissions",
        times: int = 1,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Answer the next `times` calls whose path contains `path` with this error. Avoid
        500, 502, 504 and 524: discord.py retries those with 1 s, 3 s, ... sleeps (503 and
        others it raises at once). `headers` and `extra` body fields shape a 429."""
        self._failures.append(
            {
                "method": method.upper(),
                "path": path,
                "times": times,
                "error": ApiError(status, code, message, headers=headers, extra=extra),
            }
        )

    def rate_limit_next(self, method: str, path: str, retry_after: float) -> None:
        """Answer the next matching call with Discord's 429 (as its API, not Cloudflare)."""
        self.fail_next(
            method,
            path,
            status=429,
            code=0,
            message="You are being rate limited.",
            headers={"Via": "1.1 google", "Retry-After": str(retry_after)},
            extra={"retry_after": retry_after, "global": False},
        )

    def _injected_failure(self, call: RecordedCall) -> None:
        for rule in self._failures:
            if rule["times"] > 0 and rule["method"] == call.method and rule["path"] in call.path:
                rule["times"] -= 1
                raise rule["error"]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def calls_to(self, method: str | None = None, path: str = "") -> list[RecordedCall]:
        """Finished calls with this method (any if None) whose path contains `path`."""
        return [
            c
            for c in self.calls
            if c.status is not None
            and path in c.path
            and (method is None or c.method == method.upper())
        ]

    @property
    def unknown_calls(self) -> list[RecordedCall]:
        return [c for c in self.calls if c.unknown_route]

    async def wait_for_call(
        self,
        predicate: Callable[[RecordedCall], bool] | None = None,
        *,
        method: str | None = None,
        path: str = "",
        timeout: float = 5.0,
        since: int = 0,
    ) -> RecordedCall:
        """The first finished call (from index `since` of `calls`) matching all the criteria,
        waiting up to `timeout` seconds for it; fails with the calls seen so far."""

        def find() -> RecordedCall | None:
            for call in self.calls_to(method, path):
                if self.calls.index(call) >= since and (predicate is None or predicate(call)):
                    return call
            return None

        return await self._wait(find, timeout, f"a {method or 'any'} call to {path!r}")

    async def wait_for_message(
        self,
        predicate: Callable[[dict], bool] | None = None,
        *,
        channel_id: int | None = None,
        timeout: float = 5.0,
    ) -> dict:
        """The oldest message the bot posted (by any route; not a 'thinking...' placeholder)
        matching the criteria, waiting up to `timeout` seconds for one."""

        def find() -> dict | None:
            for msg in list(self.world.messages.values()):
                if (
                    msg["author"]["id"] == str(self.world.bot.id)
                    and not msg["flags"] & p.LOADING
                    and (channel_id is None or msg["channel_id"] == str(channel_id))
                    and (predicate is None or predicate(msg))
                ):
                    return msg
            return None

        return await self._wait(find, timeout, "a bot message")

    async def _wait(self, find: Callable[[], Any], timeout: float, what: str) -> Any:
        try:
            async with self._changed:
                return await asyncio.wait_for(self._changed.wait_for(find), timeout)
        except TimeoutError:
            seen = "\n  ".join(f"{c.method} {c.path} -> {c.status}" for c in self.calls[-20:])
            raise AssertionError(f"no {what} within {timeout}s; last calls:\n  {seen}") from None


async def _read_body(request: web.Request) -> tuple[Any, list[dict]]:
    """JSON bodies, or multipart ones (payload_json + files[n]) as discord.py sends files."""
    files: list[dict] = []
    if request.content_type.startswith("multipart/"):
        body = None
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if part.name == "payload_json":
                body = json.loads(await part.text())
            else:
                files.append(
                    {
                        "field": part.name,
                        "filename": part.filename,
                        "content_type": part.headers.get("Content-Type"),
                        "data": await part.read(),
                    }
                )
        return body, files
    text = await request.text() if request.can_read_body else ""
    try:
        return (json.loads(text) if text else None), files
    except ValueError:
        return text, files
