"""Expire invitations and join requests that were not answered in time: close their messages so
nobody clicks a dead button, and tell whoever waited (the inviter, or the member who asked to
join) that nobody answered."""

from __future__ import annotations

from datetime import datetime

from bot.discord.mentions import mention
from bot.services import teams
from bot.settings import Settings
from jobs.base import Job
from jobs.context import JobContext

JOB_ID = "team_expiry"


async def expire(ctx: JobContext) -> str | None:
    now = ctx.clock.now()
    expired = await ctx.db.write(lambda session: teams.expire_due(session, now=now))
    for item in expired:
        if item.channel_id is not None and item.message_id is not None:
            await ctx.notifier.edit(
                item.channel_id, item.message_id, item.notice(mention), reader_id=item.reader_id
            )
        follow_up = item.follow_up(mention)
        if follow_up is not None:
            await ctx.notifier.dm(*follow_up)
    return f"core.jobs.expired|{len(expired)}" if expired else None


async def next_due(ctx: JobContext) -> datetime | None:
    async with ctx.db.read() as session:
        return await teams.next_expiry(session)


async def waiting(ctx: JobContext) -> int:
    async with ctx.db.read() as session:
        return await teams.count_pending(session)


def make_job(settings: Settings) -> Job:
    return Job(
        id=JOB_ID,
        every=settings.config.scheduler.tick,
        run=expire,
        next_due=next_due,
        backlog=waiting,
    )
