"""REST routes a bot calls with its token: login, gateway discovery, channels, messages, threads,
reactions, guild reads and application command sync. Interaction callbacks and webhooks live in
interactions.py; recording, auth and error shaping happen in server.py's middleware.

Handlers return plain data (sent as JSON, status 200) or None (204 No Content), or raise ApiError.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors
from . import payloads as p
from .errors import ApiError

if TYPE_CHECKING:
    from .server import DiscordDouble

# Where server.py's middleware leaves the parsed request for the handlers.
BODY = web.RequestKey("discord_double_json", object)  # JSON body (or multipart payload_json)
FILES = web.RequestKey("discord_double_files", list)  # uploaded files, for multipart bodies


class BotRoutes:
    def __init__(self, double: DiscordDouble) -> None:
        self.double = double
        self.world = double.world

    def add_to(self, router: web.UrlDispatcher, api: str) -> None:
        r = router
        r.add_get(f"{api}/users/@me", self.me)
        r.add_get(f"{api}/users/{{user_id:\\d+}}", self.get_user)
        r.add_get(f"{api}/oauth2/applications/@me", self.application)
        r.add_get(f"{api}/applications/@me", self.application)
        r.add_get(f"{api}/gateway", self.gateway)
        r.add_get(f"{api}/gateway/bot", self.gateway_bot)
        ch = f"{api}/channels/{{channel_id:\\d+}}"
        r.add_get(ch, self.get_channel)
        r.add_post(f"{ch}/messages", self.create_message)
        r.add_get(f"{ch}/messages", self.list_messages)
        r.add_get(f"{ch}/messages/{{message_id:\\d+}}", self.get_message)
        r.add_patch(f"{ch}/messages/{{message_id:\\d+}}", self.edit_message)
        r.add_delete(f"{ch}/messages/{{message_id:\\d+}}", self.delete_message)
        r.add_post(f"{ch}/messages/{{message_id:\\d+}}/threads", self.thread_from_message)
        r.add_post(f"{ch}/threads", self.standalone_thread)
        r.add_post(f"{ch}/typing", self.typing)
        r.add_put(f"{ch}/messages/{{message_id:\\d+}}/reactions/{{emoji}}/@me", self.add_reaction)
        r.add_delete(
            f"{ch}/messages/{{message_id:\\d+}}/reactions/{{emoji}}/@me", self.remove_reaction
        )
        g = f"{api}/guilds/{{guild_id:\\d+}}"
        r.add_get(g, self.get_guild)
        r.add_get(f"{g}/channels", self.guild_channels)
        r.add_get(f"{g}/roles", self.guild_roles)
        r.add_get(f"{g}/members/{{user_id:\\d+}}", self.get_member)
        apps = f"{api}/applications/{{application_id:\\d+}}"
        for path in (f"{apps}/commands", f"{apps}/guilds/{{guild_id:\\d+}}/commands"):
            r.add_put(path, self.put_commands)
            r.add_get(path, self.get_commands)

    # -- login and discovery --------------------------------------------------------------
    async def me(self, request: web.Request) -> dict:
        return p.user(self.world.bot)

    async def get_user(self, request: web.Request) -> dict:
        return p.user(self.world.person(request.match_info["user_id"]))

    async def application(self, request: web.Request) -> dict:
        w = self.world
        return {
            "id": str(w.application_id),
            "name": w.bot.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": p.user(w.owner),
            "team": None,
            "verify_key": "0" * 64,
            "flags": w.application_flags,
            "bot": p.user(w.bot),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": 1,
            "integration_types_config": {"0": {}},
        }

    async def gateway(self, request: web.Request) -> dict:
        return {"url": self.double.gateway_url}

    async def gateway_bot(self, request: web.Request) -> dict:
        return {
            "url": self.double.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    # -- channels and messages ------------------------------------------------------------
    async def get_channel(self, request: web.Request) -> dict:
        return self.world.channel(request.match_info["channel_id"])

    async def create_message(self, request: web.Request) -> dict:
        channel_id = int(request.match_info["channel_id"])
        self.world.channel(channel_id)
        body: dict = request[BODY] or {}
        errors.check_message_body(body, has_files=bool(request[FILES]))
        if body.get("enforce_nonce") and body.get("nonce") is not None:
            # discord.py always sends a nonce with enforce_nonce: a retried send gets the
            # message already created instead of a duplicate.
            for msg in self.world.messages_in(channel_id):
                if msg.get("nonce") == body["nonce"] and msg["author"]["id"] == str(
                    self.world.bot.id
                ):
                    return msg
        return await self.double.bot_message(channel_id, body, request[FILES])

    async def list_messages(self, request: web.Request) -> list[dict]:
        channel_id = int(request.match_info["channel_id"])
        self.world.channel(channel_id)
        found = sorted(self.world.messages_in(channel_id), key=lambda m: -int(m["id"]))
        if "before" in request.query:
            found = [m for m in found if int(m["id"]) < int(request.query["before"])]
        if "after" in request.query:
            found = [m for m in found if int(m["id"]) > int(request.query["after"])]
        return found[: int(request.query.get("limit", 50))]

    async def get_message(self, request: web.Request) -> dict:
        return self.world.message(
            request.match_info["channel_id"], request.match_info["message_id"]
        )

    async def edit_message(self, request: web.Request) -> dict:
        msg = self.world.message(request.match_info["channel_id"], request.match_info["message_id"])
        if msg["author"]["id"] != str(self.world.bot.id):
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        return await self.double.edit_message(msg, request[BODY] or {}, request[FILES])

    async def delete_message(self, request: web.Request) -> None:
        msg = self.world.message(request.match_info["channel_id"], request.match_info["message_id"])
        del self.world.messages[int(msg["id"])]
        await self.double.gateway.dispatch(
            "MESSAGE_DELETE",
            {"id": msg["id"], "channel_id": msg["channel_id"], "guild_id": msg["guild_id"]},
        )

    async def typing(self, request: web.Request) -> None:
        self.world.channel(request.match_info["channel_id"])

    async def add_reaction(self, request: web.Request) -> None:
        msg = self.world.message(request.match_info["channel_id"], request.match_info["message_id"])
        emoji = _emoji(request.match_info["emoji"])
        for reaction in msg["reactions"]:
            if reaction["emoji"] == emoji:
                if not reaction["me"]:
                    reaction["me"] = True
                    reaction["count"] += 1
                break
        else:
            msg["reactions"].append(
                {
                    "emoji": emoji,
                    "count": 1,
                    "me": True,
                    "me_burst": False,
                    "burst_colors": [],
                    "count_details": {"burst": 0, "normal": 1},
                }
            )
        await self.double.gateway.dispatch(
            "MESSAGE_REACTION_ADD",
            {
                "user_id": str(self.world.bot.id),
                "channel_id": msg["channel_id"],
                "message_id": msg["id"],
                "guild_id": msg["guild_id"],
                "emoji": emoji,
                "member": p.member(self.world.bot),
                "burst": False,
                "type": 0,
            },
        )

    async def remove_reaction(self, request: web.Request) -> None:
        msg = self.world.message(request.match_info["channel_id"], request.match_info["message_id"])
        emoji = _emoji(request.match_info["emoji"])
        msg["reactions"] = [r for r in msg["reactions"] if r["emoji"] != emoji or r["count"] > 1]

    # -- threads --------------------------------------------------------------------------
    async def thread_from_message(self, request: web.Request) -> dict:
        return await self._new_thread(request, from_message=int(request.match_info["message_id"]))

    async def standalone_thread(self, request: web.Request) -> dict:
        kind = (request[BODY] or {}).get("type") or p.PRIVATE_THREAD  # Discord's default here
        return await self._new_thread(request, kind=kind)

    async def _new_thread(self, request: web.Request, **where) -> dict:
        body = request[BODY] or {}
        errors.check_thread_name(body.get("name"))
        thread = self.world.create_thread(
            int(request.match_info["channel_id"]),
            self.world.bot,
            body["name"],
            auto_archive_duration=body.get("auto_archive_duration") or 1440,
            **where,
        )
        await self.double.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    # -- guild reads ----------------------------------------------------------------------
    def _guild(self, request: web.Request) -> None:
        if request.match_info["guild_id"] != str(self.world.guild_id):
            raise errors.unknown("Guild")

    async def get_guild(self, request: web.Request) -> dict:
        self._guild(request)
        return self.world.guild_payload()

    async def guild_channels(self, request: web.Request) -> list[dict]:
        self._guild(request)
        return [c for c in self.world.channels.values() if c["type"] == p.GUILD_TEXT]

    async def guild_roles(self, request: web.Request) -> list[dict]:
        self._guild(request)
        return list(self.world.roles.values())

    async def get_member(self, request: web.Request) -> dict:
        self._guild(request)
        person = self.world.people.get(int(request.match_info["user_id"]))
        if person is None:
            raise errors.unknown("Member")
        return p.member(person)

    # -- application commands -------------------------------------------------------------
    def _scope(self, request: web.Request) -> int | None:
        if request.match_info["application_id"] != str(self.world.application_id):
            raise ApiError(403, 50001, "Missing Access")
        if "guild_id" in request.match_info:
            self._guild(request)
            return self.world.guild_id
        return None

    async def put_commands(self, request: web.Request) -> list[dict]:
        scope = self._scope(request)
        body = request[BODY]
        if not isinstance(body, list):
            raise errors.invalid_form(
                [], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"
            )
        errors.check_commands(body)
        # A bulk overwrite keeps the id of a command whose name and type are unchanged.
        old = {(c["name"], c.get("type", 1)): c["id"] for c in self.world.commands.get(scope, [])}
        stored = []
        for cmd in body:
            kind = cmd.get("type", 1)
            data: dict[str, Any] = {
                "default_member_permissions": None,
                "nsfw": False,
                "contexts": None,
                "integration_types": [0],
                "description": "",
                "options": [],
                "name_localizations": None,
                "description_localizations": None,
                **cmd,
                "id": old.get((cmd["name"], kind)) or str(self.world.ids.next()),
                "application_id": str(self.world.application_id),
                "type": kind,
                "version": str(self.world.ids.next()),
            }
            if scope is not None:
                data["guild_id"] = str(scope)
            stored.append(data)
        self.world.commands[scope] = stored
        return stored

    async def get_commands(self, request: web.Request) -> list[dict]:
        return self.world.commands.get(self._scope(request), [])


def _emoji(raw: str) -> dict:
    """'👍' or 'name:id' (custom emoji) as the emoji object of a reaction."""
    name, _, emoji_id = raw.partition(":")
    return {"id": emoji_id or None, "name": name}
