"""Production scheduling with APScheduler 3.11.

Jobs are stateless (the database holds what is due), so they live in a memory job store,
added with fixed ids. Only one process may run them: on PostgreSQL a session-level advisory
lock elects the leader; SQLite deployments run a single process by design (always leader).

The election never ends: a process that lost it tries again every
``scheduler.leader_retry`` and takes over once the leader's lock is gone (the leader died, or
its lock connection dropped). A leader checks, on its lock connection, that it still holds the
lock before every job it starts and at every retry: once the connection is gone it stops its
scheduler at once and competes again like any other process. A job already running when the
lock goes finishes (see docs/reliability.md, "Crashes and leaders").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
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
# A lock check that takes longer than this counts as a lost connection.
CHECK_TIMEOUT_SECONDS = 5.0
HOLDS_LOCK = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = :k)"
)


class Leadership:
    """The PostgreSQL advisory lock, held on a connection of its own while this process leads."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.connection: AsyncConnection | None = None
        # One statement at a time on the lock's connection: the election loop and the check
        # before a job would otherwise overlap, and asyncpg refuses a second operation.
        self._using = asyncio.Lock()

    @property
    def held(self) -> bool:
        return self.db.backend != "postgresql" or self.connection is not None

    async def acquire(self) -> bool:
        """Try once to become the leader; True when this process leads (already or now)."""
        async with self._using:
            return await self._acquire()

    async def _acquire(self) -> bool:
        if self.held:
            return True
        connection = await self.db.engine.connect()
        try:
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_ID}
            )
            # The lock belongs to the session: end the transaction, never sit idle inside one.
            await connection.commit()
        except BaseException:
            await _discard(connection)
            raise
        if got:
            self.connection = connection
            return True
        await connection.close()
        return False

    async def check(self) -> bool:
        """Whether this process still holds the lock, asked on the lock's own connection. A
        failed or slow answer means the connection (and with it the lock) is gone."""
        if self.db.backend != "postgresql":
            return True
        async with self._using:
            return await self._check()

    async def _check(self) -> bool:
        connection = self.connection
        if connection is None:
            return False
        try:
            holds = await asyncio.wait_for(_holds(connection), CHECK_TIMEOUT_SECONDS)
        except Exception:
            log.warning("the leader's lock connection is gone", exc_info=True)
            holds = False
        if not holds:
            self.connection = None
            await _discard(connection)
        return bool(holds)

    async def release(self) -> None:
        async with self._using:
            await self._release()

    async def _release(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.scalar(
                    text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_LOCK_ID}
                )
            await _discard(connection)


async def _holds(connection: AsyncConnection) -> bool:
    holds = await connection.scalar(HOLDS_LOCK, {"k": LEADER_LOCK_ID})
    await connection.commit()
    return bool(holds)


async def _discard(connection: AsyncConnection) -> None:
    """Close ``connection`` for good (never back to the pool, where it would keep the lock)."""
    with contextlib.suppress(Exception):
        await connection.invalidate()
    with contextlib.suppress(Exception):
        await connection.close()


def start_scheduler(jobs: list[Job], runner: JobRunner, clock: Clock) -> AsyncIOScheduler:
    """An APScheduler running every job through ``runner`` (no election: see ``Scheduling``)."""
    return _start(jobs, runner.run, clock)


def _start(
    jobs: list[Job], run: Callable[[Job], Awaitable[bool]], clock: Clock
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in jobs:
        scheduler.add_job(
            run,
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


class Scheduling:
    """The jobs of one process, run only while it leads; the election retried forever."""

    def __init__(
        self,
        jobs: list[Job],
        runner: JobRunner,
        clock: Clock,
        db: Database,
        *,
        retry: timedelta,
    ) -> None:
        self.jobs = jobs
        self.runner = runner
        self.clock = clock
        self.leadership = Leadership(db)
        self.retry = max(retry.total_seconds(), 0.05)
        self.scheduler: AsyncIOScheduler | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    def start(self) -> None:
        self._task = asyncio.create_task(self._elect(), name="hackbot-leader")

    async def _elect(self) -> None:
        while True:
            try:
                await self.step()
            except Exception:
                # The database is away: no lock can be held or won; try again later.
                log.warning("leader election failed; retrying", exc_info=True)
                await self._lose()
            await asyncio.sleep(self.retry)

    async def step(self) -> None:
        """One round: a leader checks its lock, anyone else tries to take it."""
        if self.leading:
            if not await self.leadership.check():
                log.warning("lost the scheduler lock: jobs stop until it is won again")
                await self._lose()
            return
        if await self.leadership.acquire():
            log.info("leading: this process runs the scheduled jobs")
            self.scheduler = _start(self.jobs, self._run, self.clock)

    async def _run(self, job: Job) -> bool:
        """Run ``job`` only after checking, on the lock's connection, that we still lead."""
        if not self.leading:
            return False
        if not await self.leadership.check():
            log.warning("lost the scheduler lock before job %s: jobs stop", job.id)
            await self._lose()
            return False
        return await self.runner.run(job)

    async def _lose(self) -> None:
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await self.leadership.release()

    async def stop(self) -> None:
        """Stop electing and running (jobs already running finish; the caller may wait)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=False)

    async def release(self) -> None:
        await self.leadership.release()
