"""Running one job: record its start, outcome and error in ``job_runs``; never raise."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import JobRun
from jobs.base import Job
from jobs.context import JobContext

log = logging.getLogger(__name__)


class JobRunner:
    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self._locks: dict[str, asyncio.Lock] = {}
        self.running = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def run(self, job: Job) -> bool:
        """Run ``job`` once (never two at a time). True when it succeeded."""
        lock = self._locks.setdefault(job.id, asyncio.Lock())
        if lock.locked():
            return False
        async with lock:
            self.running += 1
            self._idle.clear()
            try:
                return await self._run(job)
            finally:
                self.running -= 1
                if self.running == 0:
                    self._idle.set()

    async def wait_idle(self) -> None:
        """Return once no job is running (its run recorded)."""
        await self._idle.wait()

    async def _run(self, job: Job) -> bool:
        started = self.ctx.clock.now()
        outcome, detail, error = "ok", None, None
        try:
            detail = await job.run(self.ctx)
        except Exception as exc:
            error_id = uuid.uuid4().hex[:8]
            log.exception("job %s failed (error %s)", job.id, error_id)
            outcome, error = "error", f"{error_id}: {type(exc).__name__}"
        await self._record(job.id, started, outcome, detail, error)
        return outcome == "ok"

    async def _record(
        self,
        job_id: str,
        started: datetime,
        outcome: str,
        detail: str | None,
        error: str | None,
    ) -> None:
        finished = self.ctx.clock.now()

        async def record(session: AsyncSession) -> None:
            row = await session.scalar(select(JobRun).where(JobRun.job_id == job_id))
            if row is None:
                row = JobRun(job_id=job_id, runs=0, failures=0)
                session.add(row)
            row.last_started_at = started
            row.last_finished_at = finished
            row.last_outcome = outcome
            row.last_detail = (detail or "")[:200] or None
            row.last_error = error
            row.runs = (row.runs or 0) + 1
            row.failures = (row.failures or 0) + (outcome != "ok")

        try:
            await self.ctx.db.write(record)
        except Exception:
            log.exception("could not record the run of job %s", job_id)
