"""The bot factory: wires every dependency once (as cosmicpython's ``bootstrap.py`` does) and
hands each entry point only what it needs: cogs get the bot, jobs a :class:`JobContext`.
Nothing here touches the network before ``start``."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import hashlib
import json
import logging
from collections.abc import Coroutine
from typing import Any, Literal

import aiohttp
import discord
from discord.ext import commands

import cogs
from bot.clients.calendar import CalendarClient
from bot.clients.hub import HubClient
from bot.clock import Clock, SystemClock
from bot.db import Database, is_unavailable
from bot.discord.errors import ErrorRegistry, default_registry
from bot.discord.limits import MemberLocks, Throttle
from bot.discord.notifier import DiscordNotifier
from bot.discord.pacing import GlobalPace, paced
from bot.discord.place import EventPlace
from bot.discord.talks import DiscordScheduledEvents
from bot.discord.translator import CatalogTranslator
from bot.discord.tree import HackTree
from bot.discovery import walk_modules
from bot.i18n import Catalogs, catalogs
from bot.logs import redact_values
from bot.models import KeyValue
from bot.services.members import all_locales, remember_locales
from bot.settings import Settings
from jobs import all_jobs
from jobs.base import Job
from jobs.context import JobContext
from jobs.runner import JobRunner
from jobs.scheduler import Scheduling

log = logging.getLogger(__name__)

SchedulerMode = Literal["real", "manual"]
COMMANDS_HASH_KEY = "commands_hash"
CLOSE_GRACE_SECONDS = 10.0


def intents() -> discord.Intents:
    """Only what the bot needs: guilds (channels, threads, roles) and members (leaves)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.members = True
    return wanted


def cog_modules() -> list[str]:
    """Every module under ``cogs/`` that defines ``setup`` (an extension), in name order."""
    return walk_modules(cogs, "setup")


# Names discord.py gives the tasks running the bot's handlers, and the bot's own background tasks
# ("hackbot-..."): while one runs, the bot is not done (the sandbox and the benchmarks wait on it).
HANDLER_TASKS = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch",
    "discord-ui-dynamic-item",
    "discord-ui-modal-dispatch",
    "discord.py: on_",
    "hackbot-",
)

# The collector's thresholds once the bot runs: a young collection every 20,000 net allocations
# instead of 700. A command allocates a few thousand short-lived objects that reference counting
# frees; with Python's default the collector ran about 270 young collections in the benchmark's
# bursts (0.7 s of CPU), with these 7 (see docs/benchmarks.md).
GC_THRESHOLDS = (20_000, 20, 20)
# Connections to Discord's HTTP API at once (the gateway's websocket takes one).
DISCORD_CONNECTIONS = 100  # aiohttp's own default


def freeze_startup_objects() -> None:
    """Collect once, then keep every object alive now out of later collections
    (``gc.freeze``): the bot holds a few hundred thousand long-lived objects (the server's
    members, channels, commands, compiled statements), and each full collection would scan them
    all again, a pause of about 200 ms every few hundred commands in a burst. Objects created
    later are collected as usual, less often (:data:`GC_THRESHOLDS`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    log.info("%d start-up objects kept out of garbage collection", gc.get_freeze_count())


class HackBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        *,
        db: Database,
        clock: Clock | None = None,
        scheduler: SchedulerMode = "real",
        guild_ready_timeout: float = 2.0,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=HackTree,
            help_command=None,
            guild_ready_timeout=guild_ready_timeout,
            max_messages=None,
        )
        self.settings = settings
        self.db = db
        # Every bot-token REST call waits for its turn under Discord's global limit.
        self.pace = GlobalPace()
        setattr(self.http, "request", paced(self.http.request, self.pace))  # noqa: B010
        # The event's server, roles and channels as ids (resolved when the server is ready);
        # one team command at a time per member; who hit a limit, recorded throttled.
        self.place = EventPlace(settings.config)
        self.member_locks = MemberLocks()
        self.limit_log = Throttle()
        self.refusal_log = Throttle()
        self.clock: Clock = clock or SystemClock()
        # Top-level command name -> its id on Discord, known once the commands are synced (or
        # read back): catalogs name commands by mention with it (``{cmd_team_leave}``), and by
        # their localized name while it is empty.
        self.command_ids: dict[str, int] = {}
        # Values that command descriptions show, set from the settings by each feature's cogs
        # (``{name_min}`` in a team-name option), so no limit is written in the catalogs.
        self.command_params: dict[str, object] = {}
        self.catalogs: Catalogs = (
            catalogs()
            .with_default(settings.config.event.default_locale)
            .with_commands(self.command_ids)
        )
        self.errors: ErrorRegistry = default_registry()
        self.scheduler_mode = scheduler
        self.jobs: list[Job] = all_jobs(settings)
        self.job_context = JobContext(
            db=db,
            clock=self.clock,
            settings=settings,
            notifier=DiscordNotifier(self),
            latency=lambda: self.latency,
            hub=self.hub,
            calendar=self.calendar,
            scheduled_events=DiscordScheduledEvents(self),
        )
        self.job_runner = JobRunner(self.job_context)
        self.started_at = self.clock.now()
        self.scheduling = Scheduling(
            self.jobs,
            self.job_runner,
            self.clock,
            db,
            retry=settings.config.scheduler.leader_retry,
        )
        self._synced = False
        # `hackbot run` sets it: after the first READY, what start-up built (cogs, caches of the
        # server's members and channels) is moved out of the garbage collector's way.
        self.freeze_at_ready = False
        self._locales: dict[int, str] = {}
        self._pending_locales: dict[int, str] = {}
        self._locale_writer: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self.commands_ready = asyncio.Event()

    # -- start-up -------------------------------------------------------------------------
    async def login(self, token: str) -> None:
        # discord.py opens connections to Discord without bound (``TCPConnector(limit=0)``):
        # a burst of 1,000 interactions opened 1,000 sockets to acknowledge them, each a TLS
        # handshake on Discord. At most DISCORD_CONNECTIONS, kept alive and reused.
        connector = self.http.connector
        if connector is discord.utils.MISSING or connector.closed:
            self.http.connector = aiohttp.TCPConnector(limit=DISCORD_CONNECTIONS)
        await super().login(token)

    async def setup_hook(self) -> None:
        await self.prepare()
        await self.load_locales()
        if self.scheduler_mode == "real":
            # Elected in the background: a process that does not lead keeps trying.
            self.scheduling.start()

    async def prepare(self) -> None:
        """Install the translator and load every cog (no network)."""
        self.place.install(self)
        for module in cog_modules():
            await self.load_extension(module)
        # After the cogs: each one's `setup` adds the values its command texts show.
        await self.tree.set_translator(CatalogTranslator(self.catalogs, self.command_params))

    async def on_ready(self) -> None:
        self.place.resolve(self)
        if not self._synced:
            self._synced = True
            try:
                await self.sync_commands()
            finally:
                self.commands_ready.set()
            if self.freeze_at_ready:
                freeze_startup_objects()
        log.info("ready as %s in %d guild(s)", self.user, len(self.guilds))

    async def close(self) -> None:
        leading = self.scheduling.leading
        await self.scheduling.stop()
        if leading:
            # Let a job that is delivering finish and record its run (bounded).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.job_runner.wait_idle(), CLOSE_GRACE_SECONDS)
        if self._locale_writer is not None and not self._locale_writer.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._locale_writer), CLOSE_GRACE_SECONDS)
        await self.scheduling.release()
        await super().close()

    def remember_locale_soon(self, user_id: int, locale: str) -> None:
        """Store a member's language when it changed, off the command's path: changes are
        batched, one transaction for all those that arrived while the previous one was written
        (a burst of first commands costs a handful of writes, not one each)."""
        if self._locales.get(user_id) == locale:
            return
        self._locales[user_id] = locale
        self._pending_locales[user_id] = locale
        if self._locale_writer is None or self._locale_writer.done():
            self._locale_writer = self.spawn(self._write_locales(), name="hackbot-locales")

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> asyncio.Task[None]:
        """Run ``work`` in the background, kept referenced until it ends (the sandbox waits
        for these before a step settles)."""
        task = asyncio.create_task(work, name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def _write_locales(self) -> None:
        while self._pending_locales:
            batch, self._pending_locales = self._pending_locales, {}
            try:
                await self._write_locale_batch(batch)
            except Exception as exc:
                # Forgotten: the member's next interaction tries again.
                for user_id in batch:
                    self._locales.pop(user_id, None)
                if not is_unavailable(exc):
                    log.exception("could not remember the language of %d member(s)", len(batch))
                    continue
                log.warning(
                    "database unavailable: the language of %d member(s) is stored later", len(batch)
                )

    async def _write_locale_batch(self, batch: dict[int, str]) -> None:
        now = self.clock.now()
        await self.db.write(lambda session: remember_locales(session, batch, now))

    async def load_locales(self) -> None:
        """Know at start-up which languages are stored already: nothing to write for them."""
        async with self.db.read() as session:
            self._locales.update(await all_locales(session))

    # -- external services, built on first use from settings (endpoints included) -----------
    @functools.cached_property
    def hub(self) -> HubClient:
        """The Hugging Face Hub adapter (worker threads, bounded concurrency, backoff)."""
        submissions = self.settings.config.submissions
        return HubClient(
            submissions.hub_endpoint,
            self.settings.secrets.hf_token,
            max_concurrency=submissions.hub_concurrency,
            budget=submissions.hub_budget,
            budget_window=submissions.hub_budget_window.total_seconds(),
            timeout=submissions.hub_timeout.total_seconds(),
        )

    @functools.cached_property
    def calendar(self) -> CalendarClient:
        """The talks calendar adapter."""
        talks = self.settings.config.talks
        return CalendarClient(
            talks.api_endpoint,
            self.settings.secrets.google_credentials,
            talks.calendar_id,
            retries=talks.calendar_retries,
            timeout=talks.calendar_timeout.total_seconds(),
        )

    # -- the event's guild ----------------------------------------------------------------
    @property
    def guild(self) -> discord.Guild | None:
        return self.place.guild(self)

    def channel(self, key: str) -> Any:
        """The configured channel ``key`` (a key of ``[channels]``), or None."""
        guild, channel_id = self.guild, self.place.channel_id(key, self)
        return None if guild is None or channel_id is None else guild.get_channel(channel_id)

    def role(self, key: str) -> discord.Role | None:
        guild, role_id = self.guild, self.place.role_id(key, self)
        return None if guild is None or role_id is None else guild.get_role(role_id)

    # -- command sync only when the command set changed ----------------------------------
    async def command_payloads(self) -> list[dict[str, Any]]:
        translator = self.tree.translator
        payloads = []
        for command in self.tree.get_commands():
            if translator is not None:
                payloads.append(await command.get_translated_payload(self.tree, translator))
            else:
                payloads.append(command.to_dict(self.tree))
        return payloads

    async def sync_commands(self) -> bool:
        """Sync the command tree when it differs from the last synced one. True if synced."""
        target = self.guild if self.settings.config.discord.sync_commands == "guild" else None
        if target is None and self.settings.config.discord.sync_commands == "guild":
            log.error("the event's server is not resolved: commands not synced")
            return False
        payloads = await self.command_payloads()
        scope = f"guild:{target.id}" if target is not None else "global"
        digest = hashlib.sha256(json.dumps([scope, payloads], sort_keys=True).encode()).hexdigest()
        async with self.db.read() as session:
            stored = await session.get(KeyValue, COMMANDS_HASH_KEY)
        if stored is not None and stored.value == digest:
            await self._read_command_ids(target)
            return False
        if target is not None:
            self.tree.copy_global_to(guild=target)
        self._learn_command_ids(await self.tree.sync(guild=target))
        await self.db.write(
            lambda session: session.merge(KeyValue(key=COMMANDS_HASH_KEY, value=digest))
        )
        log.info("synced %d commands (%s)", len(payloads), scope)
        return True

    async def _read_command_ids(self, target: discord.abc.Snowflake | None) -> None:
        """The ids of commands synced by an earlier run (one request at start-up); without
        them, hints name commands in words instead of by mention."""
        try:
            self._learn_command_ids(await self.tree.fetch_commands(guild=target))
        except discord.HTTPException as exc:
            log.warning("could not read the synced commands' ids: %s", exc.status)

    def _learn_command_ids(self, synced: list[discord.app_commands.AppCommand]) -> None:
        self.command_ids.clear()
        self.command_ids.update({command.name: command.id for command in synced})


def create_bot(settings: Settings, **kwargs: Any) -> HackBot:
    """Build the bot; ``db`` defaults to the settings' DATABASE_URL."""
    secrets = settings.secrets
    redact_values(
        secrets.discord_token,
        secrets.hf_token,
        secrets.database_url,
        secrets.registration_secret,
    )
    if "db" not in kwargs:
        kwargs["db"] = Database(settings.secrets.database_url)
    return HackBot(settings, **kwargs)
