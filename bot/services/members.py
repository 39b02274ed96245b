"""What the bot remembers about members: the language their Discord client uses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import MemberLocale


async def remember_locale(session: AsyncSession, user_id: int, locale: str, now: datetime) -> None:
    row = await session.get(MemberLocale, user_id)
    if row is None:
        session.add(MemberLocale(user_id=user_id, locale=locale, updated_at=now))
    elif row.locale != locale:
        row.locale, row.updated_at = locale, now


async def locales_of(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    rows = await session.scalars(select(MemberLocale).where(MemberLocale.user_id.in_(ids)))
    return {row.user_id: row.locale for row in rows}
