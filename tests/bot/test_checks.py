"""Who counts as a moderator."""

from __future__ import annotations

import discord
import pytest

from bot.checks import is_moderator, moderator_message


@pytest.mark.parametrize(
    ("permissions", "roles", "configured", "allowed"),
    [
        (discord.Permissions(manage_guild=True), [], (), True),
        (discord.Permissions(administrator=True), [], (), True),
        (discord.Permissions(manage_messages=True, kick_members=True), [], (), False),
        (discord.Permissions.none(), ["Member", "Curator"], ("curator",), True),
        (discord.Permissions.none(), ["Member"], ("Curator",), False),
        (discord.Permissions.none(), [], (), False),
    ],
)
def test_is_moderator(permissions, roles, configured, allowed):
    assert is_moderator(permissions, roles, configured) is allowed


def test_refusal_names_the_ways_in():
    assert "Manage Server" in moderator_message(())
    assert "“Curator”, “Librarian”" in moderator_message(("Curator", "Librarian"))
