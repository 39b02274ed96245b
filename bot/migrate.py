"""Schema migrations (Alembic), applied by `hackbot db upgrade` and before the bot starts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).parent


class MigrationError(Exception):
    """The database's schema cannot be brought to this version; the message is one line
    saying why and what to do."""


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_sync(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` (blocking: call from a worker thread in async code)."""
    try:
        command.upgrade(alembic_config(url), revision)
    except CommandError as exc:
        # The usual cause: the database was migrated by a newer hackbot than this one.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "unknown revision"
        raise MigrationError(
            f"the database's schema is not one this version of hackbot knows ({reason}); "
            "run the hackbot version that last migrated it, or restore a backup"
        ) from None


async def upgrade(url: str, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade_sync, url, revision)
