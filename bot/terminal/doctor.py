"""`seedbot doctor`: one line per check of what the bot needs, so a deployer sees what to fix."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from retrieval.errors import IndexMissingError, SeedbotError
from retrieval.settings import Settings

TOKEN_SHAPE = re.compile(r"^([A-Za-z0-9_-]{17,}={0,2})\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
MARKS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL", "skip": "skip"}


@dataclass(frozen=True)
class Check:
    status: str  # ok, warn, fail or skip
    name: str
    detail: str

    @property
    def line(self) -> str:
        return f"{MARKS[self.status]} {self.name}: {self.detail}"


def run_doctor(settings: Settings, online: bool = False, echo: Callable = print) -> int:
    """Print every check; 0 when none failed, else 2 (warnings don't fail)."""
    checks = list(all_checks(settings, online))
    for check in checks:
        echo(check.line)
    return 2 if any(c.status == "fail" for c in checks) else 0


def all_checks(settings: Settings, online: bool) -> Iterator[Check]:
    where = f"corpus {settings.corpus_dir}, log level {settings.log_level}"
    yield Check("ok", "settings", f"loaded ({where})")
    yield from index_checks(settings)
    yield token_shape(settings)
    if online:
        yield token_login(settings)
    else:
        yield Check("skip", "discord login", "not tried (add --online to log in with the token)")


def index_checks(settings: Settings) -> Iterator[Check]:
    from retrieval.assembly import build_service as open_service
    from retrieval.index.staleness import compare

    try:
        info = open_service(settings).sources()
    except IndexMissingError:
        yield Check("ok", "store", f"opens ({store_where(settings)})")
        yield Check("fail", "index", "none yet: run `seedbot index` (make run builds it too)")
        return
    except SeedbotError as exc:
        yield Check("fail", "store", str(exc))
        return
    yield Check("ok", "store", f"opens ({store_where(settings)})")
    yield Check("ok", "index", f"{len(info.documents)} documents, {info.passages} passages")
    try:
        staleness = compare(settings.corpus_dir, info.documents)
    except SeedbotError as exc:
        yield Check("fail", "corpus", str(exc))
        return
    yield stale_check(staleness)


def stale_check(staleness) -> Check:
    if not staleness.stale:
        return Check("ok", "freshness", "the index matches the corpus folder")
    return Check("warn", "freshness", "stale: " + describe_changes(staleness) + stale_hint())


def describe_changes(staleness) -> str:
    """'changed a.txt; added b.md; removed c.txt' for the files that differ."""
    parts = [
        f"{label} {', '.join(files)}"
        for label, files in (
            ("changed", staleness.changed),
            ("added", staleness.added),
            ("removed", staleness.removed),
        )
        if files
    ]
    return "; ".join(parts)


def stale_hint() -> str:
    return " (answers still come from the last refresh; run `seedbot index` or /reindex)"


def store_where(settings: Settings) -> str:
    if settings.chroma_host:
        return f"Chroma server {settings.chroma_host}:{settings.chroma_port}"
    return str(settings.store_dir)


def token_shape(settings: Settings) -> Check:
    token = settings.discord_token.get_secret_value() if settings.discord_token else ""
    if not token:
        return Check("skip", "discord token", "DISCORD_TOKEN is not set (make run opens the chat)")
    match = TOKEN_SHAPE.match(token)
    user_id = _decoded_id(match.group(1)) if match else None
    if user_id is None:
        return Check(
            "fail",
            "discord token",
            "DISCORD_TOKEN does not look like a bot token (three dot-separated parts): copy it "
            "again from the developer portal, Bot > Reset Token",
        )
    return Check("ok", "discord token", f"looks like a bot token for application {user_id}")


def _decoded_id(first: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def token_login(settings: Settings) -> Check:
    import os

    import discord

    from bot.failures import explain
    from bot.runner import endpoint_overrides

    if not settings.discord_token:
        return Check("skip", "discord login", "no token to try")
    endpoint_overrides(os.environ)

    async def login() -> str:
        async with discord.Client(intents=discord.Intents.none()) as client:
            await client.login(settings.discord_token.get_secret_value())
            return str(client.user)

    try:
        return Check("ok", "discord login", f"logged in as {asyncio.run(login())}")
    except Exception as exc:
        return Check("fail", "discord login", explain(exc, "log in").message)
