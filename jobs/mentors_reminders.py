"""Reminders before booked mentoring sessions (offsets from ``mentors.reminders``): in the
team's thread, and by DM to the mentor and to the member who booked.

Each reminder is claimed in the database before it is sent and each of its three messages is
recorded once Discord has it, so a restart never sends one twice; a reminder a dead process had
begun is finished by the next run once its claim is ``mentors.reminder_takeover`` old (only the
message in flight at the crash can go out twice). One whose moment passed while the bot was
down is still sent if the session has not started. A cancelled booking has none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.discord.mentions import mention
from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.services import mentors
from bot.services.mentors import MentorRules, Reminder
from bot.settings import Settings
from jobs.base import Job
from jobs.context import JobContext

JOB_ID = "mentor_reminders"


async def remind(ctx: JobContext) -> str | None:
    rules = MentorRules.from_settings(ctx.settings.config)
    now = ctx.clock.now()
    due = await ctx.db.write(lambda session: mentors.take_due(session, rules, now=now))
    for reminder in due:
        await _deliver(ctx, reminder)
    return f"core.jobs.mentor_reminders|{len(due)}" if due else None


async def _deliver(ctx: JobContext, reminder: Reminder) -> None:
    """The thread's message, the mentor's DM, the member's DM: each recorded once sent, from
    where an earlier process stopped; stops when another process took the claim over."""
    booking = reminder.booking
    when = {
        "start": discord_ts(booking.starts_at, "F"),
        "when": discord_ts(booking.starts_at, "R"),
    }
    for step in range(reminder.step, mentors.STEPS):
        if step == 0:
            if booking.team_thread_id is not None:
                await ctx.notifier.to_thread(
                    booking.team_thread_id,
                    Message("mentors.reminder.thread", mentor=mention(booking.mentor_id), **when),
                )
        elif step == 1:
            await ctx.notifier.dm(
                booking.mentor_id,
                Message(
                    "mentors.reminder.mentor_dm",
                    team=booking.team_name,
                    topic=booking.topic or Message("mentors.book.no_topic"),
                    **when,
                ),
            )
        else:
            await ctx.notifier.dm(
                booking.booked_by,
                Message(
                    "mentors.reminder.member_dm",
                    team=booking.team_name,
                    mentor=mention(booking.mentor_id),
                    **when,
                ),
            )
        if not await ctx.db.write(_recorder(reminder, step + 1, ctx.clock.now())):
            return


def _recorder(
    reminder: Reminder, step: int, now: datetime
) -> Callable[[AsyncSession], Awaitable[bool]]:
    async def record(session: AsyncSession) -> bool:
        return await mentors.record_step(session, reminder, step, now)

    return record


async def next_due(ctx: JobContext) -> datetime | None:
    rules = MentorRules.from_settings(ctx.settings.config)
    async with ctx.db.read() as session:
        return await mentors.next_due(session, rules, ctx.clock.now())


async def waiting(ctx: JobContext) -> int:
    rules = MentorRules.from_settings(ctx.settings.config)
    async with ctx.db.read() as session:
        return await mentors.count_waiting(session, rules, ctx.clock.now())


def make_job(settings: Settings) -> Job:
    return Job(
        id=JOB_ID,
        every=settings.config.scheduler.tick,
        run=remind,
        next_due=next_due,
        backlog=waiting,
    )
