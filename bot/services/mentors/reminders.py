"""Reminders before booked sessions: due ones are claimed before they are sent, so a restart
never sends one twice; a cancelled booking has none.

A reminder is three messages (the team's thread, the mentor's DM, the member's DM). Its row is
written with a claim before the first, and each message is recorded once Discord has it. A claim
with no progress for ``mentors.reminder_takeover`` (its process died) is taken over by the next
run, which delivers the rest if the session has not started: nothing is lost, and only the
message in flight at the crash can go out twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import MentorBooking, MentorReminder
from bot.models.mentors import BOOKED
from bot.services.mentors.common import booking_view
from bot.services.mentors.views import MentorRules, Reminder

# Messages of one reminder: the thread's, the mentor's DM, the member's DM.
STEPS = 3


async def _pending(
    session: AsyncSession, rules: MentorRules, now: datetime
) -> list[tuple[MentorBooking, set[int], list[MentorReminder]]]:
    """Live bookings still to come, with the offsets (seconds) already recorded and the
    reminders being delivered."""
    bookings = list(
        await session.scalars(
            select(MentorBooking)
            .where(MentorBooking.status == BOOKED, MentorBooking.starts_at > now)
            .order_by(MentorBooking.starts_at, MentorBooking.id)
        )
    )
    if not bookings:
        return []
    rows = await session.scalars(
        select(MentorReminder).where(MentorReminder.booking_id.in_([b.id for b in bookings]))
    )
    done: dict[int, set[int]] = {}
    claimed: dict[int, list[MentorReminder]] = {}
    for row in rows:
        done.setdefault(row.booking_id, set()).add(row.offset_seconds)
        if row.claim is not None:
            claimed.setdefault(row.booking_id, []).append(row)
    return [(b, done.get(b.id, set()), claimed.get(b.id, [])) for b in bookings]


async def take_due(session: AsyncSession, rules: MentorRules, *, now: datetime) -> list[Reminder]:
    """The reminders due at ``now``, claimed; and those a dead process left without progress
    for ``rules.reminder_takeover``, taken over. When several offsets of one booking are due at
    once (the bot was down), only the nearest is sent; the others are recorded skipped."""
    due: list[Reminder] = []
    for booking, done, in_flight in await _pending(session, rules, now):
        offsets = [
            o
            for o in rules.reminders
            if int(o.total_seconds()) not in done and booking.starts_at - o <= now
        ]
        for row in in_flight:
            if row.claimed_at is not None and row.claimed_at > now - rules.reminder_takeover:
                continue  # its process may still be delivering it
            # Taken over by a conditional update on the dead claim (two takers cannot both
            # win); given up when a nearer reminder of the booking is due now.
            claim = None if offsets else uuid4().hex
            taken = await session.execute(
                update(MentorReminder)
                .where(MentorReminder.id == row.id, MentorReminder.claim == row.claim)
                .values(claim=claim, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            if claim is not None and getattr(taken, "rowcount", 0) == 1:
                view = await booking_view(session, booking)
                offset = timedelta(seconds=row.offset_seconds)
                due.append(Reminder(view, offset, row.id, claim, row.step))
        if not offsets:
            continue
        nearest = min(offsets)
        claim = uuid4().hex
        sending: MentorReminder | None = None
        for offset in offsets:
            row = MentorReminder(
                booking_id=booking.id, offset_seconds=int(offset.total_seconds()), sent_at=now
            )
            if offset == nearest:
                row.claim, row.claimed_at, row.step = claim, now, 0
                sending = row
            session.add(row)
        await session.flush()
        assert sending is not None
        view = await booking_view(session, booking)
        due.append(Reminder(view, nearest, sending.id, claim, 0))
    await session.flush()
    return due


async def record_step(session: AsyncSession, reminder: Reminder, step: int, now: datetime) -> bool:
    """Record that the reminder's first ``step`` messages went out (all of them: the claim is
    released). False when another process took the claim over: the caller stops."""
    values: dict[str, object] = {"step": step, "claimed_at": now}
    if step >= STEPS:
        values["claim"] = None
    result = await session.execute(
        update(MentorReminder)
        .where(MentorReminder.id == reminder.reminder_id, MentorReminder.claim == reminder.claim)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def next_due(session: AsyncSession, rules: MentorRules, now: datetime) -> datetime | None:
    times: list[datetime] = []
    for booking, done, in_flight in await _pending(session, rules, now):
        times += [
            booking.starts_at - offset
            for offset in rules.reminders
            if int(offset.total_seconds()) not in done
        ]
        times += [
            row.claimed_at + rules.reminder_takeover
            for row in in_flight
            if row.claimed_at is not None
        ]
    return min(times) if times else None


async def count_waiting(session: AsyncSession, rules: MentorRules, now: datetime) -> int:
    return sum(
        sum(1 for o in rules.reminders if int(o.total_seconds()) not in done) + len(in_flight)
        for _, done, in_flight in await _pending(session, rules, now)
    )
