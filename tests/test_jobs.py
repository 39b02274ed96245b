"""The job machinery: run records, the production scheduler, the sandbox's virtual time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import HackBot, create_bot
from bot.clock import ManualClock
from bot.db import Database
from bot.sandbox.scheduler import advance_to
from bot.services.status import job_statuses
from bot.settings import Settings
from jobs.base import Job
from jobs.scheduler import start_scheduler


def make_bot(settings: Settings, db: Database, clock: ManualClock, jobs: list[Job]) -> HackBot:
    bot = create_bot(settings, db=db, clock=clock, scheduler="manual")
    bot.jobs = jobs
    return bot


async def test_runner_records_success_and_failure(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    async def ok(bot: Any) -> str:
        return "3 done"

    async def boom(bot: Any) -> str:
        raise RuntimeError("secret detail")

    jobs = [Job("ok", timedelta(minutes=1), ok), Job("boom", timedelta(minutes=1), boom)]
    bot = make_bot(settings, db, clock, jobs)
    assert await bot.job_runner.run(jobs[0]) is True
    assert await bot.job_runner.run(jobs[1]) is False
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

    async def deliver(bot: HackBot) -> None:
        now = bot.clock.now()
        seen.append(("deliver", now))
        due[:] = [d for d in due if d > now]

    async def next_due(bot: HackBot) -> datetime | None:
        return min(due) if due else None

    async def periodic(bot: HackBot) -> None:
        seen.append(("periodic", bot.clock.now()))

    jobs = [
        Job("deliver", timedelta(minutes=1), deliver, next_due=next_due),
        Job("periodic", timedelta(hours=4), periodic),
    ]
    bot = make_bot(settings, db, clock, jobs)

    async def settle() -> None:
        return None

    await advance_to(bot, clock, start + timedelta(hours=10), settle)
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

    async def job(bot: HackBot) -> None:
        ran.set()

    bot = make_bot(
        settings, db, ManualClock(datetime.now(UTC)), [Job("probe", timedelta(hours=1), job)]
    )
    scheduler = start_scheduler(bot, bot.jobs, bot.job_runner)
    try:
        await asyncio.wait_for(ran.wait(), timeout=10)
        assert [j.id for j in scheduler.get_jobs()] == ["probe"]
        await asyncio.wait_for(bot.job_runner.wait_idle(), timeout=10)
    finally:
        scheduler.shutdown(wait=False)
    async with db.read() as session:
        [status] = await job_statuses(session, ["probe"])
    assert (status.runs, status.last_outcome) == (1, "ok")
