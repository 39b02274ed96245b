"""Who asked for talk reminders by DM (and holds the talk-alerts role)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import TalkSubscriber


async def subscribe(session: AsyncSession, user_id: int, now: datetime) -> bool:
    """Subscribe ``user_id``; False when they already were."""
    if await session.get(TalkSubscriber, user_id) is not None:
        return False
    session.add(TalkSubscriber(user_id=user_id, since=now))
    await session.flush()
    return True


async def unsubscribe(session: AsyncSession, user_id: int) -> bool:
    """Unsubscribe ``user_id``; False when they were not subscribed."""
    result = await session.execute(delete(TalkSubscriber).where(TalkSubscriber.user_id == user_id))
    return bool(getattr(result, "rowcount", 0))


async def is_subscribed(session: AsyncSession, user_id: int) -> bool:
    return await session.get(TalkSubscriber, user_id) is not None


async def subscribers(session: AsyncSession) -> list[int]:
    return list(
        await session.scalars(select(TalkSubscriber.user_id).order_by(TalkSubscriber.since))
    )
