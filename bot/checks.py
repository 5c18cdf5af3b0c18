"""Who may use the moderator commands: enforced here, not left to Discord's default_permissions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import discord
from discord import app_commands

from bot.errors import NotModerator

T = TypeVar("T")


def is_moderator(
    permissions: discord.Permissions, role_names: Iterable[str], moderator_roles: Iterable[str]
) -> bool:
    """Manage Server (or Administrator), or a role named in MODERATOR_ROLES (any case)."""
    if permissions.administrator or permissions.manage_guild:
        return True
    allowed = {name.casefold() for name in moderator_roles}
    return any(name.casefold() in allowed for name in role_names)


def moderator_message(moderator_roles: Iterable[str]) -> str:
    roles = ", ".join(f"“{name}”" for name in moderator_roles)
    also = f" or one of the roles {roles}" if roles else ""
    return f"Only moderators can do that: members with Manage Server{also}."


def moderator_only() -> Callable[[T], T]:
    """An app-command check: the member must be a moderator, else NotModerator."""

    async def predicate(interaction: discord.Interaction) -> bool:
        configured = interaction.client.settings.moderator_roles
        roles = [role.name for role in getattr(interaction.user, "roles", ())]
        if is_moderator(interaction.permissions, roles, configured):
            return True
        raise NotModerator(moderator_message(configured))

    return app_commands.check(predicate)
