"""Deadline nudges (``submissions.nudges``, by default 48 h, 24 h and 3 h before the deadline):
each team with a missing, failing or pending deliverable gets one message in its thread that
lists exactly what is missing. The nudge is recorded before it is posted: at most once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.discord.submissions import joined, kind_word
from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.models import JobRun
from bot.services.submissions import nudges, store
from bot.services.submissions.nudges import Nudge, NudgeItem
from bot.settings import Settings
from jobs.base import Job
from jobs.context import JobContext

JOB_ID = "submissions_nudges"


def item_line(item: NudgeItem) -> Message:
    kind = kind_word(item.kind)
    if item.state == "missing":
        return Message("submissions.nudge.missing", kind=kind)
    if item.state == "pending":
        return Message("submissions.nudge.pending", kind=kind, repo=item.repo_id or "")
    checks = [Message(f"submissions.checks.{c}") for c in item.failed]
    return Message(
        "submissions.nudge.failing",
        kind=kind,
        repo=item.repo_id or "",
        checks=joined_inline(checks),
    )


def joined_inline(messages: list[Message]) -> Message:
    if not messages:
        return Message("submissions.join.empty")
    if len(messages) == 1:
        return messages[0]
    return Message("submissions.join.comma", first=messages[0], rest=joined_inline(messages[1:]))


def nudge_message(nudge: Nudge, deadline: datetime) -> Message:
    return Message(
        "submissions.nudge.message",
        team=nudge.team.name,
        deadline=discord_ts(deadline, "f"),
        left=discord_ts(deadline, "R"),
        items=joined([item_line(i) for i in nudge.items]),
    )


async def run(ctx: JobContext) -> str | None:
    now = ctx.clock.now()
    config = ctx.settings.config
    async with ctx.db.read() as session:
        due = await nudges.due(session, config, now)
    sent = 0
    for nudge in due:

        async def claim(session: AsyncSession, n: Nudge = nudge) -> bool:
            return await store.claim_nudge(session, n.team.id, n.stage, now)

        claimed = await ctx.db.write(claim)
        if not claimed or nudge.team.thread_id is None:
            continue
        message = nudge_message(nudge, config.event.submission_deadline)
        sent += await ctx.notifier.to_thread(nudge.team.thread_id, message)
    return f"submissions.jobs.nudged|{sent}" if sent else None


async def next_due(ctx: JobContext) -> datetime | None:
    async with ctx.db.read() as session:
        job = await session.get(JobRun, JOB_ID)
    last = job.last_started_at if job is not None else None
    return nudges.next_stage_time(ctx.settings.config, last)


def make_job(settings: Settings) -> Job:
    return Job(id=JOB_ID, every=settings.config.scheduler.tick, run=run, next_due=next_due)
