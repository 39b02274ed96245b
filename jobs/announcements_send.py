"""Delivers announcements whose time has come: the channel post, then the DM fan-out through a
throttled queue, then a delivery report to the author. Exactly once across restarts: the
database says what is started, claimed and done (``bot.services.announcements.delivery``).

The organizer's Confirm delivers an immediate announcement with the same :func:`deliver`; this
job picks up scheduled ones and resumes any fan-out a restart interrupted.
"""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import datetime

from bot.discord.mentions import EVERYONE, channel_mention, role_mention
from bot.i18n import Message
from bot.models.announcements import (
    DM_CAPTAINS,
    DM_MENTORS,
    DM_MISSING,
    DM_NOBODY,
    DM_PARTICIPANTS,
    PING_EVERYONE,
    PING_NOBODY,
    SCHEDULED,
    SENDING,
)
from bot.services import announcements
from bot.services.announcements import AnnouncementView, Report
from bot.settings import Settings
from bot.text import Safe
from jobs.base import Job
from jobs.context import JobContext

log = logging.getLogger(__name__)

JOB_ID = "announcements_send"
# Announcements a worker of this process is delivering, by database: a second worker (the job
# while Confirm's delivery runs) would only double the pace. Correctness never depends on it.
_active: set[tuple[int, int]] = set()


def ping_line(ping: str, role_id: int | None) -> Safe | None:
    """The first line of a channel post: who it pings (and nobody else)."""
    if ping == PING_NOBODY:
        return None
    if ping == PING_EVERYONE:
        return EVERYONE
    return role_mention(role_id) if role_id is not None else None


def channel_text(view: AnnouncementView) -> str:
    return announcements.render(view.title, view.body, ping_line(view.ping, view.ping_role_id))


def dm_text(view: AnnouncementView) -> str:
    return announcements.render(view.title, view.body)


async def recipients(ctx: JobContext, audience: str) -> list[int]:
    """Who gets the DM: role members from Discord, captains and teams from the database."""
    if audience == DM_NOBODY:
        return []
    if audience in (DM_PARTICIPANTS, DM_MENTORS):
        role_key = "participant" if audience == DM_PARTICIPANTS else "mentor"
        return sorted(set(await ctx.notifier.role_members(role_key) or []))
    async with ctx.db.read() as session:
        if audience == DM_CAPTAINS:
            return await announcements.captains(session)
        if audience == DM_MISSING:
            return await announcements.missing_deliverable_members(session)
    raise ValueError(f"unknown audience {audience!r}")


async def deliver(ctx: JobContext, announcement_id: int) -> Report | None:
    """Send one due announcement, or resume its fan-out; the report when this call finished
    it, None when there was nothing to do (not due, cancelled, done, or being delivered)."""
    key = (id(ctx.db), announcement_id)
    if key in _active:
        return None
    _active.add(key)
    try:
        return await _deliver(ctx, announcement_id)
    finally:
        _active.discard(key)


async def _deliver(ctx: JobContext, announcement_id: int) -> Report | None:
    now = ctx.clock.now()
    async with ctx.db.read() as session:
        view = await announcements.get(session, announcement_id)
    if view.status == SCHEDULED:
        if view.publish_at is None or view.publish_at > now:
            return None
        who = await recipients(ctx, view.dm_audience)
        started = await ctx.db.write(
            lambda session: announcements.start(session, announcement_id, who, now)
        )
        if started is None:
            return None
        view = started.announcement
        if view.channel_id is not None:
            await _post(ctx, view)
    elif view.status == SENDING:
        # Nobody in this process is on it: DMs claimed long ago belong to a dead worker.
        await ctx.db.write(
            lambda session: announcements.mark_interrupted(session, announcement_id, now)
        )
    else:
        return None
    await _fan_out(ctx, view)
    return await ctx.db.write(
        lambda session: announcements.finish(session, announcement_id, ctx.clock.now())
    )


async def _post(ctx: JobContext, view: AnnouncementView) -> None:
    assert view.channel_id is not None
    roles = [view.ping_role_id] if view.ping_role_id is not None else []
    message_id = await ctx.notifier.publish(
        view.channel_id, channel_text(view), roles=roles, everyone=view.ping == PING_EVERYONE
    )
    if message_id is not None:
        await ctx.db.write(lambda session: announcements.set_message(session, view.id, message_id))


async def _fan_out(ctx: JobContext, view: AnnouncementView) -> None:
    """DMs at ``messages_per_second`` at most: a batch of a second's worth is claimed in one
    transaction, sent one by one at an even pace, and its outcomes recorded in another."""
    rate = ctx.settings.config.announcements.messages_per_second
    interval = 1.0 / rate
    batch = max(1, math.ceil(rate))
    text = dm_text(view)
    loop = asyncio.get_running_loop()
    while True:
        claimed = await _claim(ctx, view.id, batch)
        if not claimed:
            return
        outcomes: dict[int, str] = {}
        for delivery_id, user_id in claimed:
            began = loop.time()
            outcomes[delivery_id] = await ctx.notifier.dm_text(user_id, text)
            await asyncio.sleep(max(0.0, interval - (loop.time() - began)))
        await _record(ctx, outcomes)


async def _claim(ctx: JobContext, announcement_id: int, size: int) -> list[tuple[int, int]]:
    now = ctx.clock.now()
    return await ctx.db.write(
        lambda session: announcements.claim_batch(session, announcement_id, size, now)
    )


async def _record(ctx: JobContext, outcomes: dict[int, str]) -> None:
    now = ctx.clock.now()
    await ctx.db.write(lambda session: announcements.record_outcomes(session, outcomes, now))


def report_message(report: Report) -> Message:
    """The delivery report: where it was posted (or that Discord refused the post), and how
    many DMs were delivered, found closed or failed, and why."""
    view = report.announcement
    parts = []
    if view.channel_id is not None:
        key = "posted" if view.message_id is not None else "not_posted"
        parts.append(
            Message(f"announcements.report.{key}", channel=channel_mention(view.channel_id))
        )
    if view.recipients:
        reasons = ", ".join(
            f"{reason} x{count}" for reason, count in sorted(report.reasons.items())
        )
        parts.append(
            Message(
                "announcements.report.dms_reasons" if reasons else "announcements.report.dms",
                delivered=report.delivered,
                closed=report.closed,
                failed=report.failed,
                reasons=reasons,
            )
        )
    return Message(
        "announcements.report.done",
        title=view.title,
        first=parts[0] if parts else "",
        second=parts[1] if len(parts) > 1 else "",
    )


async def send_report(ctx: JobContext, report: Report) -> None:
    """To the author by DM; to the organizers' channel when the author's DMs are closed."""
    message = report_message(report)
    if not await ctx.notifier.dm(report.announcement.author_id, message):
        await ctx.notifier.post("organizers", message)


async def run(ctx: JobContext) -> str | None:
    async with ctx.db.read() as session:
        due = await announcements.due_ids(session, ctx.clock.now())
    sent = 0
    for announcement_id in due:
        report = await deliver(ctx, announcement_id)
        if report is None:
            continue
        sent += 1
        await send_report(ctx, report)
    return f"core.jobs.announcements_sent|{sent}" if sent else None


async def next_due(ctx: JobContext) -> datetime | None:
    async with ctx.db.read() as session:
        return await announcements.next_publish_at(session)


async def backlog(ctx: JobContext) -> int:
    async with ctx.db.read() as session:
        return len(await announcements.due_ids(session, ctx.clock.now()))


def make_job(settings: Settings) -> Job:
    return Job(
        id=JOB_ID,
        every=settings.config.scheduler.tick,
        run=run,
        next_due=next_due,
        backlog=backlog,
    )
