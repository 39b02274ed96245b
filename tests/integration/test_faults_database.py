"""Database faults while the bot runs: SQLite locked by another writer for longer than the busy
timeout, and PostgreSQL connections dropped (what a server restart does to the bot) between
commands and in the middle of one. The member reads a plain message, nothing is half-written,
and the next command works without restarting the bot."""

from __future__ import annotations

import asyncio
import re
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

import bot.db
from bot.db import Database, is_unavailable, sqlite_file
from jobs.announcements_send import JOB_ID as ANNOUNCE_JOB
from sandbox.harness import Sandbox
from tests.integration.announcements_support import compose, confirm_label, posts, rows
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import assert_reply
from tests.integration.teams_support import ok, team_state

# The bot's busy timeout is 15 s; a lock held longer than that is what this fault is. The tests
# shorten the timeout (the bot reads it when it opens its engine) instead of waiting 15 s.
BUSY_TIMEOUT_MS = 1000
UNAVAILABLE = "core.errors.database_unavailable"


def warnings_only(sandbox: Sandbox) -> None:
    """No error-level log: a busy or restarted database is not a bug in the bot."""
    assert sandbox.errors.take() == []


@contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Another process's writer holding SQLite's write lock (``BEGIN IMMEDIATE``)."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


async def busy_sandbox(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setattr(bot.db, "SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)
    sandbox = await make_sandbox(
        members={"ana": ("participant",), "bea": ("participant",), "dani": ("participant",)}
    )
    assert sandbox.bot is not None
    if sandbox.bot.db.backend != "sqlite":
        pytest.skip("SQLite's write lock")
    return sandbox


async def test_sqlite_locked_past_the_busy_timeout_refuses_plainly_and_writes_nothing(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = await busy_sandbox(make_sandbox, monkeypatch)
    path = sqlite_file(sandbox.db_url)
    assert path is not None
    with write_lock(path):
        created = await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True})
        profile = await sandbox.run("bea", "profile", {"country": "ES"})
        # Reading needs no write lock in WAL mode: members can still look things up.
        listed = ok(await sandbox.run("dani", "team list"))
    for outcome in (created, profile):
        assert not [e for e in outcome.errors if e["type"] == "interaction_failed"]
        assert_reply(outcome, UNAVAILABLE)
        # Nothing left behind: the team's thread and forum post, made before the write,
        # are deleted again when the write fails.
        made = [e for e in outcome.effects if e["type"] in ("thread_created", "forum_post_created")]
        deleted = [e for e in outcome.effects if e["type"] == "channel_deleted"]
        assert len(deleted) == len(made), outcome.effects
        assert not [e for e in outcome.effects if e["type"] in ("message", "role_added")]
    assert listed.replies
    warnings_only(sandbox)
    assert await team_state(sandbox) == []
    # The lock released, the same command works at once (no restart, nothing stuck).
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
    [team] = await team_state(sandbox)
    assert team["members"] == ["ana", "bea"]


async def test_a_lock_shorter_than_the_busy_timeout_is_waited_out(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that keeps the lock for less than the busy timeout only delays the command."""
    monkeypatch.setattr(bot.db, "SQLITE_BUSY_TIMEOUT_MS", 30_000)
    sandbox = await make_sandbox(members={"ana": ("participant",)})
    assert sandbox.bot is not None
    if sandbox.bot.db.backend != "sqlite":
        pytest.skip("SQLite's write lock")
    path = sqlite_file(sandbox.db_url)
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    command = asyncio.create_task(
        sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True})
    )
    # The command is deferred and waits on the lock; then the other writer ends.
    await asyncio.sleep(0.5)
    assert not command.done()
    holder.execute("ROLLBACK")
    holder.close()
    ok(await command)
    [team] = await team_state(sandbox)
    assert team["members"] == ["ana"]


# -- PostgreSQL: connections dropped -----------------------------------------------------------


async def pg_sandbox(make_sandbox: MakeSandbox) -> tuple[Sandbox, str]:
    sandbox = await make_sandbox(
        members={"ana": ("participant",), "bea": ("participant",), "dani": ("participant",)}
    )
    assert sandbox.bot is not None
    if sandbox.bot.db.backend != "postgresql":
        pytest.skip("PostgreSQL connections")
    url = make_url(sandbox.db_url).set(drivername="postgresql")
    return sandbox, url.render_as_string(hide_password=False)


async def terminate_bot_connections(admin: asyncpg.Connection) -> int:
    """What a server restart does to the bot: every connection of its database is closed."""
    return int(
        await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    )


async def test_postgres_connections_dropped_between_commands_are_replaced(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox, dsn = await pg_sandbox(make_sandbox)
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    admin = await asyncpg.connect(dsn)
    try:
        assert await terminate_bot_connections(admin) >= 1
    finally:
        await admin.close()
    # The pool notices the dead connections before using them: the next command just works.
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
    ok(await sandbox.run("dani", "team info", {"team": "Los Tigres"}))
    [team] = await team_state(sandbox)
    assert team["members"] == ["ana", "bea"]


async def test_postgres_connection_lost_mid_command_fails_plainly_then_works(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox, dsn = await pg_sandbox(make_sandbox)
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    locker = await asyncpg.connect(dsn)
    admin = await asyncpg.connect(dsn)
    try:
        # Another session holds the teams table, so the bot's command waits inside the database.
        tx = locker.transaction()
        await tx.start()
        await locker.execute("LOCK TABLE teams IN ACCESS EXCLUSIVE MODE")
        command = asyncio.create_task(sandbox.run("bea", "team join", {"team": "Los Tigres"}))
        waiting: list[int] = []
        for _ in range(1000):
            waiting = [
                row["pid"]
                for row in await admin.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> $1",
                    locker.get_server_pid(),
                )
            ]
            if waiting:
                break
            await asyncio.sleep(0.01)
        assert waiting, "the command never reached the database"
        # The server drops the bot's connection in the middle of its command.
        for pid in waiting:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
        outcome = await command
        await tx.rollback()
    finally:
        await locker.close()
        await admin.close()
    assert not [e for e in outcome.errors if e["type"] == "interaction_failed"]
    assert_reply(outcome, UNAVAILABLE)
    warnings_only(sandbox)
    [team] = await team_state(sandbox)
    assert team["members"] == ["ana"]
    # Sent again, the same command works.
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
    [team] = await team_state(sandbox)
    assert team["members"] == ["ana", "bea"]


async def test_a_job_that_meets_a_locked_database_runs_again_and_sends_once(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduled announcement due while another writer holds SQLite's lock: the job's run
    fails and is recorded as such; the next run posts it, once."""
    monkeypatch.setattr(bot.db, "SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)
    sandbox = await make_sandbox(members={"olga": ("organizer",), "ana": ("participant",)})
    assert sandbox.bot is not None
    if sandbox.bot.db.backend != "sqlite":
        pytest.skip("SQLite's write lock")
    await compose(sandbox, "olga", {"when": "2024-03-20 12:00", "timezone": "UTC"})
    ok(await sandbox.click("olga", label=confirm_label()))
    path = sqlite_file(sandbox.db_url)
    assert path is not None
    with write_lock(path):
        locked = await sandbox.advance_until(datetime(2024, 3, 20, 12, 0, tzinfo=UTC))
    assert posts(locked, "anuncios") == []
    # Every job that needed to write failed on the lock, and said so (with an error id).
    messages = [str(e["message"]) for e in locked.errors]
    assert all(re.match(r"(job \w+ failed|could not record the run of job)", m) for m in messages)
    assert any(m.startswith(f"job {ANNOUNCE_JOB} failed") for m in messages)
    [row] = await rows(sandbox)
    assert row.status == "scheduled"
    later = ok(await sandbox.advance(timedelta(minutes=5)))
    assert len(posts(later, "anuncios")) == 1
    [row] = await rows(sandbox)
    assert row.status == "sent"
    assert posts(ok(await sandbox.advance(timedelta(days=1))), "anuncios") == []


def closed_port() -> int:
    """A local port nothing listens on (as a stopped or restarting PostgreSQL server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_stopped_postgresql_server_counts_as_unavailable_and_nothing_else_does() -> None:
    """asyncpg lets a refused connection out as a bare ConnectionRefusedError (SQLAlchemy does
    not wrap it): it still reads as the database being unavailable, so the member gets the
    plain answer; the same error from an HTTP client (Discord, the Hub) does not."""
    port = closed_port()
    db = Database(f"postgresql+asyncpg://hackbot@127.0.0.1:{port}/hackbot")
    try:
        with pytest.raises(OSError) as refused:
            async with db.read() as session:
                await session.execute(text("SELECT 1"))
    finally:
        await db.dispose()
    assert is_unavailable(refused.value)
    async with aiohttp.ClientSession() as http:
        with pytest.raises(OSError) as other:
            await http.get(f"http://127.0.0.1:{port}/")
    assert not is_unavailable(other.value)


async def test_postgres_connections_dropped_before_a_job_runs_lose_nothing(
    make_sandbox: MakeSandbox,
) -> None:
    """A restart of the server between scheduling an announcement and its time: the job gets
    fresh connections and posts it once."""
    sandbox = await make_sandbox(members={"olga": ("organizer",), "ana": ("participant",)})
    assert sandbox.bot is not None
    if sandbox.bot.db.backend != "postgresql":
        pytest.skip("PostgreSQL connections")
    dsn = make_url(sandbox.db_url).set(drivername="postgresql").render_as_string(False)
    await compose(sandbox, "olga", {"when": "2024-03-20 12:00", "timezone": "UTC"})
    ok(await sandbox.click("olga", label=confirm_label()))
    admin = await asyncpg.connect(dsn)
    try:
        assert await terminate_bot_connections(admin) >= 1
    finally:
        await admin.close()
    due = ok(await sandbox.advance_until(datetime(2024, 3, 20, 12, 1, tzinfo=UTC)))
    assert len(posts(due, "anuncios")) == 1
    assert posts(ok(await sandbox.advance(timedelta(days=1))), "anuncios") == []
    [row] = await rows(sandbox)
    assert row.status == "sent"
