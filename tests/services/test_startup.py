from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.db import Database
from bot.services.startup import MAX_DELAY, backoff_seconds, record_start


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_seconds(n) for n in range(5)] == [0.0, 5.0, 10.0, 20.0, 40.0]
    assert backoff_seconds(50) == MAX_DELAY


async def test_quick_restarts_back_off_and_a_calm_start_resets(
    db: Database, clock: ManualClock
) -> None:
    delays = []
    for _ in range(3):
        async with db.transaction() as session:
            delays.append(await record_start(session, clock.now()))
        clock.advance(timedelta(seconds=30))
    assert delays == [0.0, 5.0, 10.0]
    clock.advance(timedelta(hours=1))
    async with db.transaction() as session:
        assert await record_start(session, clock.now()) == 0.0
