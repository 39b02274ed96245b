"""Reminders before booked sessions: due ones are recorded before they are sent, so a restart
never sends one twice; a cancelled booking has none."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import MentorBooking, MentorReminder
from bot.models.mentors import BOOKED
from bot.services.mentors.common import booking_view
from bot.services.mentors.views import MentorRules, Reminder


async def _pending(
    session: AsyncSession, rules: MentorRules, now: datetime
) -> list[tuple[MentorBooking, set[int]]]:
    """Live bookings still to come, with the offsets (seconds) already recorded."""
    bookings = list(
        await session.scalars(
            select(MentorBooking)
            .where(MentorBooking.status == BOOKED, MentorBooking.starts_at > now)
            .order_by(MentorBooking.starts_at, MentorBooking.id)
        )
    )
    if not bookings:
        return []
    sent = await session.execute(
        select(MentorReminder.booking_id, MentorReminder.offset_seconds).where(
            MentorReminder.booking_id.in_([b.id for b in bookings])
        )
    )
    done: dict[int, set[int]] = {}
    for booking_id, offset in sent:
        done.setdefault(booking_id, set()).add(offset)
    return [(b, done.get(b.id, set())) for b in bookings]


async def take_due(session: AsyncSession, rules: MentorRules, *, now: datetime) -> list[Reminder]:
    """The reminders due at ``now``, recorded as sent. When several offsets of one booking are
    due at once (the bot was down), only the nearest is sent; the others are recorded skipped."""
    due: list[Reminder] = []
    for booking, done in await _pending(session, rules, now):
        offsets = [
            o
            for o in rules.reminders
            if int(o.total_seconds()) not in done and booking.starts_at - o <= now
        ]
        if not offsets:
            continue
        for offset in offsets:
            session.add(
                MentorReminder(
                    booking_id=booking.id, offset_seconds=int(offset.total_seconds()), sent_at=now
                )
            )
        due.append(Reminder(booking=await booking_view(session, booking), offset=min(offsets)))
    await session.flush()
    return due


async def next_due(session: AsyncSession, rules: MentorRules, now: datetime) -> datetime | None:
    times = [
        booking.starts_at - offset
        for booking, done in await _pending(session, rules, now)
        for offset in rules.reminders
        if int(offset.total_seconds()) not in done
    ]
    return min(times) if times else None


async def count_waiting(session: AsyncSession, rules: MentorRules, now: datetime) -> int:
    return sum(
        1
        for booking, done in await _pending(session, rules, now)
        for offset in rules.reminders
        if int(offset.total_seconds()) not in done
    )
