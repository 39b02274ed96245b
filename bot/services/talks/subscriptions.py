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


async def subscribers(session: AsyncSession) -> list[int]:
    return list(
        await session.scalars(select(TalkSubscriber.user_id).order_by(TalkSubscriber.since))
    )


async def set_dm_channel(session: AsyncSession, user_id: int, channel_id: int) -> None:
    """Remember the DM channel of a subscriber (opened once, when they subscribed)."""
    row = await session.get(TalkSubscriber, user_id)
    if row is not None:
        row.dm_channel_id = channel_id


async def dm_channels(session: AsyncSession) -> dict[int, int | None]:
    """Every subscriber and their DM channel, when known, in the order they subscribed."""
    rows = await session.execute(
        select(TalkSubscriber.user_id, TalkSubscriber.dm_channel_id).order_by(
            TalkSubscriber.since, TalkSubscriber.user_id
        )
    )
    return {user_id: channel_id for user_id, channel_id in rows}
