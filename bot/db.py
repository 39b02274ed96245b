"""Engine and sessions from a URL: SQLite (embedded default) or PostgreSQL.

SQLite gets WAL, foreign keys and a busy timeout, and every writing transaction starts with
``BEGIN IMMEDIATE`` so that a read-then-write transaction can never fail with "database is
locked" half-way: writers queue on the busy timeout instead. Read-only work uses
:meth:`Database.read`, which begins a deferred transaction and does not block writers.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only

from bot.db_sqlite import OneTripConnection, one_trip_connector

log = logging.getLogger(__name__)
T = TypeVar("T")
_READ_ONLY = "hackbot_read_only"
_FRESH = "hackbot_fresh"
WRITE_ATTEMPTS = 3
# deadlock_detected, serialization_failure (PostgreSQL SQLSTATEs)
RETRYABLE_SQLSTATES = {"40P01", "40001"}


def sqlstate(exc: DBAPIError) -> str | None:
    """The SQLSTATE of a driver error, when the driver reports one (asyncpg does)."""
    original = exc.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    cause = getattr(original, "__cause__", None)
    return code or getattr(cause, "sqlstate", None)


def is_retryable(exc: DBAPIError) -> bool:
    return sqlstate(exc) in RETRYABLE_SQLSTATES


SQLITE_BUSY_TIMEOUT_MS = 15_000

# -- saying what is wrong with a database, in one line -----------------------------------------
SUPPORTED_URLS = (
    "sqlite+aiosqlite:///path/to/hackbot.db or postgresql+asyncpg://user:password@host/database"
)
_SUPPORTED_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}


def _redact(url: str) -> str:
    from bot.settings import redact_url

    return redact_url(url)


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a hackbot database URL, or None when it can."""
    try:
        parsed = make_url(url)
    except Exception:  # sqlalchemy raises ArgumentError, or ValueError for a bad port
        return f"DATABASE_URL is not a database URL ({_redact(url)}); use {SUPPORTED_URLS}"
    backend, _, driver = parsed.drivername.partition("+")
    if _SUPPORTED_DRIVERS.get(backend) != driver:
        return (
            f"DATABASE_URL names {parsed.drivername!r}, which hackbot cannot use; "
            f"use {SUPPORTED_URLS}"
        )
    if backend == "sqlite" and not parsed.database:
        return f"DATABASE_URL names no SQLite file; use {SUPPORTED_URLS}"
    return None


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and in-memory databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, the driver errors it wraps and what caused them, outermost first."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or any(current is known for known in seen):
            continue
        seen.append(current)
        todo += [getattr(current, "orig", None), current.__cause__, current.__context__]
    return seen


# PostgreSQL SQLSTATEs of a connection lost or refused: admin_shutdown, crash_shutdown,
# cannot_connect_now, the connection exceptions (class 08) and too_many_connections.
UNAVAILABLE_SQLSTATES = {
    *("57P01", "57P02", "57P03"),
    *("08000", "08001", "08003", "08004", "08006"),
    "53300",
}
_DRIVER_MODULES = ("sqlalchemy", "asyncpg", "aiosqlite")


def _raised_by_driver(exc: BaseException) -> bool:
    """Whether ``exc`` was raised inside SQLAlchemy or a database driver: asyncpg lets a refused
    connection (the server stopped or restarting) out as a bare ``OSError``."""
    tb = exc.__traceback__
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith(_DRIVER_MODULES):
            return True
        tb = tb.tb_next
    return False


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the database could not be used just now (SQLite locked longer than
    the busy timeout, the PostgreSQL server stopped, restarting or its connection dropped), not
    a bug."""
    chain = _chain(exc)
    through_sqlalchemy = any(isinstance(e, DBAPIError) for e in chain)
    for error in chain:
        if isinstance(error, OSError) and (through_sqlalchemy or _raised_by_driver(error)):
            return True
        if not through_sqlalchemy:
            continue
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if code in UNAVAILABLE_SQLSTATES:
            return True
        if isinstance(error, OperationalError) and (
            "database is locked" in str(error) or "database is busy" in str(error)
        ):
            return True
    return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def database_problem(exc: BaseException, url: str) -> str | None:
    """One line saying what is wrong with the database at ``url`` and what to do, when ``exc``
    is a problem of reaching or opening it (not a bug); None otherwise."""
    parsed = make_url(url)
    chain = _chain(exc)
    codes = {getattr(e, "sqlstate", None) or getattr(e, "pgcode", None) for e in chain}
    text = " ".join(_first_line(e) for e in chain)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        for error in chain:
            if isinstance(error, OSError):
                reason = error.strerror or _first_line(error)
                if isinstance(error, FileExistsError | NotADirectoryError):
                    reason = f"{error.filename or 'a folder on its path'} is a file"
                return (
                    f"cannot create the folder of the SQLite database {path} ({reason}); "
                    "correct DATABASE_URL or create the folder"
                )
        if "unable to open database file" in text:
            return (
                f"cannot open the SQLite database {path} (unable to open database file); "
                "check that its folder exists and is writable, or correct DATABASE_URL"
            )
        if "file is not a database" in text:
            return f"{path} is not a SQLite database; correct DATABASE_URL"
        if "no such table" in text:
            return (
                f"the SQLite database {path} has no hackbot tables; "
                "run `hackbot db upgrade` (or start the bot) first"
            )
        return None
    server = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    name = parsed.database or parsed.username or ""
    if "3D000" in codes:
        return (
            f'PostgreSQL at {server} has no database "{name}"; create it '
            f"(createdb -h {parsed.host or 'localhost'} {name}) or correct DATABASE_URL"
        )
    if codes & {"28000", "28P01"}:
        return (
            f"PostgreSQL at {server} refused the login of user {parsed.username!r} "
            f"({_first_line(chain[-1])}); correct the user or password in DATABASE_URL"
        )
    if "42P01" in codes:
        return (
            f'the database "{name}" at {server} has no hackbot tables; '
            "run `hackbot db upgrade` (or start the bot) first"
        )
    for error in chain:
        if isinstance(error, socket.gaierror):
            return (
                f"cannot find the host {parsed.host!r} of DATABASE_URL ({error.strerror}); "
                "correct the host"
            )
        if isinstance(error, TimeoutError):
            return (
                f"PostgreSQL at {server} did not answer (timed out); check that the server "
                "runs and that this machine may reach it, or correct DATABASE_URL"
            )
        if isinstance(error, ConnectionRefusedError):
            return (
                f"cannot connect to PostgreSQL at {server} (connection refused): no server "
                "listens there; start it, or correct the host and port in DATABASE_URL"
            )
        if isinstance(error, OSError):
            reason = error.strerror or _first_line(error)
            return (
                f"cannot connect to PostgreSQL at {server} ({reason}); start the server, "
                "or correct the host and port in DATABASE_URL"
            )
    return None


# PostgreSQL connections a process keeps open, and never more: SQLAlchemy's default (5, plus 10
# "overflow" connections closed as soon as they are given back) opened and closed connections
# all through a burst, each costing a login, its type codecs and its own prepared statements.
# The event loop is the bottleneck, not the database: more connections would only wait.
POSTGRES_POOL_SIZE = 10
# SQLite readers a process keeps open, and never more, for the same reason: each new connection
# is a thread of its own and four PRAGMA trips, and the default pool (5 plus 10 overflow) opened
# and closed them all through a burst. Writers have a connection of their own (Database).
SQLITE_READERS = 8


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` with the SQLite discipline described above."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_size", POSTGRES_POOL_SIZE)
        kwargs.setdefault("max_overflow", 0)
        engine = create_async_engine(url, **kwargs)
        _install_postgres_ping(engine)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
    if parsed.database and parsed.database != ":memory:":
        # One trip to the connection's thread per statement (bot/db_sqlite.py).
        kwargs.setdefault("async_creator", one_trip_connector(parsed.database, timeout=timeout))
        if "poolclass" not in kwargs:
            kwargs.setdefault("pool_size", SQLITE_READERS)
            kwargs.setdefault("max_overflow", 0)
    engine = create_async_engine(url, connect_args={"timeout": timeout}, **kwargs)
    _install_sqlite_hooks(engine)
    return engine


def _install_postgres_ping(engine: AsyncEngine) -> None:
    """Test a pooled connection before lending it out (the server may have been restarted, or
    the connection closed, since it was last used): a dropped one is replaced, so the command
    that comes next never meets it. SQLAlchemy's own ``pool_pre_ping`` does the same in three
    round trips on asyncpg (BEGIN, the ping, ROLLBACK); this takes one."""
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(_dbapi_connection: Any, record: Any) -> None:
        record.info[_FRESH] = True  # just opened: nothing to test

    @event.listens_for(sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.pop(_FRESH, False):
            return
        try:
            await_only(dbapi_connection.driver_connection.fetchrow(";"))
        except Exception as exc:
            # The pool discards this connection and lends a new one.
            raise DisconnectionError(f"pooled connection lost: {exc}") from exc


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"
        driver = connection.connection.driver_connection
        if isinstance(driver, OneTripConnection):
            driver.begin_with_next_statement(begin)
        else:
            connection.exec_driver_sql(begin)


class Database:
    """The engine plus two session factories: writing (default) and read-only."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self._serial_writes = self.engine.dialect.name == "sqlite"
        self._writers: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        # SQLite has one writer at a time, and this process's writers take turns (transaction):
        # they share one connection of their own, so the writer whose turn it is never waits for
        # a pooled connection behind the readers of a burst while every other writer waits on it.
        self._write_engine = self.engine
        database = make_url(url).database
        if self._serial_writes and database and database != ":memory:":
            one = {} if "poolclass" in engine_kwargs else {"pool_size": 1, "max_overflow": 0}
            self._write_engine = create_engine(url, **{**engine_kwargs, **one})
        self.sessions = async_sessionmaker(self._write_engine, expire_on_commit=False)
        self._reader = async_sessionmaker(
            self.engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        """Every engine of this database: ``engine`` and, on an SQLite file, the writers' own
        (event listeners that must see every statement listen on each)."""
        if self._write_engine is self.engine:
            return (self.engine,)
        return (self.engine, self._write_engine)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A writing transaction: committed on success, rolled back on any error.

        On SQLite, which has one writer at a time, this process's writers take turns on an
        asyncio lock before ``BEGIN IMMEDIATE``: the next one starts the moment the previous
        one commits, in the order they came, without holding a pooled connection while it
        waits. (SQLite's busy timeout still covers writers of other processes; its retries
        sleep up to 100 ms between attempts, which a burst of writers in one process would
        otherwise spend idle.)"""
        if not self._serial_writes:
            async with self.sessions.begin() as session:
                yield session
            return
        async with self._writer_lock(), self.sessions.begin() as session:
            yield session

    def _writer_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._writers is None or self._writers[0] is not loop:
            self._writers = (loop, asyncio.Lock())
        return self._writers[1]

    async def write(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in a writing transaction, again from the start if the database aborted
        it to break a deadlock or a serialization conflict (PostgreSQL picks a victim when two
        transactions wait on each other). ``work`` must only touch the database."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                async with self.transaction() as session:
                    return await work(session)
            except DBAPIError as exc:
                if attempt == WRITE_ATTEMPTS or not is_retryable(exc):
                    raise
                log.info("transaction aborted by the database (%s); retrying", sqlstate(exc))
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only transaction (rolled back at the end)."""
        async with self._reader() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._write_engine is not self.engine:
            await self._write_engine.dispose()
