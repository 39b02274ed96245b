"""Two schedulers on one PostgreSQL database, each with its own engine as two processes have:
one runs the jobs, the other keeps trying and takes over when the first dies or loses its lock
connection. PostgreSQL only (SQLite runs one process by design, which always leads)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.clock import ManualClock, SystemClock
from bot.db import Database
from bot.settings import ConfigError, Settings, load_settings
from jobs.base import Job
from jobs.context import JobContext
from jobs.scheduler import LEADER_LOCK_ID, Scheduling
from tests.conftest import CONFIG
from tests.test_jobs import make_runner

RETRY = timedelta(milliseconds=100)
WAIT = 30.0  # generous: the machine is shared; the retry itself is 0.1 s


def postgres_only(db: Database) -> None:
    if db.backend != "postgresql":
        pytest.skip("several processes need PostgreSQL; SQLite runs one process by design")


class Process:
    """What one bot process has: its own engine, runner and scheduling."""

    def __init__(self, name: str, url: str, settings: Settings, runs: list[str]) -> None:
        self.name = name
        self.db = Database(url)

        async def probe(ctx: JobContext) -> None:
            runs.append(name)

        jobs = [Job("probe", timedelta(seconds=1), probe)]
        runner = make_runner(settings, self.db, SystemClock())
        self.scheduling = Scheduling(jobs, runner, SystemClock(), self.db, retry=RETRY)

    async def die(self) -> None:
        """As the OS does for a killed process: no unlock, the connections just close."""
        await self.scheduling.stop()
        connection = self.scheduling.leadership.connection
        self.scheduling.leadership.connection = None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()
        await self.db.dispose()

    async def close(self) -> None:
        await self.scheduling.stop()
        await self.scheduling.release()
        await self.db.dispose()


@contextlib.asynccontextmanager
async def processes(
    db: Database, settings: Settings, runs: list[str], *names: str
) -> AsyncIterator[list[Process]]:
    url = db.engine.url.render_as_string(hide_password=False)
    started = [Process(name, url, settings, runs) for name in names]
    try:
        for process in started:
            process.scheduling.start()
        yield started
    finally:
        for process in started:
            await process.close()


async def until(condition: Callable[[], bool]) -> None:
    async def wait() -> None:
        while not condition():  # noqa: ASYNC110 - the state is another object's, polled
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), WAIT)


def leaders(group: list[Process]) -> list[str]:
    return [p.name for p in group if p.scheduling.leading]


async def test_one_leader_runs_the_jobs_and_a_follower_takes_over_when_it_dies(
    db: Database, settings: Settings
) -> None:
    postgres_only(db)
    runs: list[str] = []
    async with processes(db, settings, runs, "a", "b") as (a, b):
        await until(lambda: len(runs) >= 3)
        await asyncio.sleep(10 * RETRY.total_seconds())  # the follower has tried many times
        [first] = leaders([a, b])
        assert set(runs) == {first}
        dead, survivor = (a, b) if first == "a" else (b, a)

        await dead.die()
        seen = len(runs)
        await until(lambda: survivor.scheduling.leading)
        await until(lambda: len(runs) >= seen + 2)
        assert set(runs[seen:]) == {survivor.name}


async def test_a_leader_whose_lock_connection_drops_stops_and_competes_again(
    db: Database, settings: Settings
) -> None:
    postgres_only(db)
    runs: list[str] = []
    async with processes(db, settings, runs, "a", "b") as group:
        await until(lambda: len(leaders(group)) == 1 and len(runs) >= 2)
        [old] = [p for p in group if p.scheduling.leading]
        [other] = [p for p in group if p is not old]
        async with db.engine.connect() as admin:
            # The session holding the lock, as an operator would find it.
            lock_pid = await admin.scalar(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND classid = 0 AND objid = :k AND database ="
                    " (SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"k": LEADER_LOCK_ID},
            )
            assert lock_pid is not None
            await admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": lock_pid})
        dropped = len(runs)

        await until(lambda: other.scheduling.leading)
        await until(lambda: not old.scheduling.leading)
        await until(lambda: len(runs) >= dropped + 3)
        # At most the one run that had passed its check when the connection went.
        assert runs[dropped:].count(old.name) <= 1
        assert runs[-1] == other.name

        # The old leader kept competing: it takes over when the new one dies.
        await other.die()
        await until(lambda: old.scheduling.leading)
        again = len(runs)
        await until(lambda: len(runs) >= again + 2)
        assert set(runs[again:]) == {old.name}


async def test_the_lock_is_free_once_the_leader_leaves(db: Database, settings: Settings) -> None:
    postgres_only(db)
    runs: list[str] = []
    async with processes(db, settings, runs, "a") as (a,):
        await until(lambda: a.scheduling.leading)
    async with db.engine.connect() as conn:
        got = await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_ID})
        assert got
        await conn.scalar(text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_LOCK_ID})


async def test_sqlite_always_leads(db: Database, settings: Settings) -> None:
    if db.backend != "sqlite":
        pytest.skip("SQLite only")
    clock = ManualClock(datetime(2024, 3, 20, 10, tzinfo=UTC))
    ran = asyncio.Event()

    async def probe(ctx: JobContext) -> None:
        ran.set()

    scheduling = Scheduling(
        [Job("probe", timedelta(hours=1), probe)],
        make_runner(settings, db, clock),
        clock,
        db,
        retry=RETRY,
    )
    scheduling.start()
    try:
        await asyncio.wait_for(ran.wait(), WAIT)
        assert scheduling.leading
    finally:
        await scheduling.stop()
        await scheduling.release()


def test_leader_retry_is_under_a_minute() -> None:
    assert load_settings(CONFIG, env={}).config.scheduler.leader_retry <= timedelta(seconds=60)
    with pytest.raises(ConfigError, match="leader_retry"):
        load_settings(CONFIG, env={}, overrides={"scheduler": {"leader_retry": "2m"}})
