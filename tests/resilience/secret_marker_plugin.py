"""A pytest plugin that runs the e2e suite with every secret set to one marker, and looks for it.

Loaded by tests/resilience/test_secrets.py as `pytest tests/e2e -p <this module>`:
- the Discord double's bot token (so the bot's DISCORD_TOKEN), CHROMA_TOKEN and LLM_API_KEY
  all become MARKER;
- every bot log, every command's output, every REST call the bot made (path, query, body,
  files) and every message in the double is searched for it when its fixture ends;
- the findings go to the JSON file named by SEEDBOT_MARKER_REPORT.
Request headers are not searched: the bot must send its token to Discord there.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.resilience.bot_process import MARKER

_found: dict = {
    "leaks": [],
    "log_lines": 0,
    "outputs": 0,
    "calls": 0,
    "messages": 0,
    "bots_with_marker": 0,
    "doubles_with_marker": 0,
}


def pytest_configure(config) -> None:
    import tests.discord_double.server as server
    import tests.e2e.conftest as e2e

    e2e.BOT_SETTINGS.update(CHROMA_TOKEN=MARKER, LLM_API_KEY=MARKER)
    server.DiscordDouble.__init__.__kwdefaults__["token"] = MARKER
    original = e2e.run_command

    async def run_command(*args, **kwargs):
        code, out, err = await original(*args, **kwargs)
        _search("command output", (out + err).splitlines(), "outputs")
        return code, out, err

    e2e.run_command = run_command


def pytest_fixture_post_finalizer(fixturedef, request) -> None:
    result = fixturedef.cached_result
    if result is None or result[0] is None:
        return
    if fixturedef.argname == "bot_process":
        secrets = ("DISCORD_TOKEN", "CHROMA_TOKEN", "LLM_API_KEY")
        _found["bots_with_marker"] += all(result[0].env.get(k) == MARKER for k in secrets)
        lines = result[0].log().splitlines()
        _search("bot log", lines, "log_lines")
    elif fixturedef.argname == "double":
        double = result[0]
        _found["doubles_with_marker"] += double.token == MARKER
        calls = [f"{c.method} {c.path} {c.query} {c.json_body} {c.files}" for c in double.calls]
        _search("REST call", calls, "calls")
        _search("message", [str(m) for m in double.messages.values()], "messages")


def _search(kind: str, texts: list[str], counter: str) -> None:
    _found[counter] += len(texts)
    _found["leaks"] += [f"{kind}: {t[:300]}" for t in texts if MARKER in t]


def pytest_sessionfinish(session, exitstatus) -> None:
    report = os.environ.get("SEEDBOT_MARKER_REPORT")
    if report:
        Path(report).write_text(json.dumps(_found, indent=1), encoding="utf-8")
