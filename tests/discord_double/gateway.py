"""The gateway half of the double: one websocket endpoint speaking Discord's JSON protocol.

Plain text frames only: discord.py asks for zlib-stream compression in the query string, but it
only decompresses *binary* frames, so uncompressed text frames are valid for it. Events are
filtered by the intents the bot identified with, as Discord does, and numbered per session so
that RESUME can replay what a dropped connection missed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import payloads

if TYPE_CHECKING:
    from .server import DiscordDouble

log = logging.getLogger(__name__)

# Intent bits (https://discord.com/developers/docs/events/gateway#gateway-intents).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
GUILD_MESSAGE_TYPING = 1 << 11
MESSAGE_CONTENT = 1 << 15
PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

# Which intent an event needs; events not listed (READY, INTERACTION_CREATE, ...) always arrive.
EVENT_INTENTS = {
    "GUILD_CREATE": GUILDS,
    "CHANNEL_CREATE": GUILDS,
    "THREAD_CREATE": GUILDS,
    "GUILD_MEMBER_ADD": GUILD_MEMBERS,
    "MESSAGE_CREATE": GUILD_MESSAGES,
    "MESSAGE_UPDATE": GUILD_MESSAGES,
    "MESSAGE_DELETE": GUILD_MESSAGES,
    "MESSAGE_REACTION_ADD": GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": GUILD_MESSAGE_REACTIONS,
    "TYPING_START": GUILD_MESSAGE_TYPING,
}
CONTENT_FIELDS = {"content": "", "embeds": [], "attachments": [], "components": []}


@dataclass
class Session:
    """One identified gateway session; it outlives its websocket so a RESUME can pick it up."""

    session_id: str
    intents: int
    ws: web.WebSocketResponse | None = None
    seq: int = 0
    sent: list[dict] = field(default_factory=list)  # every numbered dispatch, for replay
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Gateway:
    def __init__(self, double: DiscordDouble, heartbeat_interval_ms: int = 41250):
        self.double = double
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.session: Session | None = None
        self.sockets: set[web.WebSocketResponse] = set()
        self.received: list[dict] = []  # every payload the bot sent us, in order
        self.withheld: list[tuple[str, dict]] = []  # events the bot's intents filtered out
        self.ready = asyncio.Event()  # set once GUILD_CREATE went out
        self.handshakes = 0  # websocket upgrades asked for, refused ones included
        self._refusals = 0

    def refuse_handshakes(self, times: int, status: int = 503) -> None:
        """Answer the next `times` websocket upgrades with HTTP `status`, as an outage would."""
        self._refusals, self._refusal_status = times, status

    # -- sending -------------------------------------------------------------------------
    async def dispatch(self, event: str, data: dict) -> bool:
        """Send a DISPATCH to the bot; returns False if its intents filter the event out.
        With no socket attached (between a drop and a RESUME) the event is kept for replay."""
        session = self.session
        if session is None:
            return False
        needed = EVENT_INTENTS.get(event, 0)
        if needed and not session.intents & needed:
            log.warning(
                "double: %s withheld, the bot did not identify with intent %s", event, needed
            )
            self.withheld.append((event, data))
            return False
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
            data = self._apply_message_content_intent(session, data)
        async with session.lock:
            session.seq += 1
            frame = {"op": 0, "t": event, "s": session.seq, "d": data}
            session.sent.append(frame)
            if session.ws is not None and not session.ws.closed:
                await session.ws.send_str(json.dumps(frame))
        return True

    def _apply_message_content_intent(self, session: Session, data: dict) -> dict:
        """Without MESSAGE_CONTENT, Discord blanks content except the bot's own messages and
        messages that mention it."""
        bot_id = str(self.double.world.bot.id)
        if session.intents & MESSAGE_CONTENT or data.get("author", {}).get("id") == bot_id:
            return data
        if any(m.get("id") == bot_id for m in data.get("mentions", [])):
            return data
        return {**data, **CONTENT_FIELDS}

    async def send_raw(self, text: str) -> None:
        """Send one text frame as it is (not numbered, not kept): a malformed event."""
        assert self.session is not None and self.session.ws is not None, "no bot connected"
        await self.session.ws.send_str(text)

    async def drop(self, code: int = 4000) -> None:
        """Close the bot's socket as Discord does on its side (the bot should RESUME)."""
        if self.session and self.session.ws is not None:
            ws, self.session.ws = self.session.ws, None
            await ws.close(code=code, message=b"double: dropped")

    async def close_all(self) -> None:
        for ws in list(self.sockets):
            await ws.close(code=1001, message=b"double: shutting down")

    # -- receiving -----------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.handshakes += 1
        if self._refusals > 0:
            self._refusals -= 1
            return web.Response(status=self._refusal_status, text="double: gateway unavailable")
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.sockets.add(ws)
        try:
            await ws.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_payload(ws, json.loads(msg.data))
        finally:
            self.sockets.discard(ws)
            if self.session is not None and self.session.ws is ws:
                self.session.ws = None
        return ws

    async def _on_payload(self, ws: web.WebSocketResponse, payload: dict) -> None:
        self.received.append(payload)
        op, data = payload.get("op"), payload.get("d")
        if op == 1:  # heartbeat
            await ws.send_json({"op": 11})
        elif op == 2:
            await self._identify(ws, data or {})
        elif op == 6:
            await self._resume(ws, data or {})
        elif op == 8:
            await self._request_members(data or {})
        # op 3 (presence) and op 4 (voice state) are only recorded.

    async def _identify(self, ws: web.WebSocketResponse, data: dict) -> None:
        double, world = self.double, self.double.world
        if data.get("token") != double.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED & ~double.allowed_privileged_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.session = Session(session_id=secrets.token_hex(16), intents=intents, ws=ws)
        ready = {
            "v": 10,
            "user": payloads.user(world.bot),
            "guilds": [{"id": str(world.guild_id), "unavailable": True}],
            "session_id": self.session.session_id,
            "resume_gateway_url": double.gateway_url,
            "application": {"id": str(world.application_id), "flags": world.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["local"],
            "_trace": ["discord-double"],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        await self.dispatch("READY", ready)
        # Without GUILD_PRESENCES, Discord's GUILD_CREATE lists only the bot (and voice users);
        # the rest come from chunking (op 8), which discord.py does when it has GUILD_MEMBERS.
        await self.dispatch(
            "GUILD_CREATE", world.guild_create_payload(full_members=bool(intents & GUILD_PRESENCES))
        )
        self.ready.set()

    async def _resume(self, ws: web.WebSocketResponse, data: dict) -> None:
        session = self.session
        if (
            session is None
            or data.get("session_id") != session.session_id
            or data.get("token") != self.double.token
        ):
            await ws.send_json({"op": 9, "d": False})  # session invalid, not resumable
            return
        async with session.lock:
            session.ws = ws
            last = int(data.get("seq") or 0)
            for frame in session.sent:
                if frame["s"] > last:
                    await ws.send_str(json.dumps(frame))
        await self.dispatch("RESUMED", {"_trace": ["discord-double"]})

    async def _request_members(self, data: dict) -> None:
        world = self.double.world
        people = list(world.people.values())
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            people = [p for p in people if p.id in wanted]
        elif data.get("query"):
            people = [p for p in people if p.username.lower().startswith(data["query"].lower())]
        chunk: dict[str, Any] = {
            "guild_id": str(world.guild_id),
            "members": [payloads.member(p) for p in people],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)
