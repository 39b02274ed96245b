from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text

from bot.db import Database
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
