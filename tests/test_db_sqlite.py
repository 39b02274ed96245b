"""The SQLite connections that make one trip to their thread per statement (bot/db_sqlite.py):
what SQLAlchemy reads of a cursor is all there, errors are SQLAlchemy's, and a statement costs
one trip."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from bot.db import SQLITE_READERS, Database
from bot.db_sqlite import OneTripConnection

pytestmark = pytest.mark.sqlite_only

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, unique=True, nullable=False),
)


@pytest.fixture
async def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'one-trip.db'}")
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield db  # type: ignore[misc]
    await db.dispose()


async def test_the_engine_uses_one_trip_connections(database: Database) -> None:
    async with database.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)


async def test_rows_rowcount_lastrowid_and_returning(database: Database) -> None:
    async with database.transaction() as session:
        made = await session.execute(insert(things).values(name="uno"))
        assert made.inserted_primary_key == (1,)
        await session.execute(insert(things), [{"name": f"n{i}"} for i in range(150)])
        changed = await session.execute(
            update(things).where(things.c.name.like("n1%")).values(name=things.c.name + "!")
        )
        assert changed.rowcount == 61  # n1, n10..n19, n100..n149
        back = await session.execute(
            update(things).where(things.c.id == 1).values(name="one").returning(things.c.id)
        )
        assert back.scalars().all() == [1]
    async with database.read() as session:
        rows = (await session.execute(select(things.c.name).order_by(things.c.id))).scalars()
        names = rows.all()
    assert len(names) == 151 and names[0] == "one" and names[2] == "n1!"
    async with database.read() as session:
        result = await session.stream(select(things.c.id).order_by(things.c.id))
        assert [row async for row in result.scalars()][:3] == [1, 2, 3]


async def test_errors_are_sqlalchemy_errors_and_nothing_is_half_written(
    database: Database,
) -> None:
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            await session.execute(insert(things).values(name="twice"))
            await session.execute(insert(things).values(name="twice"))
    async with database.read() as session:
        assert (await session.execute(text("SELECT count(*) FROM things"))).scalar() == 0


async def test_a_statement_costs_one_trip_to_the_thread(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips: list[object] = []
    original = OneTripConnection._execute

    async def counted(self: OneTripConnection, fn: object, *args: object, **kw: object) -> object:
        trips.append(fn)
        return await original(self, fn, *args, **kw)  # type: ignore[no-untyped-call]

    # The writers' connection opened beforehand (opening one runs its PRAGMAs).
    await database.write(lambda session: session.execute(select(things.c.id)))
    monkeypatch.setattr(OneTripConnection, "_execute", counted)
    async with database.engine.connect() as connection:
        await connection.execute(select(things.c.id))  # the first use may set the connection up
        trips.clear()
        for _ in range(10):
            (await connection.execute(select(things.c.id).where(things.c.id > 0))).all()
        assert len(trips) == 10  # aiosqlite's own cursors take four: open, run, fetch, close


async def test_begin_immediate_travels_with_the_first_statement_and_takes_the_lock(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips: list[object] = []
    original = OneTripConnection._execute

    async def counted(self: OneTripConnection, fn: object, *args: object, **kw: object) -> object:
        trips.append(fn)
        return await original(self, fn, *args, **kw)  # type: ignore[no-untyped-call]

    # The writers' connection opened beforehand (opening one runs its PRAGMAs).
    await database.write(lambda session: session.execute(select(things.c.id)))
    monkeypatch.setattr(OneTripConnection, "_execute", counted)
    other = sqlite3.connect(tmp_path / "one-trip.db", timeout=0, isolation_level=None)
    try:
        async with database.transaction() as session:
            await session.execute(select(things.c.id))  # a read, first in a writing transaction
            assert len(trips) == 1  # BEGIN IMMEDIATE and the select: one trip
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")  # the write lock is held from that first read
        assert len(trips) == 2  # and the commit
        other.execute("BEGIN IMMEDIATE")  # released at the commit
        other.execute("ROLLBACK")
    finally:
        other.close()
    trips.clear()
    async with database.transaction():
        pass  # no statement: no trip, nothing to commit
    async with database.read():
        pass
    assert trips == []


async def test_readers_share_a_fixed_pool_and_never_hold_up_a_writer(database: Database) -> None:
    """A burst of readers waits for one of SQLITE_READERS connections (none is opened beyond
    them); the writer whose turn it is has a connection of its own, so it never waits behind
    them while every other writer waits on it."""
    release = asyncio.Event()
    inside = 0

    async def reader() -> None:
        nonlocal inside
        async with database.read() as session:
            await session.execute(select(things.c.id))
            inside += 1
            await release.wait()

    readers = [asyncio.create_task(reader()) for _ in range(SQLITE_READERS * 2)]
    try:
        for _ in range(200):
            if inside == SQLITE_READERS:
                break
            await asyncio.sleep(0.01)
        await asyncio.wait_for(
            database.write(lambda session: session.execute(insert(things).values(name="w"))), 5
        )
        assert inside == SQLITE_READERS
    finally:
        release.set()
        await asyncio.gather(*readers)
    assert inside == SQLITE_READERS * 2
    async with database.read() as session:
        assert list(await session.scalars(select(things.c.name))) == ["w"]
