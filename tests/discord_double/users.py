"""What the test does as the guild's users: post messages, run slash commands, click buttons,
start threads, join the guild. Each action is the gateway event Discord would send the bot."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from . import payloads as p
from .interactions import InteractionRoutes, SentInteraction
from .payloads import Person

if TYPE_CHECKING:
    from .gateway import Gateway
    from .world import World


class UserActions:
    """Mixin for DiscordDouble."""

    world: World
    gateway: Gateway
    _interaction_routes: InteractionRoutes
    member: Person
    channel_id: int

    _notify: Callable[[], Awaitable[None]]

    def require_gateway(self) -> Gateway:
        if self.gateway.session is None:
            raise RuntimeError("no bot has identified on the double's gateway yet")
        return self.gateway

    async def wait_until_connected(self, timeout: float = 5.0) -> None:
        await asyncio.wait_for(self.gateway.ready.wait(), timeout)

    async def send_message(
        self,
        channel_id: int,
        author: Person,
        content: str,
        *,
        mentions: list[Person] | None = None,
        reply_to: dict | None = None,
        embeds: list[dict] | None = None,
    ) -> dict:
        """A user posts in a channel or thread (MESSAGE_CREATE). Mentions are parsed from
        <@id> in `content`; `mentions` replaces that list outright."""
        gateway, world = self.require_gateway(), self.world
        reply = world.reply_fields(channel_id, {"message_id": reply_to["id"]} if reply_to else None)
        pings = world.mentions(author, content, None, reply.get("referenced_message"))
        if mentions is not None:
            pings["mentions"] = [
                {**p.user(m), "member": p.member(m, with_user=False)} for m in mentions
            ]
        msg = world.new_message(channel_id, author, content, **pings, **reply, embeds=embeds or [])
        await gateway.dispatch("MESSAGE_CREATE", msg)
        await self._notify()
        return msg

    async def send_slash_command(
        self,
        name: str,
        options: dict[str, Any] | list | None = None,
        member: Person | None = None,
        channel_id: int | None = None,
        *,
        guild_command: bool | None = None,
    ) -> SentInteraction:
        """A user runs /name (INTERACTION_CREATE type 2). See InteractionRoutes.command_data."""
        data = self._interaction_routes.command_data(name, options, guild_command=guild_command)
        return await self._interaction_routes.create(
            2, data, member or self.member, channel_id or self.channel_id
        )

    async def send_autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        member: Person | None = None,
        channel_id: int | None = None,
    ) -> SentInteraction:
        """A user types into option `focused` of /name (INTERACTION_CREATE type 4)."""
        data = self._interaction_routes.command_data(name, options, focused=focused)
        return await self._interaction_routes.create(
            4, data, member or self.member, channel_id or self.channel_id
        )

    async def click_button(
        self, message: dict | int, custom_id: str, member: Person | None = None
    ) -> SentInteraction:
        """A user clicks a button on a message the bot sent (INTERACTION_CREATE type 3)."""
        msg, component = self._component(message, custom_id)
        if component.get("type") != 2:
            raise ValueError(f"{custom_id!r} is not a button: {component}")
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interaction_routes.create(
            3, data, member or self.member, int(msg["channel_id"]), message=msg
        )

    async def select_option(
        self, message: dict | int, custom_id: str, values: list[str], member: Person | None = None
    ) -> SentInteraction:
        """A user picks `values` in a select menu (INTERACTION_CREATE type 3)."""
        msg, component = self._component(message, custom_id)
        data = {"custom_id": custom_id, "component_type": component["type"], "values": values}
        return await self._interaction_routes.create(
            3, data, member or self.member, int(msg["channel_id"]), message=msg
        )

    def _component(self, message: dict | int, custom_id: str) -> tuple[dict, dict]:
        msg = self.world.messages[int(message["id"] if isinstance(message, dict) else message)]
        stack = list(msg["components"])
        while stack:
            item = stack.pop()
            if item.get("custom_id") == custom_id:
                if item.get("disabled"):
                    raise ValueError(f"component {custom_id!r} is disabled; users cannot use it")
                return msg, item
            stack.extend(item.get("components") or [])
        raise LookupError(f"message {msg['id']} has no component {custom_id!r}")

    async def make_member(
        self, name: str, roles: list[str | int] = (), *, permissions: int | None = None
    ) -> Person:
        """A new guild member; `permissions` is granted through a new role made for them."""
        world = self.world
        role_ids = [world.role_id(r) for r in roles]
        if permissions is not None:
            role_ids.append(world.add_role(f"{name}-role", permissions))
            if self.gateway.session is not None:
                await self.gateway.dispatch(
                    "GUILD_ROLE_CREATE",
                    {"guild_id": str(world.guild_id), "role": world.roles[role_ids[-1]]},
                )
        person = world.add_person(name, role_ids)
        if self.gateway.session is not None:
            await self.gateway.dispatch(
                "GUILD_MEMBER_ADD", {**p.member(person), "guild_id": str(world.guild_id)}
            )
        return person

    async def make_channel(self, name: str) -> int:
        channel_id = self.world.add_text_channel(name)
        if self.gateway.session is not None:
            await self.gateway.dispatch("CHANNEL_CREATE", self.world.channels[channel_id])
        return channel_id

    async def create_thread(
        self,
        channel_id: int,
        name: str,
        owner: Person | None = None,
        *,
        from_message: dict | None = None,
    ) -> dict:
        """A user starts a thread (from a message, or standalone); the bot gets THREAD_CREATE."""
        thread = self.world.create_thread(
            channel_id,
            owner or self.member,
            name,
            from_message=int(from_message["id"]) if from_message else None,
        )
        await self.require_gateway().dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread
