"""Two bot processes on one PostgreSQL database, each running the real scheduler on the wall
clock: one leads and runs the jobs, the other serves commands and keeps trying; SIGKILL the
leader and the other takes over (within `scheduler.leader_retry`) and the jobs go on.
PostgreSQL only: SQLite deployments run one process by design."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from bot.db import Database
from bot.models import JobRun
from jobs.scheduler import LEADER_LOCK_ID
from tests.integration.conftest import MakeSandbox
from tests.integration.crash_support import BotProcess

TAKEOVER = 60.0  # the bound; leader_retry is 1 s here
HOLDERS = text(
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND classid = 0 AND objid = :k"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


async def holders(db: Database) -> list[int]:
    async with db.engine.connect() as conn:
        return list((await conn.scalars(HOLDERS, {"k": LEADER_LOCK_ID})).all())


async def total_runs(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.coalesce(func.sum(JobRun.runs), 0))) or 0)


async def runs_grow(db: Database) -> None:
    start = await total_runs(db)

    async def grown() -> None:
        while await total_runs(db) <= start:  # noqa: ASYNC110 - another process writes it
            await asyncio.sleep(0.1)

    await asyncio.wait_for(grown(), TAKEOVER)


async def test_the_follower_takes_over_when_the_leader_is_killed(
    make_sandbox: MakeSandbox,
) -> None:
    now = datetime.now(UTC)
    sandbox = await make_sandbox(
        settings={"scheduler": {"tick": "1s", "leader_retry": "1s"}}, clock=now
    )
    if not sandbox.db_url.startswith("postgresql"):
        pytest.skip("several processes need PostgreSQL; SQLite runs one process by design")
    await sandbox.kill_bot()
    db = Database(sandbox.db_url)
    started: list[BotProcess] = []
    try:
        first = await BotProcess.start(sandbox, now, real=True)
        started.append(first)
        await first.said("leading", TAKEOVER)
        second = await BotProcess.start(sandbox, now, real=True)
        started.append(second)
        await second.said("following", TAKEOVER)
        await runs_grow(db)
        [leader_pid] = await holders(db)  # one lock, so one process runs the jobs
        assert await second.quiet(), "the follower claimed to lead while the leader lived"

        killed = time.monotonic()
        await first.kill()
        await second.said("leading", TAKEOVER)
        print(f"takeover after SIGKILL: {time.monotonic() - killed:.2f} s (leader_retry 1 s)")
        [new_pid] = await holders(db)
        assert new_pid != leader_pid
        await runs_grow(db)  # the jobs go on, in the survivor
    finally:
        for process in started:
            await process.stop()
        await db.dispose()
