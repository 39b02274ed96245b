"""Running one job: record its start, outcome and error in ``job_runs``; never raise."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.models import JobRun
from jobs.base import Job

if TYPE_CHECKING:
    from bot.app import HackBot

log = logging.getLogger(__name__)


class JobRunner:
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
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
        started = self.bot.clock.now()
        outcome, detail, error = "ok", None, None
        try:
            detail = await job.run(self.bot)
        except Exception as exc:
            error_id = uuid.uuid4().hex[:8]
            log.exception("job %s failed (error %s)", job.id, error_id)
            outcome, error = "error", f"{error_id}: {type(exc).__name__}"
        await self._record(job.id, started, outcome, detail, error)
        return outcome == "ok"

    async def _record(
        self, job_id: str, started: object, outcome: str, detail: str | None, error: str | None
    ) -> None:
        try:
            async with self.bot.db.transaction() as session:
                row = await session.scalar(select(JobRun).where(JobRun.job_id == job_id))
                if row is None:
                    row = JobRun(job_id=job_id, runs=0, failures=0)
                    session.add(row)
                row.last_started_at = started  # type: ignore[assignment]
                row.last_finished_at = self.bot.clock.now()
                row.last_outcome = outcome
                row.last_detail = (detail or "")[:200] or None
                row.last_error = error
                row.runs = (row.runs or 0) + 1
                row.failures = (row.failures or 0) + (outcome != "ok")
        except Exception:
            log.exception("could not record the run of job %s", job_id)
