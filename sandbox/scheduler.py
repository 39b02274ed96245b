"""Virtual time for scheduled jobs: moving the sandbox clock runs, in time order, every job
that falls due, each with the clock set to the moment it was due."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import select

from bot.clock import ManualClock
from bot.models import JobRun
from jobs.base import Job
from jobs.runner import JobRunner

# A job that stays due after running (it could not deliver) is not run again in one advance
# more than this many times at the same instant.
MAX_RUNS_AT_SAME_INSTANT = 2


async def _last_started(runner: JobRunner) -> dict[str, datetime]:
    async with runner.ctx.db.read() as session:
        rows = await session.scalars(select(JobRun))
        return {row.job_id: row.last_started_at for row in rows if row.last_started_at}


async def due_at(runner: JobRunner, job: Job, last: dict[str, datetime]) -> datetime | None:
    if job.next_due is not None:
        return await job.next_due(runner.ctx)
    started = last.get(job.id)
    return runner.ctx.clock.now() if started is None else started + job.every


async def advance_to(
    runner: JobRunner,
    jobs: list[Job],
    clock: ManualClock,
    target: datetime,
    settle: Callable[[], Awaitable[None]],
    *,
    idle: Callable[[Job], bool] | None = None,
) -> list[tuple[datetime, str]]:
    """Run every job due up to ``target`` in time order; return (due time, job id) pairs run.

    ``idle(job)`` True says a polling job would find nothing new (the local service it polls is
    unchanged since it last read it, with no fault pending): it is not run, since the run could
    change nothing. Without this, days of virtual time would replay a poll every few minutes."""
    ran: list[tuple[datetime, str]] = []
    repeats: dict[tuple[str, datetime], int] = {}
    jobs = [job for job in jobs if job.in_sandbox]
    while True:
        last = await _last_started(runner)
        candidates: list[tuple[datetime, int, Job]] = []
        for order, job in enumerate(jobs):
            if idle is not None and idle(job):
                continue
            when = await due_at(runner, job, last)
            if when is None or when > target:
                continue
            when = max(when, clock.now())
            if repeats.get((job.id, when), 0) >= MAX_RUNS_AT_SAME_INSTANT:
                continue
            candidates.append((when, order, job))
        if not candidates:
            break
        when, _, job = min(candidates, key=lambda c: (c[0], c[1]))
        repeats[(job.id, when)] = repeats.get((job.id, when), 0) + 1
        clock.set(when)
        await runner.run(job)
        await settle()
        ran.append((when, job.id))
    clock.set(max(target, clock.now()))
    return ran
