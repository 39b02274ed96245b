"""Migrations: an empty database upgrades to head, there is one head, and the models match."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.db import Database
from bot.migrate import alembic_config, upgrade
from bot.models import Base
from tests.conftest import database_url

pytestmark = pytest.mark.database


async def empty_database(tmp_path: Path) -> Database:
    db = Database(database_url(tmp_path))
    if db.backend == "postgresql":
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    return db


def test_there_is_exactly_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


async def test_upgrade_empty_database_to_head_matches_models(tmp_path: Path) -> None:
    db = await empty_database(tmp_path)
    try:
        await upgrade(db.url)
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
                )
            )
        assert set(Base.metadata.tables) <= tables
        assert diff == []
    finally:
        await db.dispose()


async def test_upgrade_is_idempotent(tmp_path: Path) -> None:
    db = await empty_database(tmp_path)
    try:
        await upgrade(db.url)
        await upgrade(db.url)
        async with db.engine.connect() as conn:
            version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        assert version == ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
    finally:
        await db.dispose()
