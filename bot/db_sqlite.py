"""aiosqlite connections that cost one trip to their thread per statement.

aiosqlite runs each SQLite connection in a thread of its own and hands it every call through a
queue; the event loop is woken when the call is done. SQLAlchemy's aiosqlite adapter makes four
such calls per statement (open a cursor, execute, fetch the rows, close the cursor), and each
trip costs more CPU than the statement itself for the indexed reads and writes hackbot runs.
:class:`OneTripConnection` is an ``aiosqlite.Connection`` whose cursors do the four in one call:
the statement runs, its rows are fetched and the cursor closed in the connection's thread, and
the cursor handed back to SQLAlchemy holds the rows, the description, ``rowcount`` and
``lastrowid``. A transaction's ``BEGIN`` travels with its first statement
(:meth:`OneTripConnection.begin_with_next_statement`), and a transaction that ran no statement
ends without a trip, as does the rollback of a connection coming back to the pool with no
transaction open. Everything else (the thread, the queue, errors) is aiosqlite's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import aiosqlite

Row = Any


class OneTripCursor:
    """A cursor whose ``execute`` runs, fetches and closes in one call to the thread."""

    __slots__ = ("_connection", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: list[Row] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> OneTripCursor:
        self._take(await self._in_thread(sql, parameters, many=False))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> OneTripCursor:
        self._take(await self._in_thread(sql, parameters, many=True))
        return self

    async def _in_thread(self, sql: str, parameters: Any, *, many: bool) -> Any:
        begin = self._connection.take_begin()
        run = partial(_run, self._connection._conn, sql, parameters, many=many, begin=begin)
        return await self._connection._execute(run)  # type: ignore[no-untyped-call]

    def _take(self, done: tuple[Any, int, int | None, list[Row]]) -> None:
        self.description, self.rowcount, self.lastrowid, self._rows = done

    async def fetchall(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Row | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Row]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []


def _run(
    connection: sqlite3.Connection, sql: str, parameters: Any, *, many: bool, begin: str | None
) -> tuple[Any, int, int | None, list[Row]]:
    """In the connection's thread: the transaction's ``begin`` if it is still to be sent, the
    statement, all its rows, and what SQLAlchemy reads of the cursor afterwards."""
    cursor = connection.cursor()
    try:
        if begin is not None:
            cursor.execute(begin)
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, () if parameters is None else parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripConnection(aiosqlite.Connection):
    """``aiosqlite.Connection`` with :class:`OneTripCursor` cursors."""

    _begin: str | None = None

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    def begin_with_next_statement(self, begin: str) -> None:
        """Start a transaction with ``begin`` (``BEGIN`` or ``BEGIN IMMEDIATE``), sent in the
        same trip as the next statement: it takes SQLite's locks before that statement runs,
        as if sent alone, and its errors (``database is locked``) are that statement's."""
        self._begin = begin

    def take_begin(self) -> str | None:
        begin, self._begin = self._begin, None
        return begin

    async def commit(self) -> None:
        # Nothing to end when no statement ran since the BEGIN, or no transaction is open (the
        # pool's rollback when a connection comes back): no trip. Reading `in_transaction`
        # outside the thread is safe here: no call of this connection is in flight.
        if self.take_begin() is None and self._conn.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        if self.take_begin() is None and self._conn.in_transaction:
            await super().rollback()


def one_trip_connector(database: str, **kwargs: Any) -> Callable[[], OneTripConnection]:
    """An ``async_creator`` for ``create_async_engine``: a new connection to ``database``
    (``kwargs`` go to ``sqlite3.connect``), its thread a daemon like SQLAlchemy's own."""

    def create() -> OneTripConnection:
        connection = OneTripConnection(partial(sqlite3.connect, database, **kwargs), 64)
        connection._thread.daemon = True
        return connection

    return create
