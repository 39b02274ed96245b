from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import POSTGRES_POOL_SIZE, Database
from bot.models import KeyValue


@pytest.mark.sqlite_only
async def test_sqlite_runs_in_wal_with_foreign_keys(db: Database) -> None:
    async with db.read() as session:
        assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_concurrent_read_then_write_transactions_never_fail(db: Database) -> None:
    """Read-modify-write from 20 tasks at once: no "database is locked", no lost update."""
    async with db.transaction() as session:
        session.add(KeyValue(key="counter", value="0"))

    async def bump() -> None:
        async with db.transaction() as session:
            row = await session.scalar(
                select(KeyValue).where(KeyValue.key == "counter").with_for_update()
            )
            assert row is not None
            await asyncio.sleep(0)
            row.value = str(int(row.value) + 1)

    await asyncio.gather(*(bump() for _ in range(20)))
    async with db.read() as session:
        assert (await session.get(KeyValue, "counter")).value == "20"  # type: ignore[union-attr]


async def test_failed_transaction_leaves_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            session.add(KeyValue(key="half", value="written"))
            await session.flush()
            raise RuntimeError("boom")
    async with db.read() as session:
        assert await session.get(KeyValue, "half") is None


async def test_write_reruns_a_transaction_the_database_aborted_to_break_a_deadlock(
    db: Database,
) -> None:
    if db.backend != "postgresql":
        pytest.skip("SQLite serializes writers at BEGIN IMMEDIATE: no deadlock can form")
    async with db.transaction() as session:
        session.add_all([KeyValue(key="a", value="0"), KeyValue(key="b", value="0")])
    both_hold_their_first_row = asyncio.Barrier(2)
    attempts = {"ab": 0, "ba": 0}

    async def writer(first: str, second: str) -> None:
        async def work(session: AsyncSession) -> None:
            attempts[first + second] += 1
            row = await session.get(KeyValue, first, with_for_update=True)
            if attempts[first + second] == 1:
                await asyncio.wait_for(both_hold_their_first_row.wait(), 10)
            other = await session.get(KeyValue, second, with_for_update=True)
            assert row is not None and other is not None
            row.value = str(int(row.value) + 1)
            other.value = str(int(other.value) + 1)

        await db.write(work)

    await asyncio.gather(writer("a", "b"), writer("b", "a"))

    async with db.read() as session:
        assert [(await session.get(KeyValue, k)).value for k in "ab"] == ["2", "2"]  # type: ignore[union-attr]
    assert sorted(attempts.values()) == [1, 2]  # one of the two was the deadlock's victim


async def test_a_burst_wider_than_the_postgres_pool_reuses_its_connections(db: Database) -> None:
    """Three waves of 40 overlapping reads open the pool's connections once and queue for
    them; none is closed on return and opened again (SQLAlchemy's overflow connections were)."""
    if db.backend != "postgresql":
        pytest.skip("SQLite's pools: tests/test_db_sqlite.py")
    opened: list[int] = []
    event.listen(db.engine.sync_engine, "connect", lambda *_: opened.append(1))
    busy = 0
    widest = 0

    async def read() -> None:
        nonlocal busy, widest
        async with db.read() as session:
            await session.execute(text("SELECT 1"))
            busy += 1
            widest = max(widest, busy)
            await asyncio.sleep(0.01)
            busy -= 1

    for _ in range(3):
        await asyncio.gather(*(read() for _ in range(40)))
    assert widest == POSTGRES_POOL_SIZE
    assert len(opened) <= POSTGRES_POOL_SIZE
    assert db.engine.pool.checkedin() == db.engine.pool.size() == POSTGRES_POOL_SIZE  # type: ignore[attr-defined]
