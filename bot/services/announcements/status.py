"""The announcements field of `admin status`: what is scheduled, being sent, sent, undelivered."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Message
from bot.models.announcements import CONFIRMED, SCHEDULED, SENDING, SENT, Announcement
from bot.services.status import StatusSection
from bot.settings import Config


async def status_section(session: AsyncSession, config: Config) -> StatusSection | None:
    rows = await session.execute(
        select(
            Announcement.status,
            func.count(),
            func.coalesce(func.sum(Announcement.closed + Announcement.failed), 0),
        )
        .where(Announcement.status.in_(CONFIRMED))
        .group_by(Announcement.status)
    )
    counts: dict[str, int] = {}
    undelivered = 0
    for status, count, failed in rows:
        counts[status] = int(count)
        undelivered += int(failed)
    if not counts:
        return None
    lines = [
        Message(f"announcements.status_section.{status}", count=counts[status])
        for status in (SCHEDULED, SENDING, SENT)
        if counts.get(status)
    ]
    if undelivered:
        lines.append(Message("announcements.status_section.undelivered", count=undelivered))
    return StatusSection(title=Message("announcements.status_section.title"), lines=lines)
