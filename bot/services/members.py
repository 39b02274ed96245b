"""What the bot remembers about members: the language their Discord client uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import MemberLocale


def _upsert(dialect_name: str) -> Any:
    """INSERT a member's language, or UPDATE it when it changed (built once per dialect: the
    statement and its compiled form are reused by every batch)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    insert = dialect.insert(MemberLocale)
    return insert.on_conflict_do_update(
        index_elements=[MemberLocale.user_id],
        set_={"locale": insert.excluded.locale, "updated_at": insert.excluded.updated_at},
        where=MemberLocale.locale != insert.excluded.locale,
    )


_UPSERTS = {name: _upsert(name) for name in ("sqlite", "postgresql")}


async def remember_locales(
    session: AsyncSession, locales: Mapping[int, str], now: datetime
) -> None:
    """Store many members' languages in one statement run for each row: new rows are
    inserted, changed ones updated, unchanged ones left as they are."""
    if not locales:
        return
    statement = _UPSERTS[session.get_bind().dialect.name]
    await session.execute(
        statement,
        [{"user_id": u, "locale": loc, "updated_at": now} for u, loc in locales.items()],
    )


async def all_locales(session: AsyncSession) -> dict[int, str]:
    """Every remembered language, to know at start-up whom there is nothing to write for."""
    rows = await session.execute(select(MemberLocale.user_id, MemberLocale.locale))
    return {user_id: locale for user_id, locale in rows}


async def locales_of(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    rows = await session.scalars(select(MemberLocale).where(MemberLocale.user_id.in_(ids)))
    return {row.user_id: row.locale for row in rows}
