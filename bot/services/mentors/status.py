"""The mentoring field of `admin status`: the queue and the bookings to come."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Message
from bot.models import MentorBooking, MentorRequest
from bot.models.mentors import BOOKED, CLAIMED, OPEN
from bot.services.status import StatusSection
from bot.settings import Config


async def status_section(session: AsyncSession, config: Config) -> StatusSection | None:
    async def count(model: type[Any], condition: ColumnElement[bool]) -> int:
        found = await session.scalar(select(func.count()).select_from(model).where(condition))
        return int(found or 0)

    waiting = await count(MentorRequest, MentorRequest.status == OPEN)
    claimed = await count(MentorRequest, MentorRequest.status == CLAIMED)
    booked = await count(MentorBooking, MentorBooking.status == BOOKED)
    return StatusSection(
        title=Message("mentors.status.title"),
        lines=[
            Message("mentors.status.queue", count=waiting),
            Message("mentors.status.claimed", count=claimed),
            Message("mentors.status.bookings", count=booked),
        ],
    )
