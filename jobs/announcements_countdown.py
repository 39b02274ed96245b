"""Deadline countdowns: at each `[announcements] countdown` offset before the submission
deadline (7 days, 1 day, 1 hour by default), one post in the announcements channel. Each
offset is claimed in the database before it is posted, so a restart never posts it twice; after
downtime that skipped several, only one post says how long is left."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.models import KeyValue
from bot.settings import Settings
from jobs.base import Job
from jobs.context import JobContext

JOB_ID = "announcements_countdown"
KEY_PREFIX = "announcements.countdown."


def key_of(offset: timedelta) -> str:
    return f"{KEY_PREFIX}{int(offset.total_seconds())}"


async def _posted(ctx: JobContext) -> set[str]:
    async with ctx.db.read() as session:
        rows = await session.scalars(
            select(KeyValue.key).where(KeyValue.key.like(KEY_PREFIX + "%"))
        )
        return set(rows)


def _pending(ctx: JobContext, posted: set[str]) -> list[tuple[datetime, timedelta]]:
    """Offsets not yet posted whose moment is still before the deadline, soonest first."""
    deadline = ctx.settings.config.event.submission_deadline
    offsets = sorted(set(ctx.settings.config.announcements.countdown), reverse=True)
    return [(deadline - o, o) for o in offsets if key_of(o) not in posted]


async def run(ctx: JobContext) -> str | None:
    now = ctx.clock.now()
    deadline = ctx.settings.config.event.submission_deadline
    due = [(at, o) for at, o in _pending(ctx, await _posted(ctx)) if at <= now]
    if not due:
        return None

    async def claim(session: AsyncSession) -> bool:
        """Mark every due offset posted; False when another run already did."""
        keys = [key_of(o) for _, o in due]
        taken = set(await session.scalars(select(KeyValue.key).where(KeyValue.key.in_(keys))))
        if taken:
            return False
        session.add_all(KeyValue(key=k, value=now.isoformat()) for k in keys)
        return True

    if not await ctx.db.write(claim) or now >= deadline:
        return None
    await ctx.notifier.post(
        "announcements",
        Message(
            "announcements.countdown.post",
            when=discord_ts(deadline, "F"),
            left=discord_ts(deadline, "R"),
        ),
    )
    return "core.jobs.announcements_countdown"


async def next_due(ctx: JobContext) -> datetime | None:
    pending = _pending(ctx, await _posted(ctx))
    return pending[0][0] if pending else None


def make_job(settings: Settings) -> Job:
    return Job(id=JOB_ID, every=settings.config.scheduler.tick, run=run, next_due=next_due)
