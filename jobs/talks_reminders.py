"""Talk reminders and notices: in the talks channel, mentioning only the opt-in talk-alerts
role, and by DM to each subscriber.

What is due is claimed in the database before anything is sent (``bot.services.talks.
reminders``: the late rule lives there), and each message is recorded as it goes out (the
channel post, then the DMs in subscriber order). A restart finishes a reminder its dead
predecessor had begun, once the claim is ``talks.reminder_takeover`` old; only the message in
flight at the crash can go out twice. Reminders go from the programme as last known: a Calendar
outage stops none.
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
    takeover = ctx.settings.config.talks.reminder_takeover
    deliveries = await ctx.db.write(lambda session: talks.claim_due(session, now, takeover))
    if not deliveries:
        return None
    async with ctx.db.read() as session:
        subscribers = sorted((await talks.dm_channels(session)).items())
    for delivery in deliveries:
        await _deliver_one(ctx, delivery, subscribers)
    return f"talks.jobs.reminded|{len(deliveries)}"


async def _deliver_one(
    ctx: JobContext, delivery: Delivery, subscribers: list[tuple[int, int | None]]
) -> None:
    """The channel post, then each subscriber's DM, each recorded once Discord has it; stops
    when another process took the claim over."""
    message = message_for(delivery)
    done = delivery.sent_through
    todo = [(u, c) for u, c in subscribers if done is None or u > done]

    async def record(through: int, last: bool) -> bool:
        now = ctx.clock.now()
        return await ctx.db.write(
            lambda s: talks.record_progress(s, delivery, through, now, done=last)
        )

    if done is None:
        await ctx.notifier.ping("talks", ALERTS_ROLE, message)
        if not await record(0, not todo):
            return
    for index, (user_id, channel_id) in enumerate(todo):
        await ctx.notifier.dm(user_id, message, channel_id=channel_id)
        if not await record(user_id, index == len(todo) - 1):
            return
    if done is not None and not todo:
        await record(done, True)


async def next_due(ctx: JobContext) -> datetime | None:
    async with ctx.db.read() as session:
        return await talks.next_reminder_due(session, ctx.settings.config.talks.reminder_takeover)


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
