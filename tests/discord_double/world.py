"""The fake guild's state: people, roles, channels, threads, messages and registered commands.

No I/O here; the REST routes, the gateway and the test-facing API all read and change this.
"""

from __future__ import annotations

import re
from typing import Any

from . import payloads as p
from .errors import ApiError, unknown
from .payloads import Person

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


class World:
    def __init__(self, bot_name: str = "seedbot") -> None:
        self.ids = p.Snowflakes()
        self.guild_id = self.ids.next()
        # Since 2020 a bot's user id equals its application id.
        self.application_id = self.ids.next()
        self.application_flags = (1 << 13) | (1 << 15) | (1 << 19) | (1 << 23)
        self.roles: dict[int, dict] = {}
        self.people: dict[int, Person] = {}
        self.channels: dict[int, dict] = {}  # text channels and threads
        self.messages: dict[int, dict] = {}
        self.commands: dict[int | None, list[dict]] = {}  # None = global, else guild id
        self._unsynced_ids: dict[str, int] = {}

        self.add_role("@everyone", p.EVERYONE_PERMISSIONS, role_id=self.guild_id)
        self.add_role("Member", 0)
        self.add_role("Moderator", p.MODERATOR_PERMISSIONS)
        bot_role = self.add_role(
            bot_name, p.MANAGE_MESSAGES | p.MANAGE_THREADS | p.MENTION_EVERYONE
        )
        self.bot = self.add_person(bot_name, [bot_role], bot=True, person_id=self.application_id)
        self.roles[bot_role]["managed"] = True
        self.roles[bot_role]["tags"] = {"bot_id": str(self.bot.id)}
        self.owner = self.add_person("owner", [])
        self.moderator = self.add_person("mod", [self.role_id("Member"), self.role_id("Moderator")])
        self.member = self.add_person("alice", [self.role_id("Member")])
        self.channel_id = self.add_text_channel("general")

    # -- building the guild ---------------------------------------------------------------
    def add_role(self, name: str, permissions: int, role_id: int | None = None) -> int:
        role_id = role_id or self.ids.next()
        self.roles[role_id] = p.role(role_id, name, permissions, position=len(self.roles))
        return role_id

    def role_id(self, name_or_id: str | int) -> int:
        if isinstance(name_or_id, int):
            return name_or_id
        for role_id, role in self.roles.items():
            if role["name"] == name_or_id:
                return role_id
        raise KeyError(
            f"no role named {name_or_id!r}; roles: {[r['name'] for r in self.roles.values()]}"
        )

    def add_person(
        self, name: str, roles: list[int], *, bot: bool = False, person_id: int | None = None
    ) -> Person:
        person = Person(id=person_id or self.ids.next(), username=name, roles=roles, bot=bot)
        self.people[person.id] = person
        return person

    def add_text_channel(self, name: str) -> int:
        channel_id = self.ids.next()
        position = sum(1 for c in self.channels.values() if c["type"] == p.GUILD_TEXT)
        self.channels[channel_id] = p.text_channel(channel_id, self.guild_id, name, position)
        return channel_id

    # -- reading --------------------------------------------------------------------------
    def permissions_for(self, person: Person) -> int:
        """Guild-level permissions (no channel overwrites exist in the double)."""
        if person.id == self.owner.id:
            return p.ALL_PERMISSIONS
        value = int(self.roles[self.guild_id]["permissions"])
        for role_id in person.roles:
            value |= int(self.roles[role_id]["permissions"])
        return p.ALL_PERMISSIONS if value & p.ADMINISTRATOR else value

    def person(self, user_id: int | str) -> Person:
        try:
            return self.people[int(user_id)]
        except KeyError:
            raise unknown("User") from None

    def channel(self, channel_id: int | str) -> dict:
        try:
            return self.channels[int(channel_id)]
        except KeyError:
            raise unknown("Channel") from None

    def message(self, channel_id: int | str, message_id: int | str) -> dict:
        msg = self.messages.get(int(message_id))
        if msg is None or msg["channel_id"] != str(channel_id):
            raise unknown("Message")
        return msg

    def messages_in(self, channel_id: int) -> list[dict]:
        return [m for m in self.messages.values() if m["channel_id"] == str(channel_id)]

    def member_payload(self, person: Person, **kwargs: Any) -> dict:
        return p.member(person, **kwargs)

    def guild_create_payload(self, *, full_members: bool) -> dict:
        everyone = self.people.values() if full_members else [self.bot]
        channels = [c for c in self.channels.values() if c["type"] == p.GUILD_TEXT]
        threads = [c for c in self.channels.values() if c["type"] != p.GUILD_TEXT]
        return p.guild(
            self.guild_id,
            "Test Guild",
            self.owner.id,
            list(self.roles.values()),
            channels,
            [p.member(m) for m in everyone],
            len(self.people),
            threads,
        )

    def guild_payload(self) -> dict:
        """The REST guild object: GUILD_CREATE without the gateway-only fields."""
        data = self.guild_create_payload(full_members=False)
        for key in (
            "joined_at",
            "large",
            "unavailable",
            "member_count",
            "members",
            "channels",
            "threads",
            "presences",
            "voice_states",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
        ):
            data.pop(key)
        return data

    # -- messages -------------------------------------------------------------------------
    def mentions(
        self, author: Person, content: str, allowed: dict | None, replied_to: dict | None
    ) -> dict[str, Any]:
        """Who a message pings. With no allowed_mentions Discord parses everything; with one,
        only what it allows (a missing `replied_user` means no ping for the replied author)."""
        parse = (
            {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
        )
        users = {str(u) for u in allowed.get("users") or []} if allowed else set()
        roles = {str(r) for r in allowed.get("roles") or []} if allowed else set()
        perms = self.permissions_for(author)
        user_ids = [u for u in USER_MENTION.findall(content) if "users" in parse or u in users]
        if replied_to is not None and (allowed is None or allowed.get("replied_user")):
            user_ids.append(replied_to["author"]["id"])
        mentioned = []
        for user_id in dict.fromkeys(user_ids):
            person = self.people.get(int(user_id))
            if person is not None:
                mentioned.append({**p.user(person), "member": p.member(person, with_user=False)})
        role_ids = [
            r
            for r in ROLE_MENTION.findall(content)
            if int(r) in self.roles
            and ("roles" in parse or r in roles)
            and (self.roles[int(r)]["mentionable"] or perms & p.MENTION_EVERYONE)
        ]
        everyone = (
            ("@everyone" in content or "@here" in content)
            and "everyone" in parse
            and bool(perms & p.MENTION_EVERYONE)
        )
        return {
            "mentions": mentioned,
            "mention_roles": list(dict.fromkeys(role_ids)),
            "mention_everyone": everyone,
        }

    def new_message(
        self, channel_id: int, author: Person, content: str = "", **fields: Any
    ) -> dict:
        channel = self.channel(channel_id)
        message_id = fields.pop("message_id", None) or self.ids.next()
        msg = p.message(
            message_id=message_id,
            channel_id=channel_id,
            guild_id=self.guild_id,
            author=author,
            content=content,
            **fields,
        )
        self.messages[message_id] = msg
        channel["last_message_id"] = str(message_id)
        if channel["type"] != p.GUILD_TEXT:
            channel["message_count"] += 1
            channel["total_message_sent"] += 1
        return msg

    def reply_fields(self, channel_id: int, reference: dict | None) -> dict:
        """message_reference / referenced_message fields for a reply, or {}."""
        if not reference or not reference.get("message_id"):
            return {}
        ref_channel = int(reference.get("channel_id") or channel_id)
        try:
            target = self.message(ref_channel, reference["message_id"])
        except ApiError:
            if reference.get("fail_if_not_exists", True):
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "message_reference": {
                            "_errors": [
                                {
                                    "code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                    "message": "Unknown message",
                                }
                            ]
                        }
                    },
                ) from None
            return {}
        return {
            "type": 19,
            "referenced_message": target,
            "message_reference": {
                "type": 0,
                "message_id": target["id"],
                "channel_id": target["channel_id"],
                "guild_id": str(self.guild_id),
            },
        }

    # -- threads --------------------------------------------------------------------------
    def create_thread(
        self,
        parent_id: int,
        owner: Person,
        name: str,
        *,
        from_message: int | None = None,
        kind: int = p.PUBLIC_THREAD,
        auto_archive_duration: int = 1440,
    ) -> dict:
        parent = self.channel(parent_id)
        if parent["type"] != p.GUILD_TEXT:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        if from_message is not None:
            starter = self.message(parent_id, from_message)
            if "thread" in starter:
                raise ApiError(400, 160004, "A thread has already been created for this message")
        # A thread started from a message has the message's id, as on Discord.
        thread_id = from_message or self.ids.next()
        data = p.thread(
            thread_id,
            parent,
            owner.id,
            name,
            kind=kind,
            auto_archive_duration=auto_archive_duration,
            bot_id=self.bot.id,
        )
        self.channels[thread_id] = data
        if from_message is not None:
            self.messages[from_message]["thread"] = data
        return data

    # -- application commands -------------------------------------------------------------
    def find_command(self, name: str, kind: int = 1) -> tuple[dict | None, int | None]:
        """(command, guild_id or None) for a registered command; guild commands win, as in
        Discord's client."""
        for scope in (self.guild_id, None):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == kind:
                    return cmd, scope
        return None, None

    def unsynced_command_id(self, name: str) -> int:
        return self._unsynced_ids.setdefault(name, self.ids.next())
