"""A local Discord API double: REST and gateway on 127.0.0.1 for discord.py's unmodified client.

Use it like this (the `discord_double` fixture in fixtures.py does steps 1-2 for you)::

    async with DiscordDouble() as double:                       # 1. start (free port)
        # 2. point discord.py at it (restore both afterwards)
        discord.http.Route.BASE = double.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(double.gateway_url)
        # 3. run the real bot; guild_ready_timeout=0.1 makes `ready` come quickly
        async with run_client(bot, double):                     # from fixtures.py
            # 4. act as users: these dispatch gateway events to the bot
            msg = await double.send_message(double.channel_id, double.member, "!ping")
            sent = await double.send_slash_command("echo", {"text": "hi"})
            # 5. assert on what the bot did over REST, waiting with a timeout
            call = await double.wait_for_call(method="POST", path="/messages", timeout=5)
            assert call.json_body["content"] == "pong"
            reply = await double.wait_for_message(channel_id=double.channel_id)  # by any route

The world: one guild (`guild_id`) with a text channel (`channel_id`), roles @everyone, Member,
Moderator (Manage Server) and the bot's managed role, and people `owner`, `moderator`, `member`
and `bot`. Every REST call is kept in `calls` (paths relative to /api/v10); messages the bot and
the test users create are kept in `messages`. Discord's limits and interaction rules are enforced
(see errors.py and interactions.py), so mistakes fail here as they would on Discord.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import payloads as p
from .gateway import PRIVILEGED, Gateway
from .interactions import InteractionRoutes, SentInteraction
from .recording import API, RecordedCall, Recording, json_response
from .rest import BotRoutes
from .users import UserActions
from .world import World

__all__ = ["DEFAULT_TOKEN", "DiscordDouble", "RecordedCall", "json_response"]

DEFAULT_TOKEN = "double.bot.token"


class DiscordDouble(Recording, UserActions):
    """See the module docstring. `interaction_deadline` is how long the bot has for its first
    interaction response (3 s on Discord; None = no limit); `allowed_privileged_intents` are
    the privileged intents "enabled in the developer portal" (others close the gateway with 4014).
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        port: int = 0,
        interaction_deadline: float | None = 3.0,
        allowed_privileged_intents: int = PRIVILEGED,
        heartbeat_interval_ms: int = 41250,
    ) -> None:
        super().__init__()
        self.token = token
        self.port = port
        self.interaction_deadline = interaction_deadline
        self.allowed_privileged_intents = allowed_privileged_intents
        self.world = World()
        self.gateway = Gateway(self, heartbeat_interval_ms)
        self.interactions: dict[int, SentInteraction] = {}
        self._runner: web.AppRunner | None = None
        self._interaction_routes = InteractionRoutes(self)

    # -- the world, for tests -------------------------------------------------------------
    guild_id = property(lambda self: self.world.guild_id)
    channel_id = property(lambda self: self.world.channel_id)
    application_id = property(lambda self: self.world.application_id)
    bot = property(lambda self: self.world.bot)
    owner = property(lambda self: self.world.owner)
    moderator = property(lambda self: self.world.moderator)
    member = property(lambda self: self.world.member)
    messages = property(lambda self: self.world.messages)
    roles = property(lambda self: {r["name"]: int(i) for i, r in self.world.roles.items()})

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> DiscordDouble:
        app = web.Application(middlewares=[self._middleware])
        BotRoutes(self).add_to(app.router, API)
        self._interaction_routes.add_to(app.router, API)
        app.router.add_get("/gateway", self.gateway.handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordDouble:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- messages the bot creates (shared by REST and interaction routes) -----------------
    async def bot_message(
        self,
        channel_id: int,
        body: dict,
        files: list[dict],
        *,
        interaction: SentInteraction | None = None,
    ) -> dict:
        world = self.world
        reply = world.reply_fields(channel_id, body.get("message_reference"))
        fields: dict[str, Any] = {
            **world.mentions(
                world.bot,
                body.get("content") or "",
                body.get("allowed_mentions"),
                reply.get("referenced_message"),
            ),
            **reply,
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "attachments": _attachments(world, files, channel_id),
            "tts": bool(body.get("tts")),
            "flags": (body.get("flags") or 0) & (1 << 2 | 1 << 12 | 1 << 15),
        }
        if body.get("nonce") is not None:
            fields["nonce"] = body["nonce"]
        if interaction is not None:
            cmd = interaction.payload["data"].get("name")
            fields.update(
                type=20 if interaction.kind == 2 else 0,
                webhook_id=str(world.application_id),
                application_id=str(world.application_id),
                flags=(body.get("flags") or 0) & (p.EPHEMERAL | p.LOADING | 1 << 2 | 1 << 15),
                interaction_metadata={
                    "id": str(interaction.id),
                    "type": interaction.kind,
                    "user": interaction.payload["member"]["user"],
                    "authorizing_integration_owners": {"0": str(world.guild_id)},
                    **({"name": cmd} if interaction.kind == 2 else {}),
                },
            )
        msg = world.new_message(channel_id, world.bot, body.get("content") or "", **fields)
        if not msg["flags"] & p.EPHEMERAL:  # ephemeral messages never reach the gateway
            await self.gateway.dispatch("MESSAGE_CREATE", msg)
        await self._notify()
        return msg

    async def edit_message(
        self, msg: dict, body: dict, files: list[dict], *, finish_loading: bool = False
    ) -> dict:
        for key in ("content", "embeds", "components"):
            if key in body:
                msg[key] = body[key] or ("" if key == "content" else [])
        if "content" in body:
            msg.update(
                self.world.mentions(
                    self.world.bot,
                    msg["content"],
                    body.get("allowed_mentions"),
                    msg.get("referenced_message"),
                )
            )
        if "attachments" in body:
            keep = {str(a.get("id")) for a in body["attachments"] or []}
            msg["attachments"] = [a for a in msg["attachments"] if a["id"] in keep]
        msg["attachments"] += _attachments(self.world, files, int(msg["channel_id"]))
        if finish_loading:
            msg["flags"] = (msg["flags"] | (body.get("flags") or 0)) & ~p.LOADING
            msg["timestamp"] = p.now_iso()
        else:
            msg["edited_timestamp"] = p.now_iso()
        if not msg["flags"] & p.EPHEMERAL:
            await self.gateway.dispatch("MESSAGE_UPDATE", msg)
        await self._notify()
        return msg


def _attachments(world: World, files: list[dict], channel_id: int) -> list[dict]:
    out = []
    for f in files:
        attachment_id = world.ids.next()
        url = f"https://cdn.discordapp.com/attachments/{channel_id}/{attachment_id}/{f['filename']}"
        out.append(
            {
                "id": str(attachment_id),
                "filename": f["filename"],
                "size": len(f["data"]),
                "url": url,
                "proxy_url": url,
                "content_type": f["content_type"],
            }
        )
    return out
