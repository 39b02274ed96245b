"""Shared fixtures. The database is a real SQLite file, or the PostgreSQL server named by
TEST_DATABASE_URL (``make test`` runs the suite once on each).

The schema is migrated once per session, not once per test: on SQLite into a template file that
every test copies; on PostgreSQL into the worker's own database, whose tables are emptied before
each test (TRUNCATE ... RESTART IDENTITY). tests/test_migrations.py proves that the migrations
build exactly the models' schema.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot import event_loop
from bot.clock import ManualClock
from bot.db import Database
from bot.migrate import upgrade
from bot.models import Base
from bot.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.toml"
# Set by pytest-xdist in each worker process ("gw0", "gw1", ...).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


@pytest.fixture(scope="session")
def event_loop_policy() -> asyncio.AbstractEventLoopPolicy:
    """The tests run on the event loop `hackbot run` runs on (uvloop where installed)."""
    return event_loop.policy()


def server_url() -> str | None:
    """The PostgreSQL database of this test process, or None on SQLite. Under pytest-xdist each
    worker gets its own database on the server of TEST_DATABASE_URL (``<name>_gw0``, ...)."""
    url = os.environ.get("TEST_DATABASE_URL") or None
    if url is None or not WORKER:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


def database_url(tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or this process's PostgreSQL database."""
    return server_url() or f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


async def _create_database(url: str) -> None:
    """CREATE DATABASE for ``url`` on its server unless it exists (xdist workers' databases)."""
    target = make_url(url)
    admin = Database(
        make_url(os.environ["TEST_DATABASE_URL"]).render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with admin.engine.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        await admin.dispose()


async def _migrate_postgres(url: str) -> None:
    """Drop everything in ``url``'s public schema and migrate it to head."""
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(url)
        async with db.engine.connect() as conn:
            seeded = [
                name
                for name in Base.metadata.tables
                if await conn.scalar(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")'))
            ]
    finally:
        await db.dispose()
    # Emptying the tables between tests is only the same as migrating anew while the
    # migrations create no rows.
    assert not seeded, f"the migrations now write rows into {seeded}: see tests/conftest.py"


async def _empty_postgres(db: Database) -> bool:
    """Empty every table but the migrations' version; False when the schema is not the
    migrated one (tests/test_migrations.py drops it), which then needs migrating again."""
    async with db.engine.begin() as conn:
        rows = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname='public'"))
        tables = {row[0] for row in rows}
        if "alembic_version" not in tables or not set(Base.metadata.tables) <= tables:
            return False
        names = ", ".join(f'"{name}"' for name in sorted(tables - {"alembic_version"}))
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return True


@pytest.fixture(scope="session")
def migrated_template(
    tmp_path_factory: pytest.TempPathFactory, _worker_database: None
) -> Path | str:
    """Migrate once per session: a SQLite file each test copies, or (TEST_DATABASE_URL) this
    process's PostgreSQL database, migrated from an empty schema."""
    url = server_url()
    if url is not None:
        asyncio.run(_migrate_postgres(url))
        return url
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    # Fold the write-ahead log into the file so that copying the file alone copies everything.
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return path


def _copy_template(template: Path, path: Path) -> str:
    if not path.exists():
        shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


async def fresh_database(template: Path | str, path: Path) -> str:
    """The URL of a migrated database holding no rows: a copy of the SQLite template at
    ``path`` (kept when it exists already: one test's sandboxes share it), or this process's
    PostgreSQL database with every table emptied."""
    if isinstance(template, Path):
        return _copy_template(template, path)
    db = Database(template)
    try:
        emptied = await _empty_postgres(db)
    finally:
        await db.dispose()
    if not emptied:
        await _migrate_postgres(template)
    return template


@pytest.fixture(scope="session", autouse=True)
def _worker_database() -> None:
    """Under pytest-xdist on PostgreSQL, this worker's database exists before any test runs
    (tests/test_migrations.py uses it without the fixtures)."""
    url = server_url()
    if url is not None and WORKER:
        asyncio.run(_create_database(url))


_generate_rsa_key = rsa.generate_private_key


@functools.cache
def _session_rsa_key(public_exponent: int, key_size: int) -> Any:
    return _generate_rsa_key(public_exponent=public_exponent, key_size=key_size)


@pytest.fixture
def one_rsa_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sandbox writes a fresh service-account key for its local Calendar, and a 2048-bit
    RSA key takes 0.1-0.3 s to generate: within this fixture one key per size is generated per
    session and handed out again (the Calendar still verifies every signed grant with it)."""

    def generate(public_exponent: int, key_size: int, backend: Any = None) -> Any:
        return _session_rsa_key(public_exponent, key_size)

    monkeypatch.setattr(rsa, "generate_private_key", generate)


@pytest.fixture
def settings() -> Settings:
    return load_settings(CONFIG, env={})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2024, 3, 20, 10, 0, tzinfo=UTC))


@pytest.fixture
async def db(tmp_path: Path, migrated_template: Path | str) -> AsyncIterator[Database]:
    database = Database(await fresh_database(migrated_template, tmp_path / "test.db"))
    try:
        yield database
    finally:
        await database.dispose()


DATABASE_FIXTURES = {"db", "sandbox", "make_sandbox"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that never touch the configured database run only in the SQLite pass of
    `make test`; the PostgreSQL pass reruns everything that does."""
    for item in items:
        uses_db = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        if not uses_db and item.get_closest_marker("database") is None:
            item.add_marker(pytest.mark.sqlite_only)
