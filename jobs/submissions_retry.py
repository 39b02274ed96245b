"""Submissions left pending (the Hub was unreachable, rate-limited, or rejected the bot's token)
are verified again when their retry is due; each result is posted in the team's thread."""

from __future__ import annotations

from datetime import datetime

from bot.clients.hub import HubClient
from bot.discord.submissions import announce_batch
from bot.services import submissions
from bot.services.submissions import store
from bot.settings import Settings
from jobs.base import Job
from jobs.context import JobContext

JOB_ID = "submissions_retry"


def hub_of(ctx: JobContext) -> HubClient:
    """The bot's Hub adapter (shared cache and budget), or one built from the settings."""
    if ctx.hub is not None:
        return ctx.hub
    config = ctx.settings.config.submissions
    return HubClient(
        config.hub_endpoint,
        ctx.settings.secrets.hf_token,
        max_concurrency=config.hub_concurrency,
        budget=config.hub_budget,
        budget_window=config.hub_budget_window.total_seconds(),
        timeout=config.hub_timeout.total_seconds(),
    )


async def retry(ctx: JobContext) -> str | None:
    now = ctx.clock.now()
    batch = await submissions.retry_pending(ctx.db, hub_of(ctx), ctx.settings.config, now)
    await announce_batch(ctx.notifier, batch)
    if not batch.done and not batch.still_pending:
        return None
    return f"submissions.jobs.retried|{len(batch.done)}"


async def next_due(ctx: JobContext) -> datetime | None:
    async with ctx.db.read() as session:
        return await store.next_retry(session)


async def waiting(ctx: JobContext) -> int:
    async with ctx.db.read() as session:
        return await store.count_pending(session)


def make_job(settings: Settings) -> Job:
    return Job(
        id=JOB_ID,
        every=settings.config.scheduler.tick,
        run=retry,
        next_due=next_due,
        backlog=waiting,
    )
