"""What `admin status` and the health check read: job runs from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import JobRun


@dataclass(frozen=True)
class JobStatus:
    job_id: str
    last_started_at: datetime | None
    last_outcome: str | None
    last_detail: str | None
    last_error: str | None
    runs: int
    failures: int


async def job_statuses(session: AsyncSession, job_ids: list[str]) -> list[JobStatus]:
    rows = {row.job_id: row for row in await session.scalars(select(JobRun))}
    out = []
    for job_id in job_ids:
        row = rows.get(job_id)
        out.append(
            JobStatus(
                job_id=job_id,
                last_started_at=row.last_started_at if row else None,
                last_outcome=row.last_outcome if row else None,
                last_detail=row.last_detail if row else None,
                last_error=row.last_error if row else None,
                runs=row.runs if row else 0,
                failures=row.failures if row else 0,
            )
        )
    return out


async def last_heartbeat(session: AsyncSession, job_id: str = "heartbeat") -> datetime | None:
    row = await session.get(JobRun, job_id)
    return row.last_finished_at if row and row.last_outcome == "ok" else None
