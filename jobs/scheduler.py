"""Production scheduling with APScheduler 3.11.

Jobs are stateless (the database holds what is due), so they live in a memory job store,
added at start-up with fixed ids. Only one process may run them: on PostgreSQL an advisory
lock elects the leader; SQLite deployments run a single process by design.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text

from bot.clock import Clock
from bot.db import Database
from jobs.base import Job
from jobs.runner import JobRunner

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

log = logging.getLogger(__name__)
LEADER_LOCK_ID = 0x4841434B  # "HACK"


class Leadership:
    """Holds the PostgreSQL advisory lock for as long as the process lives."""

    def __init__(self) -> None:
        self.connection: AsyncConnection | None = None

    async def acquire(self, db: Database) -> bool:
        if db.backend != "postgresql":
            return True
        connection = await db.engine.connect()
        got = await connection.scalar(
            text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_ID}
        )
        if got:
            self.connection = connection
            return True
        await connection.close()
        return False

    async def release(self) -> None:
        if self.connection is not None:
            await self.connection.close()
            self.connection = None


def start_scheduler(jobs: list[Job], runner: JobRunner, clock: Clock) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in jobs:
        scheduler.add_job(
            runner.run,
            IntervalTrigger(seconds=max(1, int(job.every.total_seconds())), timezone="UTC"),
            args=[job],
            id=job.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            # Late is better than never: a run missed while the loop was busy still happens.
            misfire_grace_time=None,
            next_run_time=clock.now(),
        )
    scheduler.start()
    log.info("scheduler started with %d jobs", len(jobs))
    return scheduler
