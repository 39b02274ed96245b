"""The websocket gateway: HELLO, heartbeats, IDENTIFY/READY/GUILD_CREATE, RESUME and dispatches."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .models import DM, BotAccount, Channel, Guild, Member, Message
from .snowflake import iso

if TYPE_CHECKING:
    from .server import LocalDiscord

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
GUILD_SCHEDULED_EVENTS = 1 << 16
HEARTBEAT_INTERVAL_MS = 41250
RESUME_BUFFER = 2000
# IDENTIFY's large_threshold: 50 to 250, 50 when left out (discord.py sends 250).
LARGE_THRESHOLD_DEFAULT, LARGE_THRESHOLD_MIN, LARGE_THRESHOLD_MAX = 50, 50, 250
# Above this many members GUILD_CREATE holds only the bot (and members in voice) even with the
# presences intent.
PRESENCES_MEMBER_CAP = 75_000
CHUNK_SIZE = 1000  # members per GUILD_MEMBERS_CHUNK
QUERY_CAP = 100  # a prefix query or a list of user_ids returns at most this many members
NONCE_MAX_BYTES = 32


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
    large_threshold: int = LARGE_THRESHOLD_DEFAULT


class Gateway:
    def __init__(self, server: LocalDiscord) -> None:
        self.server = server
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.identifies = 0
        self.member_requests = 0  # op 8 REQUEST_GUILD_MEMBERS received
        # op 8 requests for every member sent without the members intent: Discord answers nothing
        self.refused_member_requests = 0

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
    def initial_members(self, guild: Guild, session: Session) -> list[Member]:
        """The members GUILD_CREATE carries, as Discord picks them. Without the presences intent
        (or above 75,000 members): the bot itself, plus members in voice (the sandbox models no
        voice). With it, every member up to ``large_threshold``; above it only those online
        (nobody is, in the sandbox), with a role or a nickname. Clients request the rest (op 8).
        """
        me = guild.members[session.bot.user_id]
        total = len(guild.members)
        if not session.intents & GUILD_PRESENCES or total > PRESENCES_MEMBER_CAP:
            return [me]
        if total > session.large_threshold:
            return [m for m in guild.members.values() if m is me or m.roles or m.nick]
        return list(guild.members.values())

    def guild_payload(self, guild: Guild, session: Session) -> dict[str, Any]:
        state = self.server.state
        me = session.bot.user_id
        members = [m.to_dict() for m in self.initial_members(guild, session)]
        threads = [
            c.to_dict(me=me)
            for c in guild.channels.values()
            if c.is_thread and not c.archived and state.can_see(me, c)
        ]
        payload = guild.to_dict()
        payload.update(
            soundboard_sounds=[],
            joined_at=iso(guild.members[me].joined_at),
            large=len(guild.members) > session.large_threshold,
            unavailable=False,
            member_count=len(guild.members),
            members=members,
            channels=[c.to_dict() for c in guild.channels.values() if not c.is_thread],
            threads=threads,
            presences=[],
            voice_states=[],
            stage_instances=[],
            guild_scheduled_events=[e.to_dict() for e in guild.events.values()],
            lazy=True,
        )
        return payload

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
            large_threshold=_large_threshold(d.get("large_threshold")),
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
        """op 8 REQUEST_GUILD_MEMBERS, answered with GUILD_MEMBERS_CHUNK events of up to 1,000
        members. Every member (``query=""``) needs the members intent: without it Discord sends
        nothing back. A prefix query or a list of ``user_ids`` returns at most 100 members."""
        self.member_requests += 1
        raw_guild = d.get("guild_id")
        if isinstance(raw_guild, list):  # one guild per request
            raw_guild = raw_guild[0] if len(raw_guild) == 1 else None
        guild = self.server.state.guilds.get(_int(raw_guild))
        if guild is None or session.bot.user_id not in guild.members:
            return
        raw_ids = d.get("user_ids")
        wanted = [_int(u) for u in (raw_ids if isinstance(raw_ids, list) else [raw_ids])]
        wanted = [u for u in wanted if u]
        query = d.get("query")
        if not wanted and query is None:
            return  # one of query or user_ids is required
        if not wanted and query == "" and not session.intents & GUILD_MEMBERS:
            self.refused_member_requests += 1
            return
        limit = _int(d.get("limit"))
        if wanted:
            found = [guild.members[u] for u in dict.fromkeys(wanted) if u in guild.members]
            members = found[:QUERY_CAP]
        else:
            prefix = str(query).lower()
            members = [
                m for m in guild.members.values() if m.user.username.lower().startswith(prefix)
            ]
            cap = limit if prefix == "" else min(limit or QUERY_CAP, QUERY_CAP)
            if cap:
                members = members[:cap]
        nonce = d.get("nonce")
        if not isinstance(nonce, str) or len(nonce.encode()) > NONCE_MAX_BYTES:
            nonce = None  # an invalid nonce is ignored: the chunks then carry none
        count = max(1, math.ceil(len(members) / CHUNK_SIZE))
        for index in range(count):
            part = members[index * CHUNK_SIZE : (index + 1) * CHUNK_SIZE]
            chunk: dict[str, Any] = {
                "guild_id": str(guild.id),
                "members": [m.to_dict() for m in part],
                "chunk_index": index,
                "chunk_count": count,
            }
            if wanted and index == 0:
                chunk["not_found"] = [str(u) for u in wanted if u not in guild.members]
            if nonce is not None:
                chunk["nonce"] = nonce
            if d.get("presences") and session.intents & GUILD_PRESENCES:
                chunk["presences"] = []
            self._dispatch_to(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def close_all(self, code: int = 1001, message: bytes = b"server shutting down") -> None:
        for conn in list(self.connections):
            conn.open = False
            conn.dropped_by_server = True
            with contextlib.suppress(Exception):
                await conn.ws.close(code=code, message=message)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _large_threshold(value: Any) -> int:
    if value is None:
        return LARGE_THRESHOLD_DEFAULT
    return min(max(_int(value), LARGE_THRESHOLD_MIN), LARGE_THRESHOLD_MAX)
