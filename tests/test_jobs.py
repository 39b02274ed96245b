"""The job machinery: run records, the production scheduler, the sandbox's virtual time.
Jobs get a narrow context (database, clock, settings, notifier): these tests need no bot."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.clock import Clock, ManualClock
from bot.db import Database
from bot.i18n import Message
from bot.services.status import job_statuses
from bot.settings import Settings
from jobs.base import Job
from jobs.context import JobContext
from jobs.runner import JobRunner
from jobs.scheduler import start_scheduler
from sandbox.scheduler import advance_to


class RecordingNotifier:
    """Observes what a job asks Discord to show (the sandbox tests check Discord itself)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, object, Message]] = []

    async def post(self, channel_key: str, message: Message, /) -> bool:
        self.sent.append(("post", channel_key, message))
        return True

    async def to_thread(self, thread_id: int, message: Message, /) -> bool:
        self.sent.append(("thread", thread_id, message))
        return True

    async def dm(self, user_id: int, message: Message, /, channel_id: int | None = None) -> bool:
        self.sent.append(("dm", user_id, message))
        return True

    async def edit(
        self, channel_id: int, message_id: int, message: Message, /, reader_id: int | None = None
    ) -> bool:
        self.sent.append(("edit", (channel_id, message_id, reader_id), message))
        return True

    async def ping(self, channel_key: str, role_key: str, message: Message, /) -> bool:
        self.sent.append(("ping", (channel_key, role_key), message))
        return True


def make_context(settings: Settings, db: Database, clock: Clock) -> JobContext:
    return JobContext(db=db, clock=clock, settings=settings, notifier=RecordingNotifier())


def make_runner(settings: Settings, db: Database, clock: Clock) -> JobRunner:
    return JobRunner(make_context(settings, db, clock))


async def test_runner_records_success_and_failure(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    async def ok(bot: Any) -> str:
        return "3 done"

    async def boom(bot: Any) -> str:
        raise RuntimeError("secret detail")

    jobs = [Job("ok", timedelta(minutes=1), ok), Job("boom", timedelta(minutes=1), boom)]
    runner = make_runner(settings, db, clock)
    assert await runner.run(jobs[0]) is True
    assert await runner.run(jobs[1]) is False
    async with db.read() as session:
        ok_status, boom_status = await job_statuses(session, ["ok", "boom"])
    assert (ok_status.last_outcome, ok_status.last_detail, ok_status.runs) == ("ok", "3 done", 1)
    assert boom_status.last_outcome == "error" and boom_status.failures == 1
    assert boom_status.last_error is not None and "RuntimeError" in boom_status.last_error
    assert "secret detail" not in boom_status.last_error


async def test_virtual_time_runs_due_jobs_in_order_at_their_due_time(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    start = clock.now()
    seen: list[tuple[str, datetime]] = []
    due = [start + timedelta(hours=5), start + timedelta(hours=2)]

    async def deliver(ctx: JobContext) -> None:
        now = ctx.clock.now()
        seen.append(("deliver", now))
        due[:] = [d for d in due if d > now]

    async def next_due(ctx: JobContext) -> datetime | None:
        return min(due) if due else None

    async def periodic(ctx: JobContext) -> None:
        seen.append(("periodic", ctx.clock.now()))

    jobs = [
        Job("deliver", timedelta(minutes=1), deliver, next_due=next_due),
        Job("periodic", timedelta(hours=4), periodic),
    ]
    runner = make_runner(settings, db, clock)

    async def settle() -> None:
        return None

    await advance_to(runner, jobs, clock, start + timedelta(hours=10), settle)
    assert seen == [
        ("periodic", start),
        ("deliver", start + timedelta(hours=2)),
        ("periodic", start + timedelta(hours=4)),
        ("deliver", start + timedelta(hours=5)),
        ("periodic", start + timedelta(hours=8)),
    ]
    assert clock.now() == start + timedelta(hours=10)


async def test_production_scheduler_runs_each_job_at_start(
    settings: Settings, db: Database
) -> None:
    ran = asyncio.Event()

    async def job(ctx: JobContext) -> None:
        ran.set()

    clock = ManualClock(datetime.now(UTC))
    runner = make_runner(settings, db, clock)
    scheduler = start_scheduler([Job("probe", timedelta(hours=1), job)], runner, clock)
    try:
        await asyncio.wait_for(ran.wait(), timeout=10)
        assert [j.id for j in scheduler.get_jobs()] == ["probe"]
        await asyncio.wait_for(runner.wait_idle(), timeout=10)
    finally:
        scheduler.shutdown(wait=False)
    async with db.read() as session:
        [status] = await job_statuses(session, ["probe"])
    assert (status.runs, status.last_outcome) == (1, "ok")
