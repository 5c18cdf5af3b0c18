"""`seedbot doctor`: one line per check, the stale index named file by file."""

from __future__ import annotations

import asyncio
import base64

from pydantic import SecretStr

from bot.terminal.doctor import run_doctor
from retrieval.index.staleness import compare
from tests.discord_double import DiscordDouble, pointed_at

# The shape of a bot token (an id in base64, a timestamp, an HMAC), not a real one.
TOKEN_LIKE = base64.b64encode(b"123456789012345678").decode().rstrip("=") + ".GAbCdE." + "x" * 38


def doctor_lines(settings, **kwargs) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = run_doctor(settings, echo=lines.append, **kwargs)
    return code, lines


def test_a_fresh_index_passes_every_offline_check(service):
    settings = service.settings.replace(discord_token=SecretStr(TOKEN_LIKE))
    code, lines = doctor_lines(settings)
    assert code == 0
    assert [line.split(":")[0] for line in lines] == [
        "ok   settings",
        "ok   store",
        "ok   index",
        "ok   freshness",
        "ok   discord token",
        "skip discord login",
    ]
    assert "application 123456789012345678" in lines[4]
    assert TOKEN_LIKE not in "\n".join(lines)


def test_edited_added_and_removed_files_are_named(service):
    corpus = service.settings.corpus_dir
    first, second = sorted(p.name for p in corpus.iterdir())[:2]
    (corpus / first).write_text((corpus / first).read_text() + "\nA new line.\n")
    (corpus / second).unlink()
    (corpus / "new.md").write_text("A new document about lighthouses.\n")
    staleness = compare(corpus, service.sources().documents)
    assert (staleness.changed, staleness.added, staleness.removed) == (
        (first,),
        ("new.md",),
        (second,),
    )
    code, lines = doctor_lines(service.settings)
    assert code == 0  # stale is a warning: answers still come from the live index
    fresh = next(line for line in lines if line.startswith("warn freshness"))
    assert f"changed {first}; added new.md; removed {second}" in fresh


def test_no_index_and_a_malformed_token_fail(settings):
    code, lines = doctor_lines(settings.replace(discord_token=SecretStr("not-a-token")))
    assert code == 2
    assert any(line.startswith("FAIL index: none yet") for line in lines)
    assert any(line.startswith("FAIL discord token") for line in lines)


async def test_online_login_against_the_double(service):
    settings = service.settings.replace(discord_token=SecretStr(TOKEN_LIKE))
    async with DiscordDouble(token=TOKEN_LIKE) as double:
        with pointed_at(double):
            code, lines = await asyncio.to_thread(doctor_lines, settings, online=True)
    assert code == 0, lines
    assert lines[-1] == f"ok   discord login: logged in as {double.bot.username}"


async def test_online_login_with_a_refused_token(service):
    settings = service.settings.replace(discord_token=SecretStr(TOKEN_LIKE))
    async with DiscordDouble() as double:
        with pointed_at(double):
            code, lines = await asyncio.to_thread(doctor_lines, settings, online=True)
    assert code == 2
    assert lines[-1].startswith("FAIL discord login: Discord refused the token")
