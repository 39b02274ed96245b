"""Every few hours (``submissions.reverify_every``) every current submission is verified again:
a result that changed is posted in the team's thread; a commit pushed after the deadline is
reported to organizers once, while the pinned commit stays the newest one at or before it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bot.discord.submissions import announce_batch
from bot.models import JobRun
from bot.models.submissions import Submission
from bot.services import submissions
from bot.settings import Settings
from jobs.base import Job
from jobs.context import JobContext
from jobs.submissions_retry import hub_of

JOB_ID = "submissions_reverify"


async def run(ctx: JobContext) -> str | None:
    now = ctx.clock.now()
    batch = await submissions.reverify(ctx.db, hub_of(ctx), ctx.settings.config, now)
    await announce_batch(ctx.notifier, batch)
    if not batch.done and not batch.late:
        return None
    return f"submissions.jobs.reverified|{len(batch.done) + len(batch.late)}"


async def next_due(ctx: JobContext) -> datetime | None:
    """``reverify_every`` after the last run, or right after the deadline, when there is
    anything to verify; nothing otherwise."""
    async with ctx.db.read() as session:
        current = await session.scalar(
            select(func.count()).select_from(Submission).where(Submission.is_current)
        )
        job = await session.get(JobRun, JOB_ID)
    if not current:
        return None
    last = job.last_started_at if job is not None else None
    deadline = ctx.settings.config.event.submission_deadline
    every = ctx.settings.config.submissions.reverify_every
    if last is None:
        return ctx.clock.now() + every
    if last < deadline < last + every:
        return deadline
    return last + every


def make_job(settings: Settings) -> Job:
    return Job(
        id=JOB_ID, every=settings.config.submissions.reverify_every, run=run, next_due=next_due
    )
