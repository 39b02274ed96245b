"""The talks calendar sync: the programme follows the Google Calendar, Discord follows the
programme.

Each run reads what changed since the stored sync token (everything when there is none, or
when Google answers 410), applies it and stores the new token in one transaction, then makes
the Discord scheduled events match (created, edited, deleted, each recorded as it happens).
When the Calendar fails (after the client's own retries) the programme stays as it was known,
reminders keep going from it, the next try waits longer each time (``sync_state``), and after
``alert_after`` failures in a row the organizers' channel is told, once, and again when the
Calendar is back. `/admin calendar-sync` runs the same sync on demand.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clients.calendar import CalendarError
from bot.i18n import Message
from bot.models import Talk
from bot.services import talks
from bot.services.talks import TalkChange, TalkView
from bot.settings import Settings
from jobs.base import Job
from jobs.context import EventSpec, JobContext, ScheduledEvents

log = logging.getLogger(__name__)
JOB_ID = "talks_sync"
EVENT_NAME_MAX = 100
EVENT_DESCRIPTION_MAX = 1000
DEFAULT_LOCATION = "Discord"


@dataclass
class DiscordOutcome:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    failed: int = 0


@dataclass(frozen=True)
class SyncReport:
    """What one sync did: the calendar error kind when it failed, else the changes."""

    error: str | None
    changes: list[TalkChange] = field(default_factory=list)
    full: bool = False
    discord: DiscordOutcome = field(default_factory=DiscordOutcome)

    @property
    def ok(self) -> bool:
        return self.error is None


def event_spec(talk: TalkView) -> EventSpec:
    return EventSpec(
        name=talk.title[:EVENT_NAME_MAX] or talk.calendar_event_id[:EVENT_NAME_MAX],
        description=talk.description[:EVENT_DESCRIPTION_MAX],
        location=talk.location[:EVENT_NAME_MAX] or DEFAULT_LOCATION,
        start=talk.start,
        end=talk.end,
    )


# One sync at a time in the process that runs jobs (the job and `/admin calendar-sync`), and one
# pass over the Discord events at a time (two would create the same event twice). One lock per
# event loop: a lock is bound to the loop it first waited in.
_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _lock(name: str) -> asyncio.Lock:
    locks = _LOCKS.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(name, asyncio.Lock())


async def sync_now(ctx: JobContext) -> SyncReport:
    """Read the calendar's changes, apply them, make Discord follow; never raises for a
    Calendar or Discord failure (it is the report)."""
    async with _lock("sync"):
        return await _sync(ctx)


async def _sync(ctx: JobContext) -> SyncReport:
    settings = ctx.settings.config.talks
    if ctx.calendar is None:
        raise RuntimeError("the talks calendar is not wired into the job context")
    async with ctx.db.read() as session:
        state = await talks.read_sync_state(session)
    try:
        page = await ctx.calendar.list_changes(state.sync_token)
    except CalendarError as err:
        now, kind = ctx.clock.now(), err.kind

        async def failed(session: AsyncSession) -> tuple[talks.SyncState, bool]:
            return await talks.record_failure(session, kind, now, settings.alert_after)

        after, alert = await ctx.db.write(failed)
        log.warning("calendar sync failed (%s), %d in a row", err.kind, after.failures)
        if alert:
            await ctx.notifier.post(
                "organizers",
                Message(
                    "talks.alerts.calendar_down",
                    count=after.failures,
                    error=Message(f"talks.calendar_error.{err.kind}"),
                ),
            )
        return SyncReport(error=err.kind)
    now = ctx.clock.now()

    async def apply(session: AsyncSession) -> tuple[list[TalkChange], talks.SyncState]:
        changes = await talks.apply_changes(
            session, page.events, full=page.full_sync, now=now, offsets=settings.reminders
        )
        before = await talks.record_success(session, page.next_sync_token, now, len(changes))
        return changes, before

    changes, before = await ctx.db.write(apply)
    if before.alerted:
        await ctx.notifier.post("organizers", Message("talks.alerts.calendar_back"))
    outcome = await mirror(ctx)
    return SyncReport(error=None, changes=changes, full=page.full_sync, discord=outcome)


async def mirror(ctx: JobContext) -> DiscordOutcome:
    """``_mirror`` one at a time (the sync, `/admin calendar-sync` and the events job share it)."""
    async with _lock("mirror"):
        return await _mirror(ctx)


async def _mirror(ctx: JobContext) -> DiscordOutcome:
    """Make the server's scheduled events show the soonest upcoming talks. A talk created on
    Discord whose id was not recorded (the process died in between) is found again by name and
    start among the bot's events, so a restart never duplicates one."""
    outcome = DiscordOutcome()
    events = ctx.scheduled_events
    settings = ctx.settings.config.talks
    if events is None:
        return outcome
    now = ctx.clock.now()
    async with ctx.db.read() as session:
        work = await talks.discord_plan(
            session, now, enabled=settings.discord_events, limit=settings.max_discord_events
        )
        rows = await session.scalars(
            select(Talk.discord_event_id).where(Talk.discord_event_id.is_not(None))
        )
        linked = {event_id for event_id in rows if event_id is not None}
    if not work:
        return outcome
    for view in work.delete:
        assert view.discord_event_id is not None
        if await events.delete(view.discord_event_id):
            await _link(ctx, view, None)
            outcome.deleted += 1
        else:
            outcome.failed += 1
    existing = (await events.existing() or {}) if work.create else {}
    for view in work.create:
        spec = event_spec(view)
        found = _orphan(existing, linked, spec)
        if found is not None and await events.edit(found, spec):
            linked.add(found)
            await _link(ctx, view, found)
            outcome.updated += 1
            continue
        event_id = await events.create(spec)
        if event_id is None:
            outcome.failed += 1
            continue
        linked.add(event_id)
        await _link(ctx, view, event_id)
        outcome.created += 1
    for view in work.edit:
        assert view.discord_event_id is not None
        edited = await _edit_or_recreate(ctx, events, view)
        if edited:
            outcome.updated += 1
        else:
            outcome.failed += 1
    return outcome


def _orphan(
    existing: dict[int, tuple[str, datetime]], linked: set[int], spec: EventSpec
) -> int | None:
    for event_id, (name, start) in existing.items():
        if event_id not in linked and name == spec.name and start == spec.start:
            return event_id
    return None


async def _edit_or_recreate(ctx: JobContext, events: ScheduledEvents, view: TalkView) -> bool:
    assert view.discord_event_id is not None
    spec = event_spec(view)
    result = await events.edit(view.discord_event_id, spec)
    if result is None:  # deleted on Discord by someone: mirror it again
        event_id = await events.create(spec)
        if event_id is None:
            return False
        await _link(ctx, view, event_id)
        return True
    if result:

        async def current(session: AsyncSession) -> None:
            await talks.mark_discord_current(session, view.id, view)

        await ctx.db.write(current)
    return result


async def _link(ctx: JobContext, view: TalkView, event_id: int | None) -> None:
    async def link(session: AsyncSession) -> None:
        await talks.link_discord_event(session, view.id, event_id, view)

    await ctx.db.write(link)


async def run(ctx: JobContext) -> str | None:
    settings = ctx.settings.config.talks
    now = ctx.clock.now()
    async with ctx.db.read() as session:
        state = await talks.read_sync_state(session)
    due = state.next_due(settings.sync_every, settings.retry_max)
    if due is not None and due > now:
        return None
    report = await sync_now(ctx)
    if not report.ok:
        return "talks.jobs.sync_failed"
    return f"talks.jobs.synced|{len(report.changes)}"


async def next_due(ctx: JobContext) -> datetime | None:
    settings = ctx.settings.config.talks
    async with ctx.db.read() as session:
        state = await talks.read_sync_state(session)
    return state.next_due(settings.sync_every, settings.retry_max) or ctx.clock.now()


def make_job(settings: Settings) -> Job:
    return Job(id=JOB_ID, every=settings.config.scheduler.tick, run=run, next_due=next_due)
