"""Interactions both ways: building the INTERACTION_CREATE a user's action causes, and answering
the bot's callback and webhook (followup / @original) calls with Discord's rules:

- one callback per interaction, within `interaction_deadline` seconds (3 s on Discord), else
  404 Unknown interaction (10062) or 400 already acknowledged (40060);
- followups and @original need a callback first (404 Unknown Webhook, 10015);
- after a deferred callback (type 5) the first followup *replaces* the loading message, and its
  ephemerality is the defer's, not the followup's flags.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors
from . import payloads as p
from .errors import ApiError
from .payloads import Person
from .rest import BODY, FILES

if TYPE_CHECKING:
    from .server import DiscordDouble

# Callback types each interaction type accepts (PING=1, COMMAND=2, COMPONENT=3,
# AUTOCOMPLETE=4, MODAL_SUBMIT=5).
ALLOWED_CALLBACKS = {1: {1}, 2: {4, 5, 9, 12}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
OPTION_TYPES = {bool: 5, int: 4, float: 10, str: 3}


@dataclass
class SentInteraction:
    """An interaction the test caused, and what the bot has done with it so far."""

    id: int
    token: str
    kind: int
    payload: dict
    application_id: int
    created: float = field(default_factory=time.monotonic)
    callback_type: int | None = None
    callback_data: dict | None = None
    original_id: int | None = None  # the response message (or the clicked one, after type 6)
    loading: bool = False
    ephemeral: bool = False
    followup_ids: list[int] = field(default_factory=list)

    @property
    def callback_path(self) -> str:
        return f"/interactions/{self.id}/{self.token}/callback"

    @property
    def webhook_path(self) -> str:
        return f"/webhooks/{self.application_id}/{self.token}"


class InteractionRoutes:
    def __init__(self, double: DiscordDouble) -> None:
        self.double = double
        self.world = double.world
        self.by_token: dict[str, SentInteraction] = {}

    def add_to(self, router: web.UrlDispatcher, api: str) -> None:
        router.add_post(f"{api}/interactions/{{interaction_id}}/{{token}}/callback", self.callback)
        hook = f"{api}/webhooks/{{application_id}}/{{token}}"
        router.add_post(hook, self.followup)
        for method in ("GET", "PATCH", "DELETE"):
            router.add_route(method, f"{hook}/messages/{{message_id}}", self.webhook_message)

    # -- the user side --------------------------------------------------------------------
    async def create(
        self, kind: int, data: dict, user: Person, channel_id: int, message: dict | None = None
    ) -> SentInteraction:
        world = self.world
        channel = dict(world.channel(channel_id))
        perms = world.permissions_for(user)
        channel["permissions"] = str(perms)
        interaction_id, token = world.ids.next(), "itok_" + secrets.token_urlsafe(24)
        payload = p.interaction(
            interaction_id=interaction_id,
            application_id=world.application_id,
            kind=kind,
            data=data,
            guild_id=world.guild_id,
            channel=channel,
            member_payload=p.member(user, permissions=perms),
            token=token,
            app_permissions=world.permissions_for(world.bot),
            message_payload=message,
        )
        sent = SentInteraction(interaction_id, token, kind, payload, world.application_id)
        self.by_token[token] = sent
        self.double.interactions[interaction_id] = sent
        await self.double.require_gateway().dispatch("INTERACTION_CREATE", payload)
        return sent

    def command_data(
        self,
        name: str,
        options: dict[str, Any] | list[dict] | None,
        focused: str | None = None,
        guild_command: bool | None = None,
    ) -> dict:
        """`name` may be "group sub" for subcommands. Options given as {name: value} are typed
        from the synced schema when there is one (and checked against it), else from the
        Python type; a list of raw option dicts is passed through untouched."""
        top, *subs = name.split()
        cmd, scope = self.world.find_command(top)
        if cmd is None:
            if self.world.commands:
                synced = sorted(c["name"] for cs in self.world.commands.values() for c in cs)
                raise LookupError(f"/{top} was never synced; synced commands: {synced}")
            scope = self.world.guild_id if guild_command else None
            cmd = {"id": str(self.world.unsynced_command_id(top)), "name": top, "options": []}
        schema: dict | None = cmd if cmd.get("application_id") else None
        for sub in subs:
            schema = _find_option(schema, sub) if schema is not None else None
        raw = options if isinstance(options, list) else self._typed(schema, options or {}, focused)
        for depth in range(len(subs) - 1, -1, -1):  # innermost is a subcommand, outer ones groups
            kind = 1 if depth == len(subs) - 1 else 2
            raw = [{"type": kind, "name": subs[depth], "options": raw}]
        data: dict[str, Any] = {"id": cmd["id"], "name": top, "type": 1, "options": raw}
        if scope is not None:
            data["guild_id"] = str(scope)
        resolved = self._resolved(options)
        if resolved:
            data["resolved"] = resolved
        return data

    def _typed(self, schema: dict | None, options: dict[str, Any], focused: str | None) -> list:
        known = {o["name"]: o for o in (schema or {}).get("options", [])} if schema else None
        if known is not None:
            missing = [n for n, o in known.items() if o.get("required") and n not in options]
            unknown = [n for n in options if n not in known]
            if (missing and focused is None) or unknown:
                raise ValueError(
                    f"options do not match the synced command: missing={missing}, "
                    f"unknown={unknown}, expected={list(known)}"
                )
        out = []
        for opt_name, value in options.items():
            if isinstance(value, Person):
                kind, value = 6, str(value.id)
            elif known is not None:
                kind = known[opt_name]["type"]
                choices = [c["value"] for c in known[opt_name].get("choices") or []]
                if choices and opt_name != focused and value not in choices:
                    raise ValueError(f"{value!r} is not a choice of {opt_name}: {choices}")
            else:
                kind = OPTION_TYPES.get(type(value), 3)
            option = {"name": opt_name, "type": kind, "value": value}
            if opt_name == focused:
                option["focused"] = True  # Discord sends the partial input as typed text
            out.append(option)
        return out

    def _resolved(self, options: Any) -> dict:
        people = (
            [v for v in (options or {}).values() if isinstance(v, Person)]
            if isinstance(options, dict)
            else []
        )
        if not people:
            return {}
        return {
            "users": {str(x.id): p.user(x) for x in people},
            "members": {
                str(x.id): p.member(x, with_user=False, permissions=self.world.permissions_for(x))
                for x in people
            },
        }

    # -- the bot side ---------------------------------------------------------------------
    def _lookup(self, request: web.Request) -> SentInteraction:
        sent = self.by_token.get(request.match_info["token"])
        if sent is None or request.match_info.get(
            "application_id", str(sent.application_id)
        ) != str(sent.application_id):
            raise errors.unknown("Webhook")
        return sent

    async def callback(self, request: web.Request) -> dict | None:
        sent = self.by_token.get(request.match_info["token"])
        if sent is None or str(sent.id) != request.match_info["interaction_id"]:
            raise errors.unknown("Interaction")
        if sent.callback_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        deadline = self.double.interaction_deadline
        if deadline is not None and time.monotonic() - sent.created > deadline:
            raise errors.unknown("Interaction")  # Discord's answer to a late first response
        body = request[BODY] or {}
        kind, data = body.get("type"), body.get("data") or {}
        if kind not in ALLOWED_CALLBACKS.get(sent.kind, set()):
            raise errors.invalid_form(
                ["type"],
                "INTERACTION_CALLBACK_TYPE_INVALID",
                f"Callback type {kind} is not valid for interaction type {sent.kind}",
            )
        resource: dict[str, Any] = {"type": kind}
        if kind in (4, 5):
            sent.ephemeral = bool((data.get("flags") or 0) & p.EPHEMERAL)
            if kind == 4:
                errors.check_message_body(data, has_files=bool(request[FILES]))
            else:
                data = {"flags": (data.get("flags") or 0) | p.LOADING}
                sent.loading = True
            msg = await self.double.bot_message(
                int(sent.payload["channel_id"]), data, request[FILES], interaction=sent
            )
            sent.original_id = int(msg["id"])
            resource["message"] = msg
        elif kind in (6, 7):
            msg = sent.payload["message"]
            sent.original_id = int(msg["id"])
            if kind == 7:
                errors.check_message_body(data, require_content=False)
                stored = self.world.messages[int(msg["id"])]
                resource["message"] = await self.double.edit_message(stored, data, request[FILES])
        elif kind == 8:
            choices = data.get("choices") or []
            if len(choices) > 25:
                raise errors.too_long(["data", "choices"], 25)
        sent.callback_type, sent.callback_data = kind, body
        if request.query.get("with_response") not in ("1", "true", "True"):
            return None
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(sent.id),
                "type": sent.kind,
                "response_message_loading": sent.loading,
                "response_message_ephemeral": sent.ephemeral,
            }
        }
        if sent.original_id is not None:
            answer["interaction"]["response_message_id"] = str(sent.original_id)
        answer["resource"] = resource
        return answer

    async def followup(self, request: web.Request) -> dict | None:
        sent = self._lookup(request)
        if sent.callback_type is None:
            raise errors.unknown("Webhook")
        body = request[BODY] or {}
        errors.check_message_body(body, has_files=bool(request[FILES]))
        if sent.loading and sent.original_id is not None:
            # The first followup after a defer edits the "thinking..." message in place.
            flags = (body.get("flags") or 0) & ~p.EPHEMERAL | (p.EPHEMERAL if sent.ephemeral else 0)
            stored = self.world.messages[sent.original_id]
            msg = await self.double.edit_message(
                stored, {**body, "flags": flags}, request[FILES], finish_loading=True
            )
            sent.loading = False
        else:
            msg = await self.double.bot_message(
                int(sent.payload["channel_id"]), body, request[FILES], interaction=sent
            )
            sent.followup_ids.append(int(msg["id"]))
        if request.query.get("wait") in ("0", "false", "False"):
            return None
        return msg

    async def webhook_message(self, request: web.Request) -> dict | None:
        sent = self._lookup(request)
        raw_id = request.match_info["message_id"]
        message_id = sent.original_id if raw_id == "@original" else int(raw_id)
        if (
            sent.callback_type is None
            or message_id is None
            or message_id not in self.world.messages
        ):
            raise errors.unknown("Message" if sent.callback_type else "Webhook")
        if message_id != sent.original_id and message_id not in sent.followup_ids:
            raise errors.unknown("Message")
        stored = self.world.messages[message_id]
        if request.method == "GET":
            return stored
        if request.method == "DELETE":
            del self.world.messages[message_id]
            if not int(stored["flags"]) & p.EPHEMERAL:
                await self.double.gateway.dispatch(
                    "MESSAGE_DELETE",
                    {
                        "id": stored["id"],
                        "channel_id": stored["channel_id"],
                        "guild_id": stored["guild_id"],
                    },
                )
            return None
        body = request[BODY] or {}
        errors.check_message_body(body, require_content=False)
        finish = message_id == sent.original_id and sent.loading
        msg = await self.double.edit_message(stored, body, request[FILES], finish_loading=finish)
        if finish:
            sent.loading = False
        return msg


def _find_option(schema: dict | None, name: str) -> dict | None:
    for option in (schema or {}).get("options") or []:
        if option["name"] == name:
            return option
    return None
