"""Help requests nobody took for ``mentors.reping_after`` are announced again in the mentors
channel, once per period (the database records when each was last announced)."""

from __future__ import annotations

from datetime import datetime

from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.services import mentors
from bot.services.mentors import MentorRules
from bot.settings import Settings
from jobs.base import Job
from jobs.context import JobContext

JOB_ID = "mentor_reping"


async def reping(ctx: JobContext) -> str | None:
    rules = MentorRules.from_settings(ctx.settings.config)
    now = ctx.clock.now()
    due = await ctx.db.write(lambda session: mentors.due_repings(session, rules, now=now))
    for info in due:
        request = info.request
        await ctx.notifier.post(
            "mentors",
            Message(
                "mentors.request.reping",
                team=request.team_name,
                topic=request.topic,
                since=discord_ts(request.created_at, "R"),
            ),
        )
    return f"core.jobs.mentor_repings|{len(due)}" if due else None


async def next_due(ctx: JobContext) -> datetime | None:
    rules = MentorRules.from_settings(ctx.settings.config)
    async with ctx.db.read() as session:
        return await mentors.next_reping(session, rules)


async def waiting(ctx: JobContext) -> int:
    async with ctx.db.read() as session:
        return await mentors.count_open(session)


def make_job(settings: Settings) -> Job:
    return Job(
        id=JOB_ID,
        every=settings.config.scheduler.tick,
        run=reping,
        next_due=next_due,
        backlog=waiting,
    )
