"""Shared fixtures. The database is a real SQLite file, or the PostgreSQL server named by
TEST_DATABASE_URL (``make test`` runs the suite once on each)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.clock import ManualClock
from bot.db import Database
from bot.models import Base
from bot.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.toml"


def database_url(tmp_path: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


async def reset_schema(db: Database) -> None:
    """Drop everything (PostgreSQL keeps state between tests) and create the schema."""
    async with db.engine.begin() as conn:
        if db.backend == "postgresql":
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await conn.run_sync(Base.metadata.create_all)


@pytest.fixture
def settings() -> Settings:
    return load_settings(CONFIG, env={})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2024, 3, 20, 10, 0, tzinfo=UTC))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(database_url(tmp_path))
    await reset_schema(database)
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
