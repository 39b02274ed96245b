"""The sandbox: a local Discord, Hub and Calendar, a movable clock, and the real bot.

Used by the test suite, `hackbot rehearse` and `hackbot demo`. The bot is the production
``HackBot`` built by ``create_bot``; the only redirections are the base URLs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import HANDLER_TASKS, HackBot, create_bot
from bot.clock import ManualClock
from bot.db import Database
from bot.migrate import upgrade
from bot.settings import Config, Settings, load_settings, merge
from jobs.base import Job
from jobs.talks_sync import JOB_ID as TALKS_SYNC_JOB
from sandbox.discord import ChannelSpec, Interaction, LocalDiscord, use_local_discord
from sandbox.gcal import LocalCalendar
from sandbox.hub import LocalHub
from sandbox.scheduler import advance_to

log = logging.getLogger(__name__)

# The key of the registration hashes in every sandbox (tests, rehearsals, the demo).
SANDBOX_REGISTRATION_SECRET = "hackbot-sandbox-registration-secret"

DEFAULT_CHANNEL = "general"
READY_TIMEOUT = 15.0
# The bot's HF_TOKEN in the sandbox: an organizer's token, known to the local Hub.
SANDBOX_HF_TOKEN = "hf_sandboxtoken000000000000000"
# settle(): how long the local Discord must have been quiet, then how many turns of the event
# loop the bot gets to read what was sent to it last before it is judged idle. Each turn polls
# the sockets, and a gateway frame already sent becomes a running handler within two turns: the
# turns, not the quiet time, are what make settle() safe on a slow or busy machine.
SETTLE_QUIET = 0.01
SETTLE_TURNS = 5


@dataclass(frozen=True)
class MemberSpec:
    roles: tuple[str, ...] = ()
    locale: str = "es-ES"
    dms: bool = True


@dataclass
class StepOutcome:
    """What one step produced, in the transcript's vocabulary."""

    replies: list[Any] = field(default_factory=list)
    ack_ms: Any = None
    effects: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


class ErrorCapture(logging.Handler):
    """Collects error-level log records (the bot logs every unexpected exception)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        entry: dict[str, Any] = {
            "type": "log",
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        self.records.append(entry)

    def take(self) -> list[dict[str, Any]]:
        taken, self.records = self.records, []
        return taken


def sandbox_names(config: Config) -> dict[str, Any]:
    """Settings overrides so numeric role/channel/guild ids become the sandbox's names."""
    overrides: dict[str, Any] = {"roles": {}, "channels": {}}
    for section in ("roles", "channels"):
        for key, value in getattr(config, section).model_dump().items():
            if isinstance(value, int):
                overrides[section][key] = key
    if isinstance(config.discord.guild, int):
        overrides["discord"] = {"guild": "hackathon"}
    if isinstance(config.registration.welcome_channel, int):
        overrides["registration"] = {"welcome_channel": "welcome"}
    return overrides


class Sandbox:
    def __init__(
        self,
        config_path: Path,
        *,
        clock: ManualClock,
        db_url: str | None = None,
        overrides: Mapping[str, Any] | None = None,
        interaction_timeout: float = 3.0,
        workdir: Path | None = None,
        migrate: bool = True,
    ) -> None:
        """``migrate=False`` skips the migrations at start: for a caller (the test suite) that
        hands over a database it has already migrated to head."""
        self.clock = clock
        self.migrate = migrate
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="hackbot-sandbox-")
            workdir = Path(self._tmp.name)
        self.workdir = workdir
        self.db_url = db_url or f"sqlite+aiosqlite:///{workdir / 'hackbot.db'}"
        self.config_path = config_path
        self.overrides = dict(overrides or {})
        self.discord = LocalDiscord(now=clock.now, interaction_timeout=interaction_timeout)
        self.hub = LocalHub(now=clock.now, tokens={SANDBOX_HF_TOKEN})
        self.calendar = LocalCalendar(now=clock.now)
        self.errors = ErrorCapture()
        self.bot: HackBot | None = None
        # How long a step waits for the bot to settle (a long DM fan-out needs more).
        self.settle_limit = 15.0
        self._bot_task: asyncio.Task[None] | None = None
        self._redirect: contextlib.ExitStack | None = None
        self.settings: Settings | None = None
        self.guild_id = 0
        self.token = ""

    # -- life cycle -------------------------------------------------------------------------
    async def start(self) -> None:
        await self.discord.start()
        await self.hub.start()
        await self.calendar.start()
        key_file = self.calendar.write_service_account_key(self.workdir / "calendar-key.json")
        base = load_settings(self.config_path, env={}, overrides=self.overrides)
        overrides = merge(self.overrides, sandbox_names(base.config))
        overrides = merge(
            overrides,
            {
                "submissions": {"hub_endpoint": self.hub.url},
                "talks": {"api_endpoint": self.calendar.api_endpoint},
            },
        )
        env = {
            "DATABASE_URL": self.db_url,
            "GOOGLE_APPLICATION_CREDENTIALS": str(key_file),
            "HF_TOKEN": SANDBOX_HF_TOKEN,
            "REGISTRATION_SECRET": SANDBOX_REGISTRATION_SECRET,
        }
        self.settings = load_settings(self.config_path, env=env, overrides=overrides)
        self._build_guild(self.settings.config)
        self.calendar.load([], calendar_id=self.calendar_id)
        logging.getLogger().addHandler(self.errors)
        self._redirect = contextlib.ExitStack()
        self._redirect.enter_context(use_local_discord(self.discord))
        if self.migrate:
            await upgrade(self.db_url)
        await self.start_bot()

    def _build_guild(self, config: Config) -> None:
        roles = [str(v) for v in config.roles.model_dump().values() if v is not None]
        channels = [ChannelSpec(name=DEFAULT_CHANNEL)]
        for key, value in config.channels.model_dump().items():
            kind: Literal["forum", "text"] = "forum" if key.endswith("_forum") else "text"
            if all(c.name != str(value) for c in channels):
                channels.append(ChannelSpec(name=str(value), kind=kind))
        welcome = str(config.registration.welcome_channel)
        if all(c.name != welcome for c in channels):
            channels.append(ChannelSpec(name=welcome))
        self.guild_id = self.discord.create_guild(
            str(config.discord.guild), roles=list(dict.fromkeys(roles)), channels=channels
        )
        account = self.discord.create_bot(name="hackbot", guild_id=self.guild_id)
        self.token = account.token

    @property
    def calendar_id(self) -> str:
        """The talks calendar the bot reads (config `talks.calendar_id`)."""
        assert self.settings is not None
        return self.settings.config.talks.calendar_id

    async def register(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Import sign-up rows (a scenario's ``[[registrations]]``) as the organizers' lists
        would be, keyed with the sandbox's registration secret."""
        from bot.services import registration
        from bot.services.registration import Row

        assert self.bot is not None
        key = registration.registration_key(SANDBOX_REGISTRATION_SECRET)
        now = self.clock.now()
        for role in ("participant", "mentor"):
            chosen = [
                Row(
                    line=line,
                    email=str(row["email"]),
                    name=row.get("name"),
                    country=row.get("country"),
                    hub_user=row.get("hub_user"),
                )
                for line, row in enumerate(rows, start=1)
                if row.get("role", "participant") == role
            ]
            if chosen:

                async def write(
                    session: AsyncSession, role: str = role, chosen: list[Row] = chosen
                ) -> None:
                    await registration.import_rows(
                        session, key, chosen, role=role, ticket_types=(), fmt="plain", now=now
                    )

                await self.bot.db.write(write)

    def add_member(self, handle: str, spec: MemberSpec) -> int:
        assert self.settings is not None
        role_names = [str(getattr(self.settings.config.roles, key)) for key in spec.roles]
        return self.discord.add_member(
            self.guild_id, handle, roles=role_names, locale=spec.locale, dms=spec.dms
        )

    async def start_bot(self) -> None:
        assert self.settings is not None
        bot = create_bot(
            self.settings,
            db=Database(self.db_url),
            clock=self.clock,
            scheduler="manual",
            guild_ready_timeout=0.05,
        )
        self.bot = bot
        self._bot_task = asyncio.create_task(bot.start(self.token), name="hackbot")
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._bot_task}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            if self._bot_task in done:
                self._bot_task.result()
            raise TimeoutError("the bot did not become ready in the sandbox")
        # on_ready syncs the commands: members can only use them after that.
        await asyncio.wait_for(bot.commands_ready.wait(), READY_TIMEOUT)
        await self.settle()

    async def kill_bot(self) -> None:
        """Like SIGKILL: none of the bot's shutdown code runs; memory is lost."""
        bot, task = self.bot, self._bot_task
        self.bot, self._bot_task = None, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if bot is not None:
            # Release what a dead process's OS would: its heartbeat thread, sockets and
            # database connections.
            keep_alive = getattr(bot.ws, "_keep_alive", None) if bot.ws is not None else None
            if keep_alive is not None:
                keep_alive.stop()
            await self.discord.drop_connections()
            with contextlib.suppress(Exception):
                await bot.http.close()
            await bot.db.dispose()

    async def restart(self) -> None:
        await self.kill_bot()
        await self.start_bot()

    async def close(self) -> None:
        if self.bot is not None:
            bot, task = self.bot, self._bot_task
            self.bot = None
            with contextlib.suppress(Exception):
                await bot.close()
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, 5)
            await bot.db.dispose()
        logging.getLogger().removeHandler(self.errors)
        if self._redirect is not None:
            self._redirect.close()
        await self.discord.close()
        await self.hub.close()
        await self.calendar.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- acting -----------------------------------------------------------------------------
    async def settle(self, limit: float = 15.0) -> None:
        """Wait until the bot is done: nothing in flight on the local Discord, no interaction
        unanswered, and none of the bot's own handlers, jobs or background tasks running (a
        handler waiting on the database makes no Discord traffic, but it is not done)."""
        deadline = time.monotonic() + limit
        while True:
            await self.discord.wait_settled(
                timeout=max(0.1, deadline - time.monotonic()), quiet=SETTLE_QUIET
            )
            for _ in range(SETTLE_TURNS):
                await asyncio.sleep(0)
            busy = self.bot_busy()
            if not busy:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot is still busy: {busy}")
            await asyncio.sleep(0.01)

    def bot_busy(self) -> list[str]:
        if self.bot is None:
            return []
        busy = [
            task.get_name()
            for task in asyncio.all_tasks()
            if not task.done() and task.get_name().startswith(HANDLER_TASKS)
        ]
        if self.bot.job_runner.running:
            busy.append(f"{self.bot.job_runner.running} job(s)")
        return busy

    async def step(
        self, act: Callable[[], Awaitable[Interaction | list[Interaction] | None]]
    ) -> StepOutcome:
        """Run one action and collect everything the bot did until it settled."""
        self.discord.take_effects()
        self.errors.take()
        outcome = StepOutcome()
        result = await act()
        try:
            await self.settle(self.settle_limit)
        except TimeoutError as exc:
            outcome.errors.append({"type": "timeout", "message": str(exc)})
        interactions = (
            result if isinstance(result, list) else [result] if result is not None else []
        )
        for ix in interactions:
            if ix.failed:
                outcome.errors.append({"type": "interaction_failed"})
        if isinstance(result, list):
            outcome.replies = [list(ix.replies) for ix in result]
            outcome.ack_ms = [_ms(ix.ack_ms) for ix in result]
        elif result is not None:
            outcome.replies = list(result.replies)
            outcome.ack_ms = _ms(result.ack_ms)
        outcome.effects = self.discord.take_effects()
        outcome.errors.extend(self.errors.take())
        return outcome

    async def run(
        self,
        handle: str,
        command: str,
        options: Mapping[str, Any] | None = None,
        channel: str | None = None,
    ) -> StepOutcome:
        return await self.step(
            lambda: self.discord.run_command(
                self.guild_id, handle, command, dict(options or {}), channel=channel
            )
        )

    async def click(self, handle: str, **target: Any) -> StepOutcome:
        return await self.step(lambda: self.discord.click(handle, **target))

    async def choose(self, handle: str, **target: Any) -> StepOutcome:
        return await self.step(lambda: self.discord.choose(handle, **target))

    async def submit(self, handle: str, values: dict[str, str] | list[str]) -> StepOutcome:
        return await self.step(lambda: self.discord.submit_modal(handle, values))

    async def advance(self, delta: timedelta) -> StepOutcome:
        target = self.clock.now() + delta
        return await self.advance_until(target)

    async def advance_until(self, target: datetime) -> StepOutcome:
        async def act() -> None:
            assert self.bot is not None
            await advance_to(
                self.bot.job_runner,
                self.bot.jobs,
                self.clock,
                target,
                self.settle,
                idle=self._idle_poll,
            )

        return await self.step(act)

    def _idle_poll(self, job: Job) -> bool:
        """The calendar sync finds nothing while the local Calendar has not changed since the
        bot's last good read and no fault is pending: `advance` skips it (docs/sandbox.md)."""
        return job.id == TALKS_SYNC_JOB and self.calendar.idle_since_last_read()

    async def leave(self, handle: str) -> StepOutcome:
        async def act() -> None:
            self.discord.remove_member(self.guild_id, handle)

        return await self.step(act)

    def readable(self, text: str) -> str:
        """Mentions and timestamps as a person reads them: @handle, #channel, @role, /command,
        a UTC time."""

        def user(match: re.Match[str]) -> str:
            return "@" + (self.discord.handle_of(int(match[1])) or match[1])

        def channel(match: re.Match[str]) -> str:
            channel = self.discord.state.find_channel(int(match[1]))
            return match[0] if channel is None else "#" + channel.name

        def role(match: re.Match[str]) -> str:
            guild = self.discord.state.guilds.get(self.guild_id)
            found = guild.roles.get(int(match[1])) if guild is not None else None
            return match[0] if found is None else "@" + found.name

        def stamp(match: re.Match[str]) -> str:
            return datetime.fromtimestamp(int(match[1]), UTC).strftime("%Y-%m-%d %H:%M UTC")

        text = re.sub(r"<@&(\d+)>", role, text)
        text = re.sub(r"<@!?(\d+)>", user, text)
        text = re.sub(r"<#(\d+)>", channel, text)
        # A command mention (`</team leave:id>`) shows as the command's name in every client.
        text = re.sub(r"</([\w-]+(?: [\w-]+){0,2}):\d+>", r"/\1", text)
        return re.sub(r"<t:(\d+)(?::\w)?>", stamp, text)

    def handle_of(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        return self.discord.handle_of(user_id) or str(user_id)

    # -- forged interactions: another server, a DM, any value (sandbox/discord/forgery.py) --
    def add_server(
        self,
        name: str,
        *,
        roles: tuple[str, ...] = (),
        channels: tuple[str, ...] = (DEFAULT_CHANNEL,),
        members: Mapping[str, tuple[str, ...]] | None = None,
    ) -> int:
        """A second server where the bot is also a member (someone invited it there), with
        ``members`` holding roles by name (an attacker may name a role like the organizers')."""
        guild_id = self.discord.create_guild(
            name, roles=list(roles), channels=[ChannelSpec(name=c) for c in channels]
        )
        for handle, role_names in (members or {}).items():
            self.discord.add_member(guild_id, handle, roles=list(role_names))
        self.discord.join_bot(guild_id)
        return guild_id

    async def forge(
        self,
        handle: str,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        server: int | None = None,
        dm: bool = False,
        channel: str | None = None,
        raw: Mapping[str, Any] | None = None,
    ) -> StepOutcome:
        """Run the event's ``command`` as a modified client would: from ``server`` (default:
        the event's), or from a DM with the bot, with ``raw`` option values sent unchecked."""
        guild_id = None if dm else (server or self.guild_id)
        return await self.step(
            lambda: self.discord.forge_command(
                handle,
                command,
                dict(options or {}),
                commands_of=self.guild_id,
                guild_id=guild_id,
                channel=channel,
                raw=dict(raw or {}),
            )
        )

    async def forge_autocomplete(
        self,
        handle: str,
        command: str,
        option: str,
        value: str = "",
        *,
        server: int | None = None,
        dm: bool = False,
    ) -> StepOutcome:
        guild_id = None if dm else (server or self.guild_id)
        return await self.step(
            lambda: self.discord.forge_autocomplete(
                handle, command, option, value, commands_of=self.guild_id, guild_id=guild_id
            )
        )

    async def forge_click(
        self,
        handle: str,
        custom_id: str,
        *,
        server: int | None = None,
        dm: bool = False,
        channel: str | None = None,
    ) -> StepOutcome:
        """Press a button carrying ``custom_id`` (any text), in ``channel`` of ``server``
        (default: the event's) or in the DM with the bot."""
        guild_id = None if dm else (server or self.guild_id)
        return await self.step(
            lambda: self.discord.forge_click(
                handle, custom_id, bot_guild=self.guild_id, guild_id=guild_id, channel=channel
            )
        )


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@contextlib.contextmanager
def quiet_discord_logs() -> Iterator[None]:
    logger = logging.getLogger("discord")
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)
