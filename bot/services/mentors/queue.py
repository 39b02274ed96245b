"""The help queue: requests teams post, mentors claim (one mentor per request, under any
concurrency), release, resolve; teams rate the session."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.models import MentorRequest
from bot.models.mentors import CLAIMED, OPEN, RESOLVED
from bot.services import audit
from bot.services.limits import LimitReached
from bot.services.mentors.common import request_view, require_team, team_of
from bot.services.mentors.profiles import check_topic, get_profile, mentors_for
from bot.services.mentors.views import MentorRules, QueueInfo, RequestView
from bot.text import clean

DETAILS_MAX = 1000
WAIT_HISTORY = 20


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


async def _row(session: AsyncSession, request_id: int) -> MentorRequest:
    row = await session.get(MentorRequest, request_id)
    if row is None:
        raise NotFound("mentors.errors.request_not_found")
    return row


async def create_request(
    session: AsyncSession,
    rules: MentorRules,
    *,
    user_id: int,
    topic: str,
    details: str,
    mentor_id: int | None,
    now: datetime,
) -> QueueInfo:
    """Queue a help request for the member's team. ``mentor_id``: ask that mentor again."""
    tag = check_topic(topic, rules)
    text = clean(details, multiline=True)
    if not text:
        raise InvalidInput("mentors.errors.details_required")
    if len(text) > DETAILS_MAX:
        raise InvalidInput("mentors.errors.details_too_long", count=DETAILS_MAX)
    team = await require_team(session, user_id)
    if mentor_id is not None and await get_profile(session, mentor_id) is None:
        raise InvalidInput("mentors.errors.not_a_mentor")
    waiting = await session.scalar(
        select(func.count())
        .select_from(MentorRequest)
        .where(MentorRequest.team_id == team.id, MentorRequest.status.in_((OPEN, CLAIMED)))
    )
    if (waiting or 0) >= rules.open_requests_per_team:
        raise LimitReached(
            "mentors.open_requests",
            "mentors.errors.too_many_requests",
            subject=team.name,
            count=rules.open_requests_per_team,
        )
    row = MentorRequest(
        team_id=team.id,
        requester_id=user_id,
        topic=tag,
        details=text,
        preferred_mentor_id=mentor_id,
        status=OPEN,
        created_at=now,
        queued_at=now,
        announced_at=now,
        claims=0,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session, actor_id=user_id, action="mentors.request", subject=str(row.id), now=now
    )
    return await queue_info(session, row)


async def queue_info(session: AsyncSession, row: MentorRequest) -> QueueInfo:
    view = await request_view(session, row)
    if row.preferred_mentor_id is not None:
        ping: tuple[int, ...] = (row.preferred_mentor_id,)
    else:
        ping = tuple(m for m in await mentors_for(session, row.topic) if m not in view.member_ids)
    place = await position(session, row)
    return QueueInfo(
        request=view, position=place, estimate=await estimate(session, place), ping_ids=ping
    )


async def position(session: AsyncSession, row: MentorRequest) -> int:
    """1 for the next request to be claimed; 0 when the request is not waiting."""
    if row.status != OPEN:
        return 0
    ahead = await session.scalar(
        select(func.count())
        .select_from(MentorRequest)
        .where(
            MentorRequest.status == OPEN,
            or_(
                MentorRequest.queued_at < row.queued_at,
                and_(MentorRequest.queued_at == row.queued_at, MentorRequest.id < row.id),
            ),
        )
    )
    return int(ahead or 0) + 1


async def recent_waits(session: AsyncSession, limit: int | None = WAIT_HISTORY) -> list[timedelta]:
    query = (
        select(MentorRequest.created_at, MentorRequest.first_claimed_at)
        .where(MentorRequest.first_claimed_at.is_not(None))
        .order_by(MentorRequest.first_claimed_at.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    rows = await session.execute(query)
    return [claimed - created for created, claimed in rows if claimed is not None]


async def estimate(session: AsyncSession, place: int) -> timedelta | None:
    """The median wait of the last requests claimed, times the place in the queue; None
    before any request was claimed."""
    waits = await recent_waits(session)
    if not waits or place < 1:
        return None
    median = statistics.median(w.total_seconds() for w in waits)
    return timedelta(seconds=round(median * place))


async def set_request_message(
    session: AsyncSession, request_id: int, channel_id: int, message_id: int
) -> None:
    row = await _row(session, request_id)
    row.channel_id, row.message_id = channel_id, message_id


async def set_request_thread(session: AsyncSession, request_id: int, thread_id: int) -> None:
    row = await _row(session, request_id)
    row.thread_id = thread_id


async def claim(
    session: AsyncSession, *, request_id: int, mentor_id: int, now: datetime
) -> RequestView:
    """The first mentor to claim gets the request; every later claim is refused."""
    row = await _row(session, request_id)
    team = await team_of(session, mentor_id)
    if team is not None and team.id == row.team_id:
        raise Forbidden("mentors.errors.own_request")
    done = await session.execute(
        update(MentorRequest)
        .where(MentorRequest.id == request_id, MentorRequest.status == OPEN)
        .values(
            status=CLAIMED,
            mentor_id=mentor_id,
            claimed_at=now,
            first_claimed_at=func.coalesce(MentorRequest.first_claimed_at, now),
            claims=MentorRequest.claims + 1,
        )
        .execution_options(synchronize_session=False)
    )
    await session.refresh(row)
    if _rowcount(done) != 1:
        if row.status == CLAIMED:
            raise Conflict("mentors.errors.already_claimed")
        raise Conflict("mentors.errors.request_closed")
    await audit.record(
        session, actor_id=mentor_id, action="mentors.claim", subject=str(row.id), now=now
    )
    return await request_view(session, row)


async def release(
    session: AsyncSession, *, request_id: int, mentor_id: int, now: datetime
) -> QueueInfo:
    """The claiming mentor puts the request back in the queue, in its old place."""
    row = await _row(session, request_id)
    if row.status != CLAIMED:
        raise Conflict("mentors.errors.request_not_claimed")
    if row.mentor_id != mentor_id:
        raise Forbidden("mentors.errors.not_your_claim")
    done = await session.execute(
        update(MentorRequest)
        .where(
            MentorRequest.id == request_id,
            MentorRequest.status == CLAIMED,
            MentorRequest.mentor_id == mentor_id,
        )
        .values(status=OPEN, mentor_id=None, claimed_at=None, announced_at=now)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(done) != 1:
        raise Conflict("mentors.errors.request_not_claimed")
    await session.refresh(row)
    await audit.record(
        session, actor_id=mentor_id, action="mentors.release", subject=str(row.id), now=now
    )
    return await queue_info(session, row)


async def resolve(
    session: AsyncSession, *, request_id: int, actor_id: int, now: datetime
) -> RequestView:
    """The claiming mentor, or a member of the team, closes the session as resolved."""
    row = await _row(session, request_id)
    team = await team_of(session, actor_id)
    in_team = team is not None and team.id == row.team_id
    if row.mentor_id != actor_id and not in_team:
        raise Forbidden("mentors.errors.not_your_request")
    done = await session.execute(
        update(MentorRequest)
        .where(MentorRequest.id == request_id, MentorRequest.status == CLAIMED)
        .values(status=RESOLVED, resolved_at=now, resolved_by=actor_id)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(row)
    if _rowcount(done) != 1:
        raise Conflict(
            "mentors.errors.already_resolved"
            if row.status == RESOLVED
            else "mentors.errors.request_not_claimed"
        )
    await audit.record(
        session, actor_id=actor_id, action="mentors.resolve", subject=str(row.id), now=now
    )
    return await request_view(session, row)


async def rate(
    session: AsyncSession, *, request_id: int, user_id: int, rating: int, now: datetime
) -> RequestView:
    """A member of the team rates a resolved session 1 to 5, once."""
    if not 1 <= rating <= 5:
        raise InvalidInput("mentors.errors.bad_rating")
    row = await _row(session, request_id)
    team = await team_of(session, user_id)
    if team is None or team.id != row.team_id:
        raise Forbidden("mentors.errors.not_your_team")
    if row.status != RESOLVED:
        raise Conflict("mentors.errors.not_resolved")
    done = await session.execute(
        update(MentorRequest)
        .where(MentorRequest.id == request_id, MentorRequest.rating.is_(None))
        .values(rating=rating, rated_by=user_id)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(done) != 1:
        raise Conflict("mentors.errors.already_rated")
    await session.refresh(row)
    return await request_view(session, row)


async def get_request(session: AsyncSession, request_id: int) -> RequestView:
    return await request_view(session, await _row(session, request_id))


async def due_repings(
    session: AsyncSession, rules: MentorRules, *, now: datetime
) -> list[QueueInfo]:
    """Open requests unclaimed for ``reping_after`` since they were last announced: marked
    announced now (each is re-announced once per period, whoever runs the job)."""
    rows = list(
        await session.scalars(
            select(MentorRequest)
            .where(
                MentorRequest.status == OPEN,
                MentorRequest.announced_at <= now - rules.reping_after,
            )
            .order_by(MentorRequest.queued_at, MentorRequest.id)
        )
    )
    due = []
    for row in rows:
        done = await session.execute(
            update(MentorRequest)
            .where(
                MentorRequest.id == row.id,
                MentorRequest.status == OPEN,
                MentorRequest.announced_at == row.announced_at,
            )
            .values(announced_at=now)
            .execution_options(synchronize_session=False)
        )
        if _rowcount(done) == 1:
            due.append(row)
    infos = []
    for row in due:
        await session.refresh(row)
        infos.append(await queue_info(session, row))
    return infos


async def next_reping(session: AsyncSession, rules: MentorRules) -> datetime | None:
    oldest = await session.scalar(
        select(func.min(MentorRequest.announced_at)).where(MentorRequest.status == OPEN)
    )
    return None if oldest is None else oldest + rules.reping_after


async def count_open(session: AsyncSession) -> int:
    found = await session.scalar(
        select(func.count()).select_from(MentorRequest).where(MentorRequest.status == OPEN)
    )
    return int(found or 0)
