"""What organizers read in `mentor stats`: the queue's volume and waits, and per mentor their
sessions, claims and ratings."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import MentorBooking, MentorProfile, MentorRequest
from bot.models.mentors import BOOKED, CANCELLED, OPEN, RESOLVED
from bot.services.mentors.queue import recent_waits
from bot.services.mentors.views import MentorStats, Stats


def percentile(values: list[timedelta], fraction: float) -> timedelta | None:
    """Nearest-rank percentile (p50 of 1, 2, 3, 4 is 2)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


async def stats(session: AsyncSession, now: datetime) -> Stats:
    requests = list(await session.scalars(select(MentorRequest)))
    bookings = list(await session.scalars(select(MentorBooking)))
    waits = await recent_waits(session, limit=None)
    mentor_ids = set(await session.scalars(select(MentorProfile.user_id)))
    mentor_ids |= {r.mentor_id for r in requests if r.mentor_id is not None}
    mentor_ids |= {b.mentor_id for b in bookings}
    per_mentor = []
    for mentor_id in sorted(mentor_ids):
        handled = [r for r in requests if r.mentor_id == mentor_id]
        resolved = [r for r in handled if r.status == RESOLVED]
        rated = [r.rating for r in resolved if r.rating is not None]
        booked = [b for b in bookings if b.mentor_id == mentor_id and b.status == BOOKED]
        per_mentor.append(
            MentorStats(
                mentor_id=mentor_id,
                sessions=len(booked) + len(resolved),
                claims=len(handled),
                resolved=len(resolved),
                ratings=len(rated),
                rating_avg=sum(rated) / len(rated) if rated else None,
            )
        )
    return Stats(
        requests=len(requests),
        open=sum(1 for r in requests if r.status == OPEN),
        claims=sum(r.claims for r in requests),
        resolved=sum(1 for r in requests if r.status == RESOLVED),
        wait_p50=percentile(waits, 0.5),
        wait_p90=percentile(waits, 0.9),
        bookings=sum(1 for b in bookings if b.status == BOOKED),
        cancelled_bookings=sum(1 for b in bookings if b.status == CANCELLED),
        mentors=tuple(per_mentor),
    )
