"""LocalDiscord: a local Discord API v10 (REST + gateway) for the real discord.py client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from . import (
    actions,
    routes_channels,
    routes_events,
    routes_guild,
    routes_messages,
    routes_threads,
    routes_webhooks,
)
from .dispatches import Dispatches
from .errors import DiscordFault, DiscordHold, RejectedByDiscord
from .forgery import Forgery
from .gateway import GUILD_MEMBERS, Gateway
from .http_core import SERVER_KEY, Exchange, discord_middleware
from .interactions import TOKEN_LIFETIME, Interaction, InteractionRegistry
from .models import BotAccount, Channel, Guild, Member, Message
from .permissions import FULL_PERMISSIONS
from .ratelimits import RateLimits, SandboxTime
from .recorder import Recorder
from .state import ChannelSpec, State
from .views import StateViews

# aiohttp listens with a backlog of 128: a burst of a few hundred connections then overflows the
# kernel's accept queue, SYNs are dropped and each client waits a 1 s retransmission. Discord
# does not; the kernel caps this at net.core.somaxconn.
LISTEN_BACKLOG = 4096


def _utcnow() -> datetime:
    return datetime.now(UTC)


class LocalDiscord(StateViews, Dispatches, Forgery):
    """A local Discord server. Build a guild, start it, point discord.py at it."""

    def __init__(
        self, now: Callable[[], datetime] = _utcnow, interaction_timeout: float = 3.0
    ) -> None:
        self.now = now
        self.interaction_timeout = interaction_timeout
        # late-bound on purpose: tests and rehearsals may swap ``now`` after construction
        self.state = State(lambda: self.now())  # noqa: PLW0108
        self.recorder = Recorder(self.state)
        self.gateway = Gateway(self)
        self.interactions = InteractionRegistry(self)
        self.requests: list[tuple[str, str, int]] = []
        self.errors: list[dict[str, Any]] = []
        self.faults: list[DiscordFault] = []
        self.holds: list[DiscordHold] = []
        # Discord's REST rate limits, enforced unless a test switches them off (saying why)
        self.ratelimits = RateLimits(clock=SandboxTime(lambda: self.now()))  # noqa: PLW0108
        # every REST request and answer, when a test asks for them (set to a list)
        self.exchanges: list[Exchange] | None = None
        self.inflight = 0
        self.base_url = ""
        self.gateway_url = ""
        self._last_activity = time.monotonic()
        self._runner: web.AppRunner | None = None

    # ---- lifecycle --------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(middlewares=[discord_middleware], client_max_size=64 * 1024**2)
        app[SERVER_KEY] = self
        for module in (
            routes_guild,
            routes_messages,
            routes_threads,
            routes_channels,
            routes_events,
            routes_webhooks,
        ):
            module.register(app)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_get(r"/ephemeral-attachments/0/{att_id:\d+}/{filename}", self._serve_upload)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, backlog=LISTEN_BACKLOG)
        await site.start()
        bound = self._runner.addresses[0][1]
        self.base_url = f"http://{host}:{bound}/api/v10"
        self.gateway_url = f"ws://{host}:{bound}/"
        self.state.cdn_base = f"http://{host}:{bound}"

    async def _serve_upload(self, request: web.Request) -> web.Response:
        """Discord's CDN for files attached to commands (``Attachment.read()``)."""
        content = self.state.uploads.get(int(request.match_info["att_id"]))
        if content is None:
            return web.Response(status=404, text="not found")
        return web.Response(body=content, content_type="application/octet-stream")

    async def close(self) -> None:
        for hold in self.holds:
            hold.release()
        self.interactions.cancel_timers()
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every gateway connection as a network failure would; clients then RESUME."""
        await self.gateway.close_all(code=code, message=b"Unknown error")

    def touch(self) -> None:
        self._last_activity = time.monotonic()

    # ---- building the world -----------------------------------------------------------------
    def create_guild(self, name: str, roles: list[str], channels: list[ChannelSpec]) -> int:
        return self.state.create_guild(name, roles, channels).id

    def create_bot(
        self, name: str = "hackbot", guild_id: int = 0, permissions: int = FULL_PERMISSIONS
    ) -> BotAccount:
        """A bot account, member of the guild with a managed role carrying ``permissions``.

        ``guild_id`` may be left out when the server holds exactly one guild."""
        if not guild_id and len(self.state.guilds) == 1:
            guild_id = next(iter(self.state.guilds))
        return self.state.create_bot(name, guild_id, permissions)

    def set_bot_permissions(self, guild_id: int, permissions: int) -> None:
        guild = self.state.guild(guild_id)
        for role in guild.roles.values():
            if role.managed and role.bot_id is not None:
                role.permissions = permissions
                self.gateway.dispatch(
                    "GUILD_ROLE_UPDATE",
                    {"guild_id": str(guild.id), "role": role.to_dict()},
                    guild_id=guild.id,
                )

    def set_everyone_permissions(self, guild_id: int, permissions: int) -> None:
        guild = self.state.guild(guild_id)
        role = guild.roles[guild.id]
        role.permissions = permissions
        self.gateway.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(guild.id), "role": role.to_dict()},
            guild_id=guild.id,
        )

    def add_member(
        self,
        guild_id: int,
        handle: str,
        roles: list[str] | None = None,
        locale: str = "es-ES",
        dms: bool = True,
    ) -> int:
        guild = self.state.guild(guild_id)
        user = self.state.create_user(handle, locale=locale)
        user.locale, user.dms = locale, dms
        role_ids = [self.state.role_id(guild_id, r) for r in roles or []]
        member = Member(user=user, roles=role_ids, joined_at=self.now())
        guild.members[user.id] = member
        data = member.to_dict()
        data["guild_id"] = str(guild.id)
        self.gateway.dispatch("GUILD_MEMBER_ADD", data, guild_id=guild.id, intent=GUILD_MEMBERS)
        return user.id

    def remove_member(self, guild_id: int, handle: str) -> None:
        guild = self.state.guild(guild_id)
        user_id = self.state.user_id(handle)
        member = guild.members.pop(user_id, None)
        if member is None:
            raise LookupError(f"{handle!r} is not a member of {guild.name!r}")
        for thread in [c for c in guild.channels.values() if c.is_thread]:
            if user_id in thread.members:
                del thread.members[user_id]
                self.dispatch_thread_members(thread, added=[], removed=[user_id])
        self.gateway.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild.id), "user": member.user.to_dict()},
            guild_id=guild.id,
            intent=GUILD_MEMBERS,
        )

    def user_id(self, handle: str) -> int:
        return self.state.user_id(handle)

    def handle_of(self, user_id: int) -> str | None:
        return self.state.handle_of(user_id)

    def channel_id(self, guild_id: int, name: str) -> int:
        return self.state.channel_id(guild_id, name)

    def role_id(self, guild_id: int, name: str) -> int:
        return self.state.role_id(guild_id, name)

    def inject_fault(
        self,
        method: str,
        path_pattern: str,
        status: int,
        *,
        retry_after: float = 0.5,
        count: int = 1,
        global_: bool = False,
    ) -> DiscordFault:
        fault = DiscordFault(method, path_pattern, status, retry_after, count, global_)
        self.faults.append(fault)
        return fault

    def hold_after(
        self, method: str, path_pattern: str, *, count: int = 1, max_seconds: float = 30.0
    ) -> DiscordHold:
        """Handle the next ``count`` matching bot requests, then hold their answers back until
        the hold is released: Discord did it, the bot has not heard (a crash aimed there)."""
        hold = DiscordHold(method, path_pattern, count, max_seconds)
        self.holds.append(hold)
        return hold

    # ---- effects ----------------------------------------------------------------------------
    @property
    def effects(self) -> list[dict[str, Any]]:
        return self.recorder.effects

    def take_effects(self) -> list[dict[str, Any]]:
        return self.recorder.take()

    # ---- acting as a member -----------------------------------------------------------------
    def _member_in(self, guild_id: int, handle: str) -> tuple[Guild, int]:
        guild = self.state.guild(guild_id)
        user_id = self.state.user_id(handle)
        if user_id not in guild.members:
            raise RejectedByDiscord(f"{handle} is not a member of {guild.name}")
        return guild, user_id

    async def run_command(
        self,
        guild_id: int,
        handle: str,
        path: str,
        options: dict[str, Any] | None = None,
        channel: str | None = None,
    ) -> Interaction:
        guild, user_id = self._member_in(guild_id, handle)
        bot = actions.bot_in(self, guild)
        where = actions.command_channel(self, guild, user_id, channel)
        data = actions.command_data(self, guild, bot, where, path, options or {}, None)
        ix = self.interactions.new("command", bot, user_id, where, data)
        return await self.interactions.dispatch(ix)

    async def autocomplete(  # noqa: PLR0917 - public signature
        self,
        guild_id: int,
        handle: str,
        path: str,
        options: dict[str, Any] | None = None,
        focused: str | None = None,
        channel: str | None = None,
    ) -> Interaction:
        """Autocomplete of option ``focused`` (default: the first option with autocomplete)."""
        guild, user_id = self._member_in(guild_id, handle)
        bot = actions.bot_in(self, guild)
        where = actions.command_channel(self, guild, user_id, channel)
        if focused is None:
            focused = actions.first_autocomplete(guild, bot, path)
        data = actions.command_data(self, guild, bot, where, path, options or {}, focused)
        ix = self.interactions.new("autocomplete", bot, user_id, where, data)
        return await self.interactions.dispatch(ix)

    def _bot_for_message(self, message: Message, channel: Channel) -> BotAccount:
        for bot in self.state.bots.values():
            if bot.user_id == message.author_id:
                return bot
        guild = self.state.guild_of(channel)
        if guild is None:
            raise LookupError("message has no bot author")
        return actions.bot_in(self, guild)

    async def click(
        self,
        handle: str,
        *,
        label: str | None = None,
        custom_id: str | None = None,
        index: int | None = None,
        where: str | None = None,
    ) -> Interaction:
        user_id = self.state.user_id(handle)
        what = f"button {label or custom_id or index!r}"
        message, button = actions.find_component_message(
            self, user_id, where, actions.pick_button(label, custom_id, index), what
        )
        if button.get("disabled"):
            raise RejectedByDiscord(f"{what} is disabled")
        if not button.get("custom_id"):
            raise RejectedByDiscord(f"{what} is a link or premium button, not an interaction")
        channel = self.state.channel(message.channel_id)
        data = {"custom_id": button["custom_id"], "component_type": 2}
        bot = self._bot_for_message(message, channel)
        ix = self.interactions.new("component", bot, user_id, channel, data, message)
        return await self.interactions.dispatch(ix)

    async def choose(
        self,
        handle: str,
        *,
        select: str | None = None,
        values: list[str] | None = None,
        index: int | None = None,
        where: str | None = None,
    ) -> Interaction:
        user_id = self.state.user_id(handle)
        what = f"select {select!r}" if select else "a select menu"
        message, menu = actions.find_component_message(
            self, user_id, where, actions.pick_select(select), what
        )
        channel = self.state.channel(message.channel_id)
        guild = self.state.guild_of(channel)
        chosen, resolved = actions.select_values(self, guild, menu, values, index)
        data: dict[str, Any] = {
            "custom_id": menu["custom_id"],
            "component_type": menu["type"],
            "values": chosen,
        }
        if resolved:
            data["resolved"] = resolved
        bot = self._bot_for_message(message, channel)
        ix = self.interactions.new("component", bot, user_id, channel, data, message)
        return await self.interactions.dispatch(ix)

    async def submit_modal(self, handle: str, values: dict[str, str] | list[str]) -> Interaction:
        user_id = self.state.user_id(handle)
        opened = self.interactions.last_modal_for(user_id)
        data = actions.modal_submission(opened, values)
        channel = self.state.channel(opened.channel_id)
        source = None
        if opened.kind == "component" and opened.source_message_id is not None:
            source = self.state.messages.get(opened.source_message_id)
        ix = self.interactions.new("modal_submit", opened.bot, user_id, channel, data, source)
        return await self.interactions.dispatch(ix)

    async def wait_settled(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109 - public signature
        quiet: float = 0.05,
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            pending = self._pending()
            if not pending and time.monotonic() - self._last_activity >= quiet:
                return
            if loop.time() >= deadline:
                raise TimeoutError(
                    f"local Discord did not settle in {timeout}s: {pending or 'activity'}"
                )
            await asyncio.sleep(min(0.01, max(quiet / 2, 0.001)))

    def _pending(self) -> list[str]:
        pending: list[str] = []
        if self.inflight:
            pending.append(f"{self.inflight} request(s) in flight")
        if self.gateway.unsent():
            pending.append(f"{self.gateway.unsent()} gateway frame(s) unsent")
        now = self.now()
        for ix in self.interactions.ordered:
            if ix.settled or now - ix.created_at > TOKEN_LIFETIME:
                continue
            state = "thinking" if ix.thinking else "unanswered"
            pending.append(f"{ix.kind} interaction by {ix.handle} {state}")
        return pending
