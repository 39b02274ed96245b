"""Submissions left pending (the Hub was unreachable, rate-limited, or rejected the bot's token)
are verified again when their retry is due; each result is posted in the team's thread.

A submission stays pending until its result is written, so a process killed during the Hub
check leaves it for the next run. The result is written marked to post, posted, then unmarked:
a process killed in between leaves the post to the next run (repeated only if Discord had
taken it: one message)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clients.hub import HubClient
from bot.discord.submissions import announce_batch, checklist
from bot.i18n import Message
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
    # The results are posted from the database (this run's and any a dead process left).
    await announce_batch(ctx.notifier, replace(batch, done=[]))
    posted = await post_results(ctx)
    if not batch.done and not batch.still_pending and not posted:
        return None
    return f"submissions.jobs.retried|{max(len(batch.done), posted)}"


async def post_results(ctx: JobContext) -> int:
    """Post each retry result still marked to post in its team's thread, unmarking each once
    Discord has answered."""
    async with ctx.db.read() as session:
        results = await store.results_to_post(session)
    for view, thread_id in results:
        if thread_id is not None:
            message = Message("submissions.thread.result", checklist=checklist(view))
            await ctx.notifier.to_thread(thread_id, message)
        await ctx.db.write(_unmark(view.id))
    return len(results)


def _unmark(submission_id: int) -> Callable[[AsyncSession], Awaitable[None]]:
    async def unmark(session: AsyncSession) -> None:
        await store.result_posted(session, submission_id)

    return unmark


async def next_due(ctx: JobContext) -> datetime | None:
    async with ctx.db.read() as session:
        if await store.has_results_to_post(session):
            return ctx.clock.now()
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
