"""Which scheduled times are due, who posts them (a claimed row, unique per board and time), and
what each post showed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import LeaderboardPost
from bot.models.leaderboard import CLAIMED, POSTED, SKIPPED
from bot.settings.leaderboard import LeaderboardSettings, cron_trigger

# A claim whose process died before posting is taken over after this long.
STALE_CLAIM = timedelta(minutes=10)


def fire_times(cron: str, start: datetime, end: datetime) -> list[datetime]:
    """The cron's times in ``[start, end]``."""
    trigger = cron_trigger(cron)
    times: list[datetime] = []
    when = trigger.get_next_fire_time(None, start)
    while when is not None and when <= end:
        times.append(when)
        when = trigger.get_next_fire_time(when, when + timedelta(seconds=1))
    return times


def latest_time(cron: str, now: datetime, window: timedelta) -> datetime | None:
    """The most recent scheduled time within ``window`` before ``now`` (None: none)."""
    times = fire_times(cron, now - window, now)
    return times[-1] if times else None


def next_time(cron: str, now: datetime) -> datetime | None:
    trigger = cron_trigger(cron)
    result: datetime | None = trigger.get_next_fire_time(None, now + timedelta(seconds=1))
    return result


async def handled(session: AsyncSession, board: str, when: datetime) -> bool:
    """Whether someone posted, skipped or is posting ``board`` for ``when``."""
    found = await session.scalar(
        select(func.count())
        .select_from(LeaderboardPost)
        .where(LeaderboardPost.board == board, LeaderboardPost.scheduled_for == when)
    )
    return bool(found)


async def due(
    session: AsyncSession, settings: LeaderboardSettings, now: datetime
) -> list[tuple[str, datetime]]:
    """(board, scheduled time) pairs due now and not handled yet, plus stale claims."""
    result = []
    for board in settings.enabled_boards():
        when = latest_time(settings.board(board).cron, now, settings.catch_up)
        if when is None:
            continue
        row = await session.scalar(
            select(LeaderboardPost).where(
                LeaderboardPost.board == board, LeaderboardPost.scheduled_for == when
            )
        )
        if row is None or (row.status == CLAIMED and row.claimed_at <= now - STALE_CLAIM):
            result.append((board, when))
    return result


async def next_due(
    session: AsyncSession, settings: LeaderboardSettings, now: datetime
) -> datetime | None:
    if await due(session, settings, now):
        return now
    times = [next_time(settings.board(b).cron, now) for b in settings.enabled_boards()]
    # A claim whose process may have died: due again when it can be taken over, if its
    # scheduled time is still the board's latest within the catch-up window then.
    claims = await session.scalars(
        select(LeaderboardPost).where(
            LeaderboardPost.status == CLAIMED,
            LeaderboardPost.board.in_(settings.enabled_boards()),
            LeaderboardPost.scheduled_for >= now - settings.catch_up,
        )
    )
    for row in claims:
        takeover = row.claimed_at + STALE_CLAIM
        cron = settings.board(row.board).cron
        if latest_time(cron, takeover, settings.catch_up) == row.scheduled_for:
            times.append(takeover)
    return min((t for t in times if t is not None), default=None)


async def claim(session: AsyncSession, board: str, when: datetime, now: datetime) -> bool:
    """Take ``board`` at ``when`` for this process; False when another one has it. A claim
    older than :data:`STALE_CLAIM` that never posted (its process died) is taken over by a
    conditional update, so two takers still cannot both win."""
    row = await session.scalar(
        select(LeaderboardPost).where(
            LeaderboardPost.board == board, LeaderboardPost.scheduled_for == when
        )
    )
    if row is None:
        try:
            async with session.begin_nested():
                session.add(
                    LeaderboardPost(
                        board=board, scheduled_for=when, status=CLAIMED, claimed_at=now, places={}
                    )
                )
        except IntegrityError:
            return False
        return True
    taken = await session.execute(
        update(LeaderboardPost)
        .where(
            LeaderboardPost.id == row.id,
            LeaderboardPost.status == CLAIMED,
            LeaderboardPost.claimed_at <= now - STALE_CLAIM,
        )
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(taken, "rowcount", 0))


@dataclass(frozen=True)
class Previous:
    """The board's last post: where its message is and what places it showed."""

    channel_id: int | None
    message_id: int | None
    message_at: datetime | None
    places: dict[str, int]


async def previous_post(session: AsyncSession, board: str) -> Previous | None:
    row = await session.scalar(
        select(LeaderboardPost)
        .where(LeaderboardPost.board == board, LeaderboardPost.status == POSTED)
        .order_by(LeaderboardPost.scheduled_for.desc())
        .limit(1)
    )
    if row is None:
        return None
    return Previous(row.channel_id, row.message_id, row.message_at, dict(row.places or {}))


def should_edit(previous: Previous | None, now: datetime, edit_within: timedelta) -> bool:
    """Edit the previous message when it is younger than ``edit_within`` (Discord caps edits
    of older messages); else post anew."""
    return (
        previous is not None
        and previous.message_id is not None
        and previous.message_at is not None
        and now - previous.message_at < edit_within
    )


async def record_posted(
    session: AsyncSession,
    board: str,
    when: datetime,
    *,
    channel_id: int,
    message_id: int,
    message_at: datetime,
    places: dict[str, int],
    now: datetime,
) -> None:
    await session.execute(
        update(LeaderboardPost)
        .where(LeaderboardPost.board == board, LeaderboardPost.scheduled_for == when)
        .values(
            status=POSTED,
            channel_id=channel_id,
            message_id=message_id,
            message_at=message_at,
            places=places,
            posted_at=now,
        )
    )


async def record_skipped(session: AsyncSession, board: str, when: datetime, reason: str) -> None:
    await session.execute(
        update(LeaderboardPost)
        .where(LeaderboardPost.board == board, LeaderboardPost.scheduled_for == when)
        .values(status=SKIPPED, reason=reason[:64])
    )


async def record_published(session: AsyncSession, board: str, when: datetime, outcome: str) -> None:
    await session.execute(
        update(LeaderboardPost)
        .where(LeaderboardPost.board == board, LeaderboardPost.scheduled_for == when)
        .values(published=outcome)
    )


async def posted_count(session: AsyncSession) -> int:
    """Boards posted (an edit of a previous message counts as a post of its scheduled time)."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(LeaderboardPost)
            .where(LeaderboardPost.status == POSTED)
        )
        or 0
    )


async def last_posts(session: AsyncSession) -> dict[str, datetime]:
    rows = await session.execute(
        select(LeaderboardPost.board, func.max(LeaderboardPost.posted_at))
        .where(LeaderboardPost.status == POSTED)
        .group_by(LeaderboardPost.board)
    )
    return {board: when for board, when in rows.all() if when is not None}
