"""Discord scheduled events between syncs: the mirrored window moves when a talk starts (the
next talk beyond Discord's limit takes its place), and what Discord refused is tried again.

The sync makes Discord follow every calendar change at once; this job covers what happens with
time alone. It is due when Discord has work to do (right away, or ``sync_every`` after a pass
that Discord partly refused) or when the soonest upcoming talk starts while more talks wait than
the window holds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import KeyValue
from bot.services import talks
from bot.settings import Settings
from jobs import talks_sync
from jobs.base import Job
from jobs.context import JobContext

JOB_ID = "talks_events"
REFUSED_KEY = "talks.events_refused_at"


async def next_due(ctx: JobContext) -> datetime | None:
    if ctx.scheduled_events is None:
        return None
    settings = ctx.settings.config.talks
    now = ctx.clock.now()
    async with ctx.db.read() as session:
        work = await talks.discord_plan(
            session, now, enabled=settings.discord_events, limit=settings.max_discord_events
        )
        if work:
            refused = await session.get(KeyValue, REFUSED_KEY)
            if refused is None:
                return now
            return datetime.fromisoformat(refused.value) + settings.sync_every
        return await talks.discord_window_change(
            session, now, enabled=settings.discord_events, limit=settings.max_discord_events
        )


async def run(ctx: JobContext) -> str | None:
    now = ctx.clock.now()
    due = await next_due(ctx)
    if due is None or due > now:
        return None
    outcome = await talks_sync.mirror(ctx)

    async def remember(session: AsyncSession) -> None:
        row = await session.get(KeyValue, REFUSED_KEY)
        if outcome.failed:
            await session.merge(KeyValue(key=REFUSED_KEY, value=now.isoformat()))
        elif row is not None:
            await session.delete(row)

    await ctx.db.write(remember)
    done = outcome.created + outcome.updated + outcome.deleted
    return f"talks.jobs.events|{done}" if done else None


def make_job(settings: Settings) -> Job:
    return Job(id=JOB_ID, every=settings.config.scheduler.tick, run=run, next_due=next_due)
