"""Talk reminders and notices: in the talks channel, mentioning only the opt-in talk-alerts
role, and by DM to each subscriber.

What is due is claimed in the database before anything is sent (``bot.services.talks.
reminders``: the late rule lives there), so a rerun or a restart never sends a reminder
twice. Reminders go from the programme as last known: a Calendar outage stops none.
"""

from __future__ import annotations

from datetime import datetime

from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.services import talks
from bot.services.talks import Delivery
from bot.settings import Settings
from jobs.base import Job
from jobs.context import JobContext

JOB_ID = "talks_reminders"
ALERTS_ROLE = "talk_alerts"


def message_for(delivery: Delivery) -> Message:
    talk = delivery.talk
    params = {
        "title": talk.title,
        "when": discord_ts(talk.start, "R"),
        "at": discord_ts(talk.start, "F"),
    }
    if delivery.kind == "cancelled":
        return Message("talks.reminder.cancelled", **params)
    if delivery.kind == "moved":
        return Message("talks.reminder.moved", **params)
    return Message("talks.reminder.upcoming", **params)


async def deliver(ctx: JobContext) -> str | None:
    now = ctx.clock.now()
    deliveries = await ctx.db.write(lambda session: talks.claim_due(session, now))
    if not deliveries:
        return None
    async with ctx.db.read() as session:
        subscribers = await talks.dm_channels(session)
    for delivery in deliveries:
        message = message_for(delivery)
        await ctx.notifier.ping("talks", ALERTS_ROLE, message)
        for user_id, channel_id in subscribers.items():
            await ctx.notifier.dm(user_id, message, channel_id=channel_id)
    return f"talks.jobs.reminded|{len(deliveries)}"


async def next_due(ctx: JobContext) -> datetime | None:
    async with ctx.db.read() as session:
        return await talks.next_reminder_due(session)


async def backlog(ctx: JobContext) -> int:
    async with ctx.db.read() as session:
        return await talks.pending_count(session, ctx.clock.now())


def make_job(settings: Settings) -> Job:
    return Job(
        id=JOB_ID,
        every=settings.config.scheduler.tick,
        run=deliver,
        next_due=next_due,
        backlog=backlog,
    )
