"""Slots mentors offer and the bookings teams make.

A slot goes to one team at most, under any concurrency: the booking takes the slot with a
conditional update (``team_id IS NULL``) in the same transaction as the booking row, which a
partial unique index also keeps to one live booking per slot.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Select, bindparam, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.models import MentorBooking, MentorProfile, MentorSlot, Team, TeamMember
from bot.models.mentors import BOOKED, CANCELLED
from bot.services import audit
from bot.services.limits import LimitReached
from bot.services.mentors.common import booking_view, require_team, team_id_of, team_of
from bot.services.mentors.profiles import check_topic, require_profile
from bot.services.mentors.times import parse_length, parse_local, weekly, zone
from bot.services.mentors.views import BookingView, CancelResult, MentorRules, SlotView


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def slot_view(row: MentorSlot, team_name: str | None = None) -> SlotView:
    return SlotView(
        id=row.id,
        mentor_id=row.mentor_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        team_id=row.team_id,
        team_name=team_name,
    )


async def add_slots(
    session: AsyncSession,
    rules: MentorRules,
    *,
    mentor_id: int,
    start: str,
    duration: str | None,
    repeat_weeks: int,
    now: datetime,
) -> list[SlotView]:
    """Offer a slot (and the same local time in the next ``repeat_weeks`` weeks). Nothing is
    written when any of them is refused."""
    profile = await require_profile(session, mentor_id)
    tz = zone(profile.timezone)
    first = parse_local(start, tz)
    length = parse_length(duration, rules.session_length, rules.max_session_length)
    if not 0 <= repeat_weeks <= rules.max_repeat_weeks:
        raise InvalidInput("mentors.errors.bad_repeat", count=rules.max_repeat_weeks)
    if first <= now:
        raise InvalidInput("mentors.errors.start_past", start=start.strip()[:40])
    starts = weekly(first, repeat_weeks, tz)
    for begin in starts:
        end = begin + length
        clash = await session.scalar(
            select(MentorSlot)
            .where(
                MentorSlot.mentor_id == mentor_id,
                MentorSlot.removed_at.is_(None),
                MentorSlot.starts_at < end,
                MentorSlot.ends_at > begin,
            )
            .limit(1)
        )
        if clash is not None:
            raise Conflict(
                "mentors.errors.overlap",
                start=_local_text(clash.starts_at, tz),
                end=_local_text(clash.ends_at, tz),
            )
    rows = [
        MentorSlot(mentor_id=mentor_id, starts_at=begin, ends_at=begin + length, created_at=now)
        for begin in starts
    ]
    session.add_all(rows)
    await session.flush()
    return [slot_view(row) for row in rows]


def _local_text(when: datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


async def mentor_slots(session: AsyncSession, mentor_id: int, now: datetime) -> list[SlotView]:
    """A mentor's slots that have not ended, booked or not."""
    rows = await session.execute(
        select(MentorSlot, Team.name)
        .outerjoin(Team, Team.id == MentorSlot.team_id)
        .where(
            MentorSlot.mentor_id == mentor_id,
            MentorSlot.removed_at.is_(None),
            MentorSlot.ends_at > now,
        )
        .order_by(MentorSlot.starts_at)
    )
    return [slot_view(slot, name) for slot, name in rows]


async def remove_slot(
    session: AsyncSession, *, mentor_id: int, slot_id: int, now: datetime
) -> tuple[SlotView, CancelResult | None]:
    """Withdraw one of the mentor's slots; a booking on it is cancelled (the team is told)."""
    slot = await session.get(MentorSlot, slot_id)
    if slot is None or slot.removed_at is not None:
        raise NotFound("mentors.errors.slot_not_found")
    if slot.mentor_id != mentor_id:
        raise Forbidden("mentors.errors.not_your_slot")
    booking = await session.scalar(
        select(MentorBooking).where(
            MentorBooking.slot_id == slot_id, MentorBooking.status == BOOKED
        )
    )
    result = None
    if booking is not None:
        result = await _cancel(session, booking, actor_id=mentor_id, by_mentor=True, now=now)
    slot.removed_at, slot.team_id = now, None
    await session.flush()
    return slot_view(slot), result


async def free_slots(
    session: AsyncSession,
    *,
    viewer_id: int,
    topic: str | None,
    rules: MentorRules,
    now: datetime,
    limit: int = 25,
) -> list[SlotView]:
    """Free slots still to come, of mentors with ``topic`` (any when None), the viewer's own
    excepted (a mentor who also takes part never books themself)."""
    if topic is not None:
        topic = check_topic(topic, rules)
    found, _ = await _free(session, viewer_id=viewer_id, topic=topic, now=now, limit=limit)
    return found


async def slots_to_book(
    session: AsyncSession,
    *,
    viewer_id: int,
    topic: str | None,
    rules: MentorRules,
    now: datetime,
    limit: int = 25,
) -> list[SlotView] | None:
    """What `mentor book` lists: :func:`free_slots`, or None when the viewer is in no team.
    One query answers both (a second one only when no slot is free)."""
    if topic is not None:
        try:
            topic = check_topic(topic, rules)
        except InvalidInput:
            if await team_id_of(session, viewer_id) is None:
                return None
            raise
    found, team_id = await _free(
        session, viewer_id=viewer_id, topic=topic, now=now, limit=limit, with_team=True
    )
    if not found:
        team_id = await team_id_of(session, viewer_id)
    return None if team_id is None else found


async def _free(
    session: AsyncSession,
    *,
    viewer_id: int,
    topic: str | None,
    now: datetime,
    limit: int,
    with_team: bool = False,
) -> tuple[list[SlotView], int | None]:
    """The free slots (only the columns shown; the database stops at ``limit`` when no topic
    filters them) and, with ``with_team``, the viewer's team id from the same query."""
    query = _free_query(topic is not None, with_team)
    params = {"viewer": viewer_id, "now": now, "limit": limit}
    found: list[SlotView] = []
    team_id: int | None = None
    for row in await session.execute(query, params):
        if with_team:
            team_id = row[-1]
        if topic is not None and topic not in row[4]:
            continue
        found.append(SlotView(row[0], row[1], row[2], row[3], None, None))
        if len(found) == limit:
            break
    return found, team_id


@cache
def _free_query(by_topic: bool, with_team: bool) -> Select[Any]:
    """The statement of :func:`_free`, built once (parameters ``viewer``, ``now``, ``limit``):
    building and keying a statement costs more CPU than running this one."""
    columns: list[Any] = [
        MentorSlot.id,
        MentorSlot.mentor_id,
        MentorSlot.starts_at,
        MentorSlot.ends_at,
    ]
    if by_topic:
        columns.append(MentorProfile.expertise)
    if with_team:
        team = (
            select(TeamMember.team_id)
            .where(TeamMember.user_id == bindparam("viewer"))
            .limit(1)
            .scalar_subquery()
        )
        columns.append(team.label("viewer_team_id"))
    query = (
        select(*columns)
        .join(MentorProfile, MentorProfile.user_id == MentorSlot.mentor_id)
        .where(
            MentorSlot.removed_at.is_(None),
            MentorSlot.team_id.is_(None),
            MentorSlot.starts_at > bindparam("now"),
            MentorSlot.mentor_id != bindparam("viewer"),
        )
        .order_by(MentorSlot.starts_at, MentorSlot.id)
    )
    return query if by_topic else query.limit(bindparam("limit", type_=Integer))


def _day_bounds(when: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    local = when.astimezone(tz)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


async def book(
    session: AsyncSession,
    rules: MentorRules,
    *,
    user_id: int,
    slot_id: int,
    topic: str | None,
    now: datetime,
) -> BookingView:
    """Book a slot for the member's team."""
    team = await require_team(session, user_id)
    slot = await session.get(MentorSlot, slot_id)
    if slot is None or slot.removed_at is not None:
        raise NotFound("mentors.errors.slot_not_found")
    if slot.mentor_id == user_id:
        raise Forbidden("mentors.errors.own_slot")
    if slot.starts_at <= now:
        raise Conflict("mentors.errors.slot_past")
    if topic is not None:
        topic = check_topic(topic, rules)
    # One booking of a team at a time (PostgreSQL: the team row's lock; SQLite: one writer),
    # so two members of one team cannot both pass the daily limit.
    await session.execute(update(Team).where(Team.id == team.id).values(updated_at=Team.updated_at))
    day_start, day_end = _day_bounds(slot.starts_at, ZoneInfo(rules.default_timezone))
    booked_that_day = await session.scalar(
        select(func.count())
        .select_from(MentorBooking)
        .where(
            MentorBooking.team_id == team.id,
            MentorBooking.status == BOOKED,
            MentorBooking.starts_at >= day_start,
            MentorBooking.starts_at < day_end,
        )
    )
    if (booked_that_day or 0) >= rules.bookings_per_team_per_day:
        raise LimitReached(
            "mentors.bookings_per_day",
            "mentors.errors.daily_limit",
            subject=team.name,
            count=rules.bookings_per_team_per_day,
        )
    taken = await session.execute(
        update(MentorSlot)
        .where(
            MentorSlot.id == slot_id,
            MentorSlot.team_id.is_(None),
            MentorSlot.removed_at.is_(None),
        )
        .values(team_id=team.id)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(taken) != 1:
        raise Conflict("mentors.errors.slot_taken")
    booking = MentorBooking(
        slot_id=slot_id,
        team_id=team.id,
        mentor_id=slot.mentor_id,
        booked_by=user_id,
        topic=topic,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        status=BOOKED,
        created_at=now,
    )
    session.add(booking)
    await session.flush()
    await audit.record(
        session, actor_id=user_id, action="mentors.book", subject=str(slot_id), now=now
    )
    return await booking_view(session, booking)


async def cancel_booking(
    session: AsyncSession, *, booking_id: int, actor_id: int, now: datetime
) -> CancelResult:
    """Cancel a booking: a member of its team, or its mentor. A team's cancellation frees the
    slot; a mentor's withdraws it."""
    booking = await session.get(MentorBooking, booking_id)
    if booking is None:
        raise NotFound("mentors.errors.booking_not_found")
    team = await team_of(session, actor_id)
    by_mentor = booking.mentor_id == actor_id
    if not by_mentor and (team is None or team.id != booking.team_id):
        raise Forbidden("mentors.errors.not_your_booking")
    if booking.status != BOOKED:
        raise Conflict("mentors.errors.booking_cancelled")
    if booking.starts_at <= now:
        raise Conflict("mentors.errors.booking_started")
    return await _cancel(session, booking, actor_id=actor_id, by_mentor=by_mentor, now=now)


async def _cancel(
    session: AsyncSession, booking: MentorBooking, *, actor_id: int, by_mentor: bool, now: datetime
) -> CancelResult:
    done = await session.execute(
        update(MentorBooking)
        .where(MentorBooking.id == booking.id, MentorBooking.status == BOOKED)
        .values(status=CANCELLED, cancelled_at=now, cancelled_by=actor_id)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(done) != 1:
        raise Conflict("mentors.errors.booking_cancelled")
    values: dict[str, object] = {"team_id": None}
    if by_mentor:
        values["removed_at"] = now
    await session.execute(
        update(MentorSlot)
        .where(MentorSlot.id == booking.slot_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(booking)
    await audit.record(
        session, actor_id=actor_id, action="mentors.cancel", subject=str(booking.id), now=now
    )
    return CancelResult(
        booking=await booking_view(session, booking), by_mentor=by_mentor, actor_id=actor_id
    )


async def live_bookings_of(session: AsyncSession, user_id: int, now: datetime) -> list[BookingView]:
    """Bookings still to come that ``user_id`` may cancel: as the mentor or as a team member."""
    team = await team_of(session, user_id)
    conditions = [MentorBooking.mentor_id == user_id]
    if team is not None:
        conditions.append(MentorBooking.team_id == team.id)
    rows = await session.scalars(
        select(MentorBooking)
        .where(or_(*conditions), MentorBooking.status == BOOKED, MentorBooking.starts_at > now)
        .order_by(MentorBooking.starts_at)
    )
    return [await booking_view(session, row) for row in rows]


async def team_member_ids(session: AsyncSession, team_id: int) -> list[int]:
    rows = await session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team_id))
    return list(rows)
