"""What the bot remembers about members: the language their Discord client uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import MemberLocale


async def remember_locales(
    session: AsyncSession, locales: Mapping[int, str], now: datetime
) -> None:
    """Store many members' languages in one transaction (only rows that changed are written)."""
    if not locales:
        return
    rows = await session.scalars(
        select(MemberLocale).where(MemberLocale.user_id.in_(list(locales)))
    )
    known = {row.user_id: row for row in rows}
    for user_id, locale in locales.items():
        row = known.get(user_id)
        if row is None:
            session.add(MemberLocale(user_id=user_id, locale=locale, updated_at=now))
        elif row.locale != locale:
            row.locale, row.updated_at = locale, now


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
