"""The talks jobs without a bot: the real Calendar client against the local Calendar, the
database, and a notifier that records what Discord would be told."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clients.calendar import CalendarClient
from bot.clock import ManualClock
from bot.db import Database
from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.services import talks
from bot.settings import Settings
from jobs import talks_reminders, talks_sync
from jobs.context import JobContext
from sandbox.gcal import LocalCalendar
from tests.test_jobs import RecordingNotifier, make_context

START = datetime(2024, 3, 21, 17, 0, tzinfo=UTC)  # the clock fixture is 2024-03-20 10:00 UTC
TALK = {
    "id": "k1",
    "summary": "Keynote",
    "start": "2024-03-21T17:00:00Z",
    "end": "2024-03-21T18:00:00Z",
}


async def _no_sleep(delay: float) -> None:
    return None


@pytest.fixture
async def calendar(clock: ManualClock) -> AsyncIterator[LocalCalendar]:
    server = LocalCalendar(now=clock.now, hold_seconds=1.0)
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
def ctx(
    settings: Settings, db: Database, clock: ManualClock, calendar: LocalCalendar, tmp_path: Path
) -> JobContext:
    key = calendar.write_service_account_key(tmp_path / "key.json")
    client = CalendarClient(
        calendar.api_endpoint,
        str(key),
        settings.config.talks.calendar_id,
        retries=0,
        sleep=_no_sleep,
    )
    calendar.load([TALK], calendar_id=settings.config.talks.calendar_id)
    return replace(make_context(settings, db, clock), calendar=client)


def sent(ctx: JobContext) -> list[tuple[str, object, Message]]:
    assert isinstance(ctx.notifier, RecordingNotifier)
    return ctx.notifier.sent


async def test_sync_runs_when_due_and_reminders_ping_the_role_and_dm_subscribers(
    ctx: JobContext, clock: ManualClock
) -> None:
    assert await talks_sync.next_due(ctx) == clock.now()  # never synced: due now
    assert await talks_sync.run(ctx) == "talks.jobs.synced|1"
    assert await talks_sync.run(ctx) is None  # not due again for sync_every
    assert await talks_sync.next_due(ctx) == clock.now() + ctx.settings.config.talks.sync_every
    assert await talks_reminders.next_due(ctx) == START - timedelta(hours=24)

    await ctx.db.write(lambda s: talks.subscribe(s, 42, clock.now()))
    clock.set(START - timedelta(hours=24))
    assert await talks_reminders.backlog(ctx) == 1
    assert await talks_reminders.deliver(ctx) == "talks.jobs.reminded|1"
    message = Message(
        "talks.reminder.upcoming",
        title="Keynote",
        when=discord_ts(START, "R"),
        at=discord_ts(START, "F"),
    )
    assert sent(ctx) == [("ping", ("talks", "talk_alerts"), message), ("dm", 42, message)]
    assert await talks_reminders.deliver(ctx) is None
    assert await talks_reminders.backlog(ctx) == 0


async def test_repeated_calendar_failures_alert_the_organizers_once(
    ctx: JobContext, clock: ManualClock, calendar: LocalCalendar
) -> None:
    assert await talks_sync.run(ctx) == "talks.jobs.synced|1"
    calendar.set_fault("500", count=10)
    details = []
    for _ in range(4):
        due = await talks_sync.next_due(ctx)
        assert due is not None
        clock.set(due)
        details.append(await talks_sync.run(ctx))
    assert details == ["talks.jobs.sync_failed"] * 4
    alert = Message(
        "talks.alerts.calendar_down", count=3, error=Message("talks.calendar_error.unavailable")
    )
    assert sent(ctx) == [("post", "organizers", alert)]
    calendar.set_fault("none")
    clock.set(await talks_sync.next_due(ctx) or clock.now())
    assert await talks_sync.run(ctx) == "talks.jobs.synced|0"
    assert sent(ctx)[-1] == ("post", "organizers", Message("talks.alerts.calendar_back"))
