"""Builders for the JSON objects Discord sends (users, members, roles, channels, messages, ...).

Pure functions over plain dicts, so the shapes can be read in one place. Field names and the
fields discord.py insists on (it indexes some keys without .get) follow Discord's API v10 docs
and discord.py 2.7's parsers; ids are strings on the wire, as Discord sends them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | ADD_REACTIONS
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
MODERATOR_PERMISSIONS = MANAGE_GUILD | MANAGE_MESSAGES | MANAGE_THREADS | MENTION_EVERYONE

# Message flags.
EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Channel types.
GUILD_TEXT = 0
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12


class Snowflakes:
    """Ids shaped like Discord's (ms since 2015 << 22), strictly increasing, so that
    discord.py's `created_at` and id ordering both make sense."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


def now_iso(offset: timedelta | None = None) -> str:
    moment = datetime.now(UTC) + (offset or timedelta())
    return moment.isoformat(timespec="microseconds")


@dataclass
class Person:
    """A user in the test guild (a human or the bot); `roles` holds role ids (not @everyone)."""

    id: int
    username: str
    roles: list[int] = field(default_factory=list)
    bot: bool = False
    nick: str | None = None
    joined_at: str = field(default_factory=now_iso)

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


def user(person: Person) -> dict[str, Any]:
    data = {
        "id": str(person.id),
        "username": person.username,
        "global_name": None if person.bot else person.username.title(),
        "discriminator": "0",
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
    }
    if person.bot:
        data["bot"] = True
    return data


def member(person: Person, *, with_user: bool = True, permissions: int | None = None) -> dict:
    """A guild member object; `permissions` is only present in interaction payloads."""
    data: dict[str, Any] = {
        "roles": [str(r) for r in person.roles],
        "nick": person.nick,
        "avatar": None,
        "banner": None,
        "joined_at": person.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,  # discord.py's Member indexes data["flags"]
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user(person)
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def role(role_id: int, name: str, permissions: int, position: int, **extra: Any) -> dict:
    data = {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    data.update(extra)
    return data


def text_channel(channel_id: int, guild_id: int, name: str, position: int) -> dict:
    return {
        "id": str(channel_id),
        "type": GUILD_TEXT,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "parent_id": None,
        "topic": None,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "default_auto_archive_duration": 1440,
        "flags": 0,
    }


def thread(
    thread_id: int,
    parent: dict,
    owner_id: int,
    name: str,
    *,
    kind: int = PUBLIC_THREAD,
    auto_archive_duration: int = 1440,
    bot_id: int | None = None,
) -> dict:
    data = {
        "id": str(thread_id),
        "type": kind,
        "guild_id": parent["guild_id"],
        "parent_id": parent["id"],
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": auto_archive_duration,
            "archive_timestamp": now_iso(),
            "locked": False,
            "invitable": True,
            "create_timestamp": now_iso(),
        },
    }
    if bot_id is not None and bot_id == owner_id:
        # The creator is joined to the thread; Discord includes its thread member.
        data["member"] = {
            "id": str(thread_id),
            "user_id": str(owner_id),
            "join_timestamp": now_iso(),
            "flags": 0,
        }
    return data


def guild(
    guild_id: int,
    name: str,
    owner_id: int,
    roles: list[dict],
    channels: list[dict],
    members: list[dict],
    member_count: int,
    threads: list[dict],
) -> dict:
    """The GUILD_CREATE payload: a guild object plus the gateway-only extra fields."""
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": roles,
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        # GUILD_CREATE extras
        "joined_at": now_iso(),
        "large": False,
        "unavailable": False,
        "member_count": member_count,
        "members": members,
        "channels": channels,
        "threads": threads,
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def message(
    *,
    message_id: int,
    channel_id: int,
    guild_id: int,
    author: Person,
    content: str = "",
    **fields: Any,
) -> dict:
    """A message object; `fields` overrides any default (embeds, components, flags, ...)."""
    data: dict[str, Any] = {
        "id": str(message_id),
        "type": 0,
        "channel_id": str(channel_id),
        "guild_id": str(guild_id),
        "author": user(author),
        "member": member(author, with_user=False),
        "content": content,
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "reactions": [],
        "pinned": False,
        "flags": 0,
    }
    data.update(fields)
    return data


def interaction(
    *,
    interaction_id: int,
    application_id: int,
    kind: int,
    data: dict,
    guild_id: int,
    channel: dict,
    member_payload: dict,
    token: str,
    app_permissions: int,
    message_payload: dict | None = None,
    locale: str = "en-US",
) -> dict:
    """An INTERACTION_CREATE payload as a guild member would cause it."""
    payload = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": kind,
        "data": data,
        "guild_id": str(guild_id),
        "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
        "channel_id": channel["id"],
        "channel": channel,
        "member": member_payload,
        "token": token,
        "version": 1,
        "locale": locale,
        "guild_locale": "en-US",
        "app_permissions": str(app_permissions),
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if message_payload is not None:
        payload["message"] = message_payload
    return payload
