"""The submission jobs on a narrow context, without a bot: the real Hub adapter against the
local Hub, a real database, and a notifier that records what would be posted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.clients.hub import HubClient
from bot.clock import ManualClock
from bot.db import Database
from bot.models import JobRun
from bot.models.teams import Team
from bot.services.submissions import flow
from bot.services.submissions.refs import RepoRef
from bot.settings import Settings
from jobs import submissions_nudges, submissions_retry, submissions_reverify
from jobs.context import JobContext
from sandbox.hub import LocalHub
from tests.services import create, rules_of
from tests.test_jobs import RecordingNotifier, make_context

MODEL = "somosnlp/tigre-7b"


@pytest.fixture
async def hub(clock: ManualClock) -> AsyncIterator[LocalHub]:
    server = LocalHub(now=clock.now, tokens={"hf_org"})
    server.set(MODEL, {"card": "---\nlicense: mit\n---\n", "files": ["config.json"]}, kind="model")
    await server.start()
    try:
        yield server
    finally:
        await server.close()


async def context(
    settings: Settings, db: Database, clock: ManualClock, hub: LocalHub
) -> JobContext:
    await create(db, rules_of(settings), clock.now(), 1, "Los Tigres")
    await db.write(lambda s: s.execute(update(Team).values(thread_id=777)))
    ctx = make_context(settings, db, clock)
    return replace(ctx, hub=HubClient(hub.url, "hf_org", retries=0))


async def test_retry_is_due_when_the_row_says_and_posts_in_the_thread(
    settings: Settings, db: Database, clock: ManualClock, hub: LocalHub
) -> None:
    ctx = await context(settings, db, clock, hub)
    assert await submissions_retry.next_due(ctx) is None
    hub.set_fault("*", "500")
    assert ctx.hub is not None
    result = await flow.submit(
        db, ctx.hub, settings.config, user_id=1, refs=[RepoRef("model", MODEL)], now=clock.now()
    )
    assert result.results[0].hub_problem == "unavailable"
    due = await submissions_retry.next_due(ctx)
    assert due == clock.now() + settings.config.submissions.retry_every
    assert await submissions_retry.waiting(ctx) == 1
    hub.set_fault("*", "none")
    clock.set(due)
    assert await submissions_retry.retry(ctx) == "submissions.jobs.retried|1"
    assert isinstance(ctx.notifier, RecordingNotifier)
    [(where, thread, message)] = ctx.notifier.sent
    assert (where, thread, message.key) == ("thread", 777, "submissions.thread.result")
    assert await submissions_retry.next_due(ctx) is None
    assert await submissions_retry.waiting(ctx) == 0


async def test_reverify_is_due_every_few_hours_and_at_the_deadline(
    settings: Settings, db: Database, clock: ManualClock, hub: LocalHub
) -> None:
    ctx = await context(settings, db, clock, hub)
    assert await submissions_reverify.next_due(ctx) is None  # nothing submitted
    assert ctx.hub is not None
    await flow.submit(
        db, ctx.hub, settings.config, user_id=1, refs=[RepoRef("model", MODEL)], now=clock.now()
    )
    every = settings.config.submissions.reverify_every
    assert await submissions_reverify.next_due(ctx) == clock.now() + every
    assert await submissions_reverify.run(ctx) is None  # nothing changed: nothing posted
    deadline = settings.config.event.submission_deadline
    await db.write(
        lambda s: s.merge(
            JobRun(job_id="submissions_reverify", last_started_at=deadline - every / 2)
        )
    )
    assert await submissions_reverify.next_due(ctx) == deadline


async def test_nudges_follow_the_stages_and_go_out_once(
    settings: Settings, db: Database, clock: ManualClock, hub: LocalHub
) -> None:
    ctx = await context(settings, db, clock, hub)
    deadline = settings.config.event.submission_deadline
    assert await submissions_nudges.next_due(ctx) == deadline - timedelta(hours=48)
    assert await submissions_nudges.run(ctx) is None  # not yet
    clock.set(deadline - timedelta(hours=30))
    assert await submissions_nudges.run(ctx) == "submissions.jobs.nudged|1"
    assert await submissions_nudges.run(ctx) is None
    assert isinstance(ctx.notifier, RecordingNotifier)
    [(_, thread, message)] = ctx.notifier.sent
    assert thread == 777 and message.key == "submissions.nudge.message"
    clock.set(deadline + timedelta(minutes=1))
    assert await submissions_nudges.run(ctx) is None  # after the deadline: nothing


async def test_reverify_leaves_half_the_budget_to_members(
    settings: Settings, db: Database, clock: ManualClock, hub: LocalHub
) -> None:
    ctx = await context(settings, db, clock, hub)
    ctx = replace(ctx, hub=HubClient(hub.url, "hf_org", retries=0, budget=4, budget_window=300))
    assert ctx.hub is not None
    await flow.submit(
        db, ctx.hub, settings.config, user_id=1, refs=[RepoRef("model", MODEL)], now=clock.now()
    )
    assert ctx.hub.budget_left() == 2  # repo info and card
    before = len(hub.requests)
    batch = await flow.reverify(db, ctx.hub, settings.config, clock.now())
    assert batch.done == [] and len(hub.requests) == before + 1  # one left: half of 4 kept
    assert ctx.hub.budget_left() == 1
    batch = await flow.reverify(db, ctx.hub, settings.config, clock.now())
    assert len(hub.requests) == before + 1  # below half: not one request
