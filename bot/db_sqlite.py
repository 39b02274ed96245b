"""aiosqlite connections that cost one trip to their thread per statement.

aiosqlite runs each SQLite connection in a thread of its own and hands it every call through a
queue; the event loop is woken when the call is done. SQLAlchemy's aiosqlite adapter makes four
such calls per statement (open a cursor, execute, fetch the rows, close the cursor), and each
trip costs more CPU than the statement itself for the indexed reads and writes hackbot runs.
:class:`OneTripConnection` is an ``aiosqlite.Connection`` whose cursors do the four in one call:
the statement runs, its rows are fetched and the cursor closed in the connection's thread, and
the cursor handed back to SQLAlchemy holds the rows, the description, ``rowcount`` and
``lastrowid``. Everything else (the thread, the queue, commit and rollback, errors) is
aiosqlite's.
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
        run = partial(_run, self._connection._conn, sql, parameters, many=many)
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
    connection: sqlite3.Connection, sql: str, parameters: Any, *, many: bool
) -> tuple[Any, int, int | None, list[Row]]:
    """In the connection's thread: the statement, all its rows, and what SQLAlchemy reads of
    the cursor afterwards."""
    cursor = connection.cursor()
    try:
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

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)


def one_trip_connector(database: str, **kwargs: Any) -> Callable[[], OneTripConnection]:
    """An ``async_creator`` for ``create_async_engine``: a new connection to ``database``
    (``kwargs`` go to ``sqlite3.connect``), its thread a daemon like SQLAlchemy's own."""

    def create() -> OneTripConnection:
        connection = OneTripConnection(partial(sqlite3.connect, database, **kwargs), 64)
        connection._thread.daemon = True
        return connection

    return create
