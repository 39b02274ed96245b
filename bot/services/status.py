"""What `admin status` and the health check read: job runs from the database, and what each
feature contributes (``bot/services/<feature>/status.py``, found by walking the package)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.discovery import walk_modules
from bot.i18n import Message
from bot.models import JobRun
from bot.settings import Config


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


@dataclass(frozen=True)
class StatusSection:
    """One feature's field in `admin status`: a title and its lines, as catalog messages
    rendered in the organizer's language."""

    title: Message
    lines: list[Message]


def status_contributors() -> list[str]:
    """Modules under ``bot/services`` with ``async def status_section(session, config)``
    returning a ``StatusSection`` (or ``None`` when the feature has nothing to say)."""
    import bot.services

    return walk_modules(bot.services, "status_section")


async def feature_sections(session: AsyncSession, config: Config) -> list[StatusSection]:
    sections = []
    for name in status_contributors():
        section = await importlib.import_module(name).status_section(session, config)
        if section is not None:
            sections.append(section)
    return sections
