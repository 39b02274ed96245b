"""The websocket gateway: HELLO, heartbeats, IDENTIFY/READY/GUILD_CREATE, RESUME and dispatches."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .models import DM, BotAccount, Channel, Guild, Message
from .snowflake import iso

if TYPE_CHECKING:
    from .server import LocalDiscord

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
GUILD_SCHEDULED_EVENTS = 1 << 16
HEARTBEAT_INTERVAL_MS = 41250
RESUME_BUFFER = 2000


@dataclass(eq=False)
class Connection:
    ws: web.WebSocketResponse
    outbox: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[None] | None]] = field(
        default_factory=asyncio.Queue
    )
    unsent: int = 0
    open: bool = True
    dropped_by_server: bool = False


@dataclass
class Session:
    id: str
    bot: BotAccount
    intents: int
    shard: list[int] | None
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)
    connection: Connection | None = None
    attached_at: float = 0.0


class Gateway:
    def __init__(self, server: LocalDiscord) -> None:
        self.server = server
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.identifies = 0

    # ---- bookkeeping ------------------------------------------------------------------------
    def unsent(self) -> int:
        return sum(c.unsent for c in self.connections)

    def live_sessions(self, bot_id: int | None = None) -> list[Session]:
        return [
            s
            for s in self.sessions.values()
            if s.connection is not None
            and s.connection.open
            and (bot_id is None or s.bot.user_id == bot_id)
        ]

    def _send(self, conn: Connection, payload: dict[str, Any]) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        conn.unsent += 1
        conn.outbox.put_nowait((payload, future))
        self.server.touch()
        return future

    async def _writer(self, conn: Connection) -> None:
        while True:
            payload, future = await conn.outbox.get()
            try:
                if conn.open and not conn.ws.closed:
                    await conn.ws.send_str(json.dumps(payload))
            except (ConnectionError, RuntimeError):
                conn.open = False
            finally:
                conn.unsent -= 1
                if future is not None and not future.done():
                    future.set_result(None)
                self.server.touch()

    def _dispatch_to(
        self, session: Session, event: str, data: dict[str, Any]
    ) -> asyncio.Future[None] | None:
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.buffer.append(payload)
        del session.buffer[:-RESUME_BUFFER]
        if session.connection is not None and session.connection.open:
            return self._send(session.connection, payload)
        return None

    # ---- dispatching ------------------------------------------------------------------------
    def dispatch(
        self,
        event: str,
        data: dict[str, Any] | Callable[[Session], dict[str, Any] | None],
        *,
        guild_id: int | None = None,
        intent: int = GUILDS,
        channel: Channel | None = None,
        bot_id: int | None = None,
    ) -> None:
        """Send an event to every session entitled to it (by guild membership, intents, view)."""
        state = self.server.state
        for session in list(self.sessions.values()):
            bot = session.bot
            if bot_id is not None and bot.user_id != bot_id:
                continue
            if intent and not session.intents & intent:
                continue
            if guild_id is not None:
                guild = state.guilds.get(guild_id)
                if guild is None or bot.user_id not in guild.members:
                    continue
            if channel is not None and not state.can_see(bot.user_id, channel):
                continue
            payload = data(session) if callable(data) else data
            if payload is not None:
                self._dispatch_to(session, event, payload)

    def dispatch_message(self, event: str, message: Message, data: dict[str, Any]) -> None:
        state = self.server.state
        channel = state.find_channel(message.channel_id)
        if channel is None or message.ephemeral:
            return
        intent = DIRECT_MESSAGES if channel.type == DM else GUILD_MESSAGES

        def shaped(session: Session) -> dict[str, Any] | None:
            if channel.type == DM and channel.owner_id != session.bot.user_id:
                return None
            me = session.bot.user_id
            privileged = (
                session.intents & MESSAGE_CONTENT
                or channel.type == DM
                or message.author_id == me
                or me in message.mentions
            )
            if privileged:
                return data
            blank = dict(data)
            blank.update(content="", embeds=[], attachments=[], components=[])
            return blank

        self.dispatch(event, shaped, guild_id=channel.guild_id, intent=intent, channel=channel)

    def dispatch_interaction(self, bot: BotAccount, data: dict[str, Any]) -> asyncio.Future[None]:
        sessions = sorted(self.live_sessions(bot.user_id), key=lambda s: s.attached_at)
        if not sessions:
            raise RuntimeError(f"bot {bot.name!r} is not connected to the gateway")
        future = self._dispatch_to(sessions[-1], "INTERACTION_CREATE", data)
        assert future is not None
        return future

    # ---- payloads ---------------------------------------------------------------------------
    def guild_payload(self, guild: Guild, session: Session) -> dict[str, Any]:
        state = self.server.state
        me = session.bot.user_id
        if session.intents & GUILD_MEMBERS:
            members = [m.to_dict() for m in guild.members.values()]
        else:
            members = [guild.members[me].to_dict()]
        threads = [
            c.to_dict(me=me)
            for c in guild.channels.values()
            if c.is_thread and not c.archived and state.can_see(me, c)
        ]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "es-ES",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "application_id": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "features": [],
            "roles": [r.to_dict() for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "soundboard_sounds": [],
            "joined_at": iso(guild.members[me].joined_at),
            "large": False,
            "unavailable": False,
            "member_count": len(members),
            "members": members,
            "channels": [c.to_dict() for c in guild.channels.values() if not c.is_thread],
            "threads": threads,
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [e.to_dict() for e in guild.events.values()],
            "lazy": True,
        }

    # ---- websocket handler ------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=True, max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws=ws)
        self.connections.add(conn)
        writer = asyncio.create_task(self._writer(conn))
        session: Session | None = None
        self._send(
            conn,
            {"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}},
        )
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    frame = json.loads(msg.data)
                except ValueError:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                op, d = frame.get("op"), frame.get("d")
                if op == 1:
                    self._send(conn, {"op": 11, "s": None, "t": None, "d": None})
                elif op == 2:
                    session = await self._identify(conn, d or {})
                    if session is None:
                        break
                elif op == 6:
                    session = await self._resume(conn, d or {})
                elif op == 8 and session is not None:
                    self._request_members(session, d or {})
        finally:
            conn.open = False
            if session is not None and session.connection is conn:
                session.connection = None
                if ws.close_code in (1000, 1001) and not conn.dropped_by_server:
                    # a clean close by the client ends the session, as on Discord
                    self.sessions.pop(session.id, None)
            await self._drain(conn)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            self.connections.discard(conn)
            self.server.touch()
        return ws

    async def _drain(self, conn: Connection) -> None:
        while not conn.outbox.empty():
            _, future = conn.outbox.get_nowait()
            conn.unsent -= 1
            if future is not None and not future.done():
                future.set_result(None)

    async def _identify(self, conn: Connection, d: dict[str, Any]) -> Session | None:
        token = str(d.get("token", "")).removeprefix("Bot ")
        bot = self.server.state.bot_by_token(token)
        if bot is None:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return None
        self.identifies += 1
        loop = asyncio.get_running_loop()
        session = Session(
            id=secrets.token_hex(16),
            bot=bot,
            intents=int(d.get("intents", 0)),
            shard=d.get("shard"),
            connection=conn,
            attached_at=loop.time(),
        )
        self.sessions[session.id] = session
        state = self.server.state
        guilds = [g for g in state.guilds.values() if bot.user_id in g.members]
        user = state.users[bot.user_id].to_dict()
        user.update(verified=True, mfa_enabled=False, email=None, bot=True)
        ready: dict[str, Any] = {
            "v": 10,
            "user": user,
            "user_settings": {},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.server.gateway_url,
            "application": {"id": str(bot.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["local"],
            "_trace": ["local-discord"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        self._dispatch_to(session, "READY", ready)
        for guild in guilds:
            self._dispatch_to(session, "GUILD_CREATE", self.guild_payload(guild, session))
        return session

    async def _resume(self, conn: Connection, d: dict[str, Any]) -> Session | None:
        session = self.sessions.get(str(d.get("session_id")))
        token = str(d.get("token", "")).removeprefix("Bot ")
        if session is None or session.bot.token != token or session.connection is not None:
            self._send(conn, {"op": 9, "s": None, "t": None, "d": False})
            return None
        session.connection = conn
        session.attached_at = asyncio.get_running_loop().time()
        last = int(d.get("seq") or 0)
        for payload in session.buffer:
            if int(payload["s"]) > last:
                self._send(conn, payload)
        session.seq += 1
        resumed = {"op": 0, "t": "RESUMED", "s": session.seq, "d": {"_trace": ["local-discord"]}}
        session.buffer.append(resumed)
        self._send(conn, resumed)
        return session

    def _request_members(self, session: Session, d: dict[str, Any]) -> None:
        state = self.server.state
        guild = state.guilds.get(int(d.get("guild_id", 0)))
        if guild is None:
            return
        query = str(d.get("query") or "").lower()
        limit = int(d.get("limit") or 0)
        wanted = {int(u) for u in d.get("user_ids") or []}
        members = [
            m
            for m in guild.members.values()
            if (not wanted or m.user.id in wanted) and m.user.username.lower().startswith(query)
        ]
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.to_dict() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if wanted:
            chunk["not_found"] = [str(u) for u in wanted - {m.user.id for m in members}]
        if d.get("nonce") is not None:
            chunk["nonce"] = d["nonce"]
        if d.get("presences"):
            chunk["presences"] = []
        self._dispatch_to(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def close_all(self, code: int = 1001, message: bytes = b"server shutting down") -> None:
        for conn in list(self.connections):
            conn.open = False
            conn.dropped_by_server = True
            with contextlib.suppress(Exception):
                await conn.ws.close(code=code, message=message)
