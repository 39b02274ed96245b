"""Sending an announcement exactly once: start it, claim DMs in batches, record each outcome,
finish with a report.

Every step is a conditional update, so two workers (the organizer's Confirm and the send job,
or a second process) never both post the channel message or both send one DM: ``start`` moves
scheduled to sending once; a DM row is claimed (pending to claimed) before its DM goes out, and
a claimed row is never sent again. A worker that died after claiming leaves rows whose fate is
unknown: once they are older than :data:`CLAIM_STALE` (a live worker records a batch within
seconds), the next worker counts them failed (``interrupted``) rather than risk a second DM.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.announcements import (
    CLAIMED,
    CLOSED,
    DELIVERED,
    FAILED,
    PENDING,
    SCHEDULED,
    SENDING,
    SENT,
    Announcement,
    AnnouncementDelivery,
)
from bot.services import audit
from bot.services.announcements.drafts import AnnouncementView

INTERRUPTED = "interrupted"
# A claimed DM whose outcome is not recorded after this long belongs to a dead worker.
CLAIM_STALE = timedelta(minutes=2)


@dataclass(frozen=True)
class Started:
    """An announcement this worker started: it posts the channel message."""

    announcement: AnnouncementView
    recipients: int


@dataclass(frozen=True)
class Report:
    """The outcome of a finished announcement, for its author."""

    announcement: AnnouncementView
    delivered: int
    closed: int
    failed: int
    reasons: dict[str, int] = field(default_factory=dict)


async def due_ids(session: AsyncSession, now: datetime) -> list[int]:
    """Announcements to work on: scheduled ones whose time has come, and those being sent
    (a restart interrupted them, or another worker is on them)."""
    rows = await session.scalars(
        select(Announcement.id)
        .where(
            or_(
                Announcement.status == SENDING,
                (Announcement.status == SCHEDULED) & (Announcement.publish_at <= now),
            )
        )
        .order_by(Announcement.publish_at, Announcement.id)
    )
    return list(rows)


async def next_publish_at(session: AsyncSession) -> datetime | None:
    found: datetime | None = await session.scalar(
        select(func.min(Announcement.publish_at)).where(
            Announcement.status.in_((SCHEDULED, SENDING))
        )
    )
    return found


async def start(
    session: AsyncSession, announcement_id: int, recipient_ids: list[int], now: datetime
) -> Started | None:
    """Move a due announcement from scheduled to sending and queue one DM per recipient;
    None when it is not due, already started, or cancelled."""
    result: Any = await session.execute(
        update(Announcement)
        .where(
            Announcement.id == announcement_id,
            Announcement.status == SCHEDULED,
            Announcement.publish_at <= now,
        )
        .values(status=SENDING, started_at=now, recipients=len(set(recipient_ids)))
    )
    if result.rowcount != 1:
        return None
    unique = sorted(set(recipient_ids))
    session.add_all(
        AnnouncementDelivery(announcement_id=announcement_id, user_id=user_id, status=PENDING)
        for user_id in unique
    )
    await session.flush()
    row = await session.get(Announcement, announcement_id, populate_existing=True)
    assert row is not None
    return Started(AnnouncementView.of(row), len(unique))


async def set_message(session: AsyncSession, announcement_id: int, message_id: int) -> None:
    await session.execute(
        update(Announcement).where(Announcement.id == announcement_id).values(message_id=message_id)
    )


async def mark_interrupted(session: AsyncSession, announcement_id: int, now: datetime) -> int:
    """Rows a dead worker claimed (claimed :data:`CLAIM_STALE` ago or more): their DM may or
    may not have gone out; never resent."""
    result: Any = await session.execute(
        update(AnnouncementDelivery)
        .where(
            AnnouncementDelivery.announcement_id == announcement_id,
            AnnouncementDelivery.status == CLAIMED,
            AnnouncementDelivery.claimed_at <= now - CLAIM_STALE,
        )
        .values(status=FAILED, reason=INTERRUPTED, done_at=now)
    )
    return int(result.rowcount or 0)


async def claim_batch(
    session: AsyncSession, announcement_id: int, size: int, now: datetime
) -> list[tuple[int, int]]:
    """Claim up to ``size`` pending DMs: ``[(delivery id, user id)]``. On PostgreSQL, rows
    another worker is claiming are skipped; SQLite has one writer at a time."""
    rows = (
        await session.execute(
            select(AnnouncementDelivery.id, AnnouncementDelivery.user_id)
            .where(
                AnnouncementDelivery.announcement_id == announcement_id,
                AnnouncementDelivery.status == PENDING,
            )
            .order_by(AnnouncementDelivery.id)
            .limit(size)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    await session.execute(
        update(AnnouncementDelivery)
        .where(AnnouncementDelivery.id.in_(ids), AnnouncementDelivery.status == PENDING)
        .values(status=CLAIMED, claimed_at=now)
    )
    return [(row[0], row[1]) for row in rows]


async def record_outcomes(session: AsyncSession, outcomes: dict[int, str], now: datetime) -> None:
    """``{delivery id: outcome}``: ``sent``, ``closed`` (DMs closed, not retried) or a short
    reason it failed."""
    by_outcome: dict[str, list[int]] = {}
    for delivery_id, outcome in outcomes.items():
        by_outcome.setdefault(outcome, []).append(delivery_id)
    for outcome, ids in by_outcome.items():
        status = outcome if outcome in (DELIVERED, CLOSED) else FAILED
        reason = None if status == DELIVERED else outcome[:32]
        await session.execute(
            update(AnnouncementDelivery)
            .where(AnnouncementDelivery.id.in_(ids), AnnouncementDelivery.status == CLAIMED)
            .values(status=status, reason=reason, done_at=now)
        )


async def finish(session: AsyncSession, announcement_id: int, now: datetime) -> Report | None:
    """Once no DM is pending or being sent, count the outcomes and mark the announcement sent;
    None while work remains or when another worker finished it. Audited."""
    rows = (
        await session.execute(
            select(AnnouncementDelivery.status, AnnouncementDelivery.reason).where(
                AnnouncementDelivery.announcement_id == announcement_id
            )
        )
    ).all()
    statuses = Counter(status for status, _ in rows)
    if statuses[PENDING] or statuses[CLAIMED]:
        return None
    # Why DMs failed (closed DMs have their own count).
    reasons = Counter(reason or status for status, reason in rows if status == FAILED)
    counts = {"delivered": statuses[DELIVERED], "closed": statuses[CLOSED]}
    counts["failed"] = statuses[FAILED]
    result: Any = await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement_id, Announcement.status == SENDING)
        .values(status=SENT, finished_at=now, **counts)
    )
    if result.rowcount != 1:
        return None
    row = await session.get(Announcement, announcement_id, populate_existing=True)
    assert row is not None
    view = AnnouncementView.of(row)
    await audit.record(
        session,
        actor_id=view.author_id,
        action="announcements.sent",
        subject=view.title,
        now=now,
        announcement_id=announcement_id,
        recipients=view.recipients,
        **counts,
        reasons=dict(reasons),
    )
    return Report(view, counts["delivered"], counts["closed"], counts["failed"], dict(reasons))
