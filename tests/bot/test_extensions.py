"""Every extension loads into a real bot and its slash commands exist as designed."""

from __future__ import annotations

import pytest
from discord.ext import commands

from bot.client import EXTENSIONS, SeedBot
from bot.views import SourcesButton, VoteButton
from retrieval.settings import Settings

COMMANDS = {"ask", "summary", "sources", "reindex", "feedback"}


@pytest.fixture
async def bot(tmp_path):
    built = SeedBot(settings=Settings(feedback_db=tmp_path / "feedback.sqlite3"))
    await built.setup_hook()
    yield built
    await built.close()


async def test_every_extension_loads_with_its_cog(bot):
    assert set(bot.extensions) == set(EXTENSIONS)
    assert {name for name in bot.cogs} == {"Ask", "Summary", "Sources", "Reindex", "Feedback"}
    assert all(isinstance(cog, commands.Cog) for cog in bot.cogs.values())


async def test_slash_commands_exist_with_descriptions_and_options(bot):
    tree = {c.name: c for c in bot.tree.get_commands()}
    assert set(tree) == COMMANDS
    for command in tree.values():
        payload = command.to_dict(bot.tree)
        assert 1 <= len(payload["description"]) <= 100, command.name
    ask = tree["ask"].to_dict(bot.tree)["options"]
    assert [(o["name"], o["required"]) for o in ask] == [("question", True)]
    summary = {o["name"]: o for o in tree["summary"].to_dict(bot.tree)["options"]}
    assert summary["document"]["autocomplete"] is True and not summary["document"]["required"]
    assert not summary["topic"]["required"]


async def test_moderator_commands_are_hinted_and_enforced(bot):
    for name in ("reindex", "feedback"):
        command = bot.tree.get_command(name)
        assert command.default_permissions.manage_guild  # the hint server admins may override
        assert command.checks, "the bot must enforce it too"
        assert command.guild_only


async def test_buttons_survive_restarts_as_dynamic_items(bot):
    patterns = bot._connection._view_store._dynamic_items.values()
    assert {VoteButton, SourcesButton} <= set(patterns)


async def test_extensions_unload_and_reload(bot):
    for extension in EXTENSIONS:
        await bot.reload_extension(extension)
    assert {c.name for c in bot.tree.get_commands()} == COMMANDS
    await bot.unload_extension("bot.cogs.ask")
    assert bot.tree.get_command("ask") is None
