"""The leaderboard job without a bot: two processes on one database, Discord refusing the post,
and when the job is next due. What it posts is observed through a recording notifier."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db import Database
from bot.i18n import Message
from bot.models import LeaderboardPost
from bot.services.leaderboard.card import Card
from bot.settings import Settings, load_settings
from jobs import leaderboard_post
from jobs.context import JobContext
from tests.conftest import CONFIG
from tests.integration.leaderboard_support import insert
from tests.test_jobs import RecordingNotifier

EIGHTEEN = datetime(2024, 3, 20, 18, 0, tzinfo=UTC)


class CardRecorder(RecordingNotifier):
    """Records cards as well; ``accept=False`` plays Discord refusing them."""

    def __init__(self, *, accept: bool = True, delay: float = 0.0) -> None:
        super().__init__()
        self.accept = accept
        self.delay = delay
        self.cards: list[tuple[str, Any, Card]] = []

    async def post_card(self, channel_key: str, card: Card, /) -> tuple[int, int] | None:
        await asyncio.sleep(self.delay)
        self.cards.append(("post", channel_key, card))
        return (100, 200 + len(self.cards)) if self.accept else None

    async def edit_card(self, channel_id: int, message_id: int, card: Card, /) -> bool:
        self.cards.append(("edit", (channel_id, message_id), card))
        return self.accept


def progress_only(cron: str = "0 18 * * *") -> Settings:
    boards = {
        name: {"enabled": name == "progress", "cron": cron}
        for name in ("likes", "progress", "evaluation", "countries")
    }
    return load_settings(CONFIG, env={}, overrides={"leaderboard": boards})


def context(settings: Settings, db: Database, clock: ManualClock, notifier: Any) -> JobContext:
    return JobContext(db=db, clock=clock, settings=settings, notifier=notifier)


async def test_two_processes_post_a_board_once(db: Database, clock: ManualClock) -> None:
    """Two bots on one database run the job at the same scheduled time: one card is posted."""
    settings = progress_only()
    await insert(db, (1, "Uno", {"repos": {"model": "o/a"}, "checks": {"a": "passed"}}))
    clock.set(EIGHTEEN)
    first, second = CardRecorder(delay=0.05), CardRecorder(delay=0.05)
    other_db = Database(db.url)
    try:
        details = await asyncio.gather(
            leaderboard_post.run(context(settings, db, clock, first)),
            leaderboard_post.run(context(settings, other_db, clock, second)),
        )
    finally:
        await other_db.dispose()

    assert len(first.cards) + len(second.cards) == 1
    assert sorted(details, key=str) == [None, "leaderboard.jobs.posted|1"]
    async with db.read() as session:
        [row] = list(await session.scalars(select(LeaderboardPost)))
    assert (row.status, row.places) == ("posted", {"team:1": 1})


async def test_discord_refusing_the_post_skips_it_and_alerts(
    db: Database, clock: ManualClock
) -> None:
    settings = progress_only()
    clock.set(EIGHTEEN)
    notifier = CardRecorder(accept=False)

    detail = await leaderboard_post.run(context(settings, db, clock, notifier))

    assert detail == "leaderboard.jobs.skipped|1"
    assert notifier.sent == [
        (
            "post",
            "organizers",
            Message(
                "leaderboard.alerts.discord_refused", board=Message("leaderboard.board.progress")
            ),
        )
    ]
    assert await leaderboard_post.run(context(settings, db, clock, notifier)) is None


async def test_next_due_follows_the_cron_and_what_was_posted(
    db: Database, clock: ManualClock
) -> None:
    settings = progress_only("0 9,18 * * *")
    ctx = context(settings, db, clock, CardRecorder())
    clock.set(datetime(2024, 3, 20, 10, 30, tzinfo=UTC))  # 09:00 missed by more than catch_up
    assert await leaderboard_post.next_due(ctx) == EIGHTEEN
    assert await leaderboard_post.backlog(ctx) == 0
    clock.set(EIGHTEEN + timedelta(minutes=2))
    assert await leaderboard_post.next_due(ctx) == clock.now()
    assert await leaderboard_post.backlog(ctx) == 1
    await leaderboard_post.run(ctx)
    assert await leaderboard_post.next_due(ctx) == datetime(2024, 3, 21, 9, 0, tzinfo=UTC)
    # Down for longer than catch_up: the missed time is not posted late.
    clock.set(datetime(2024, 3, 21, 11, 0, tzinfo=UTC))
    assert await leaderboard_post.backlog(ctx) == 0


async def test_a_notifier_without_cards_claims_nothing(db: Database, clock: ManualClock) -> None:
    settings = progress_only()
    clock.set(EIGHTEEN)
    assert await leaderboard_post.run(context(settings, db, clock, RecordingNotifier())) is None
    async with db.read() as session:
        assert list(await session.scalars(select(LeaderboardPost))) == []
