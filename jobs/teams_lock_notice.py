"""At the event's team deadline, team changes lock by themselves (the rule lives in the teams
service); this job tells everyone, once, in the announcements channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.models import KeyValue
from bot.settings import Settings
from jobs.base import Job
from jobs.context import JobContext

JOB_ID = "team_deadline"
ANNOUNCED_KEY = "teams.deadline_announced"


async def _announced(ctx: JobContext) -> bool:
    async with ctx.db.read() as session:
        return await session.get(KeyValue, ANNOUNCED_KEY) is not None


async def announce(ctx: JobContext) -> str | None:
    deadline = ctx.settings.config.event.team_deadline
    now = ctx.clock.now()
    if now < deadline or await _announced(ctx):
        return None

    async def claim(session: AsyncSession) -> bool:
        """Mark the announcement made; False when another run already did."""
        if await session.get(KeyValue, ANNOUNCED_KEY) is not None:
            return False
        session.add(KeyValue(key=ANNOUNCED_KEY, value=now.isoformat()))
        return True

    if not await ctx.db.write(claim):
        return None
    await ctx.notifier.post(
        "announcements", Message("teams.deadline.locked", when=discord_ts(deadline, "f"))
    )
    return "core.jobs.teams_locked"


async def next_due(ctx: JobContext) -> datetime | None:
    return None if await _announced(ctx) else ctx.settings.config.event.team_deadline


def make_job(settings: Settings) -> Job:
    return Job(id=JOB_ID, every=settings.config.scheduler.tick, run=announce, next_due=next_due)
