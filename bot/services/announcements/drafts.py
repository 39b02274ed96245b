"""Writing, scheduling, listing and cancelling announcements; how one reads on Discord."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.models.announcements import (
    BODY_MAX,
    CANCELLED,
    CONFIRMED,
    DISCARDED,
    DM_AUDIENCES,
    DM_NOBODY,
    DRAFT,
    PING_EVERYONE,
    PING_MENTORS,
    PING_NOBODY,
    PING_PARTICIPANTS,
    PING_ROLE,
    PINGS,
    SCHEDULED,
    SENDING,
    TITLE_MAX,
    Announcement,
)
from bot.services import audit
from bot.text import clean, is_invisible, neutralize

# "@everyone" and "@here" in a body show as text: only the bot's own ping line pings.
_MASS_MENTION = re.compile(r"@(everyone|here)", re.I)
# A preview's buttons work this long (after a restart too).
DRAFT_TTL = timedelta(hours=1)
WHEN_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class Draft:
    """What an organizer asked for; ``publish_at`` None is now."""

    title: str
    body: str
    channel_id: int | None
    ping: str = PING_NOBODY
    ping_role_id: int | None = None
    dm_audience: str = DM_NOBODY
    publish_at: datetime | None = None


@dataclass(frozen=True)
class AnnouncementView:
    id: int
    author_id: int
    created_at: datetime
    title: str
    body: str
    channel_id: int | None
    ping: str
    ping_role_id: int | None
    dm_audience: str
    publish_at: datetime | None  # None only for a draft to publish when confirmed
    status: str
    message_id: int | None
    recipients: int
    delivered: int
    closed: int
    failed: int

    @classmethod
    def of(cls, row: Announcement) -> AnnouncementView:
        return cls(
            id=row.id,
            author_id=row.author_id,
            created_at=row.created_at,
            title=row.title,
            body=row.body,
            channel_id=row.channel_id,
            ping=row.ping,
            ping_role_id=row.ping_role_id,
            dm_audience=row.dm_audience,
            publish_at=row.publish_at,
            status=row.status,
            message_id=row.message_id,
            recipients=row.recipients,
            delivered=row.delivered,
            closed=row.closed,
            failed=row.failed,
        )


def clean_title(title: str) -> str:
    return clean(title)[:TITLE_MAX]


def clean_body(body: str) -> str:
    """Markdown is kept as the organizer wrote it (indentation included); invisible characters
    go, and @everyone / @here become plain text."""
    kept = "".join(ch for ch in body if not is_invisible(ch)).strip()
    return _MASS_MENTION.sub("@\u200b\\1", kept)[:BODY_MAX]


def render(title: str, body: str, ping: str | None = None) -> str:
    """The announcement as Discord shows it: the ping line (built by the caller from ids it
    knows), the title in bold, the body. Whatever the title or body contain, only the caller's
    allowed mentions decide who is pinged."""
    lines = [ping] if ping else []
    lines.append(f"**{neutralize(clean_title(title))}**")
    lines.append(clean_body(body))
    return "\n".join(lines)


def parse_when(text: str, zone: str, now: datetime) -> datetime:
    """A time the organizer typed in ``zone`` (``2024-03-21 18:00``), as UTC; it must be in
    the future."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        raise InvalidInput("announcements.errors.bad_zone", zone=zone) from None
    value = clean(text)
    for form in WHEN_FORMATS:
        try:
            local = datetime.strptime(value, form)
        except ValueError:
            continue
        try:
            when = local.replace(tzinfo=tz).astimezone(now.tzinfo)
        except OverflowError:  # 0001-01-01 00:00 east of UTC, 9999-12-31 23:59 west of it
            raise InvalidInput("announcements.errors.bad_time", when=value) from None
        if when <= now:
            raise InvalidInput("announcements.errors.past", when=value)
        return when
    raise InvalidInput("announcements.errors.bad_time", when=value)


def check_draft(draft: Draft) -> None:
    """Refuse a draft that reaches nobody, names no role to ping, or says nothing."""
    if draft.ping not in PINGS or draft.dm_audience not in DM_AUDIENCES:
        raise InvalidInput("announcements.errors.bad_audience")
    if draft.ping in (PING_ROLE, PING_PARTICIPANTS, PING_MENTORS) and draft.ping_role_id is None:
        raise InvalidInput("announcements.errors.role_needed")
    if draft.channel_id is None and draft.dm_audience == DM_NOBODY:
        raise InvalidInput("announcements.errors.nowhere")
    if not clean_title(draft.title) or not clean_body(draft.body):
        raise InvalidInput("announcements.errors.empty")


async def create_draft(
    session: AsyncSession, draft: Draft, *, author_id: int, now: datetime
) -> AnnouncementView:
    """Store what the preview shows; nothing is sent until :func:`confirm`."""
    check_draft(draft)
    if draft.publish_at is not None and draft.publish_at <= now:
        raise InvalidInput("announcements.errors.past", when=draft.publish_at.isoformat())
    row = Announcement(
        author_id=author_id,
        created_at=now,
        title=clean_title(draft.title),
        body=clean_body(draft.body),
        channel_id=draft.channel_id,
        ping=draft.ping,
        ping_role_id=None if draft.ping in (PING_NOBODY, PING_EVERYONE) else draft.ping_role_id,
        dm_audience=draft.dm_audience,
        publish_at=draft.publish_at,
        status=DRAFT,
        recipients=0,
        delivered=0,
        closed=0,
        failed=0,
    )
    session.add(row)
    await session.flush()
    return AnnouncementView.of(row)


async def _own_draft(
    session: AsyncSession, announcement_id: int, actor_id: int, now: datetime
) -> Announcement:
    row = await session.get(Announcement, announcement_id)
    if row is None:
        raise NotFound("announcements.errors.not_found", id=announcement_id)
    if row.author_id != actor_id:
        raise Forbidden("announcements.errors.not_yours")
    if row.status != DRAFT:
        raise Conflict("announcements.errors.already_answered", id=announcement_id)
    if now - row.created_at > DRAFT_TTL:
        raise Conflict("announcements.errors.draft_expired")
    return row


async def confirm(
    session: AsyncSession, announcement_id: int, *, actor_id: int, now: datetime
) -> AnnouncementView:
    """Confirm the author's draft: it is scheduled (for now when it had no time) and
    audited. A second Confirm, a Confirm after Cancel, or another person's, is refused."""
    row = await _own_draft(session, announcement_id, actor_id, now)
    publish_at = row.publish_at or now
    if publish_at < now - timedelta(minutes=1):
        raise InvalidInput("announcements.errors.past", when=publish_at.isoformat())
    result: Any = await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement_id, Announcement.status == DRAFT)
        .values(status=SCHEDULED, created_at=now, publish_at=publish_at)
    )
    if result.rowcount != 1:
        raise Conflict("announcements.errors.already_answered", id=announcement_id)
    session.expire_all()
    view = await get(session, announcement_id)
    await audit.record(
        session,
        actor_id=actor_id,
        action="announcements.created",
        subject=view.title,
        now=now,
        announcement_id=view.id,
        channel_id=view.channel_id,
        ping=view.ping,
        ping_role_id=view.ping_role_id,
        dm_audience=view.dm_audience,
        publish_at=publish_at.isoformat(),
    )
    return view


async def discard(
    session: AsyncSession, announcement_id: int, *, actor_id: int, now: datetime
) -> None:
    """Cancel on the preview: the draft is kept as discarded, never sent."""
    await _own_draft(session, announcement_id, actor_id, now)
    result: Any = await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement_id, Announcement.status == DRAFT)
        .values(status=DISCARDED, cancelled_by=actor_id, cancelled_at=now)
    )
    if result.rowcount != 1:
        raise Conflict("announcements.errors.already_answered", id=announcement_id)


async def get(session: AsyncSession, announcement_id: int) -> AnnouncementView:
    row = await session.get(Announcement, announcement_id)
    if row is None:
        raise NotFound("announcements.errors.not_found", id=announcement_id)
    return AnnouncementView.of(row)


async def cancel(
    session: AsyncSession, announcement_id: int, *, actor_id: int, now: datetime
) -> AnnouncementView:
    """Cancel an announcement that is still scheduled (one being sent or sent cannot be)."""
    current = await get(session, announcement_id)
    result: Any = await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement_id, Announcement.status == SCHEDULED)
        .values(status=CANCELLED, cancelled_by=actor_id, cancelled_at=now)
    )
    if result.rowcount != 1:
        raise Conflict("announcements.errors.not_cancellable", id=announcement_id)
    await audit.record(
        session,
        actor_id=actor_id,
        action="announcements.cancelled",
        subject=current.title,
        now=now,
        announcement_id=announcement_id,
    )
    session.expire_all()
    return await get(session, announcement_id)


async def listing(session: AsyncSession, *, limit: int) -> list[AnnouncementView]:
    """Scheduled and sending announcements first (soonest first), then the latest others."""
    waiting = case((Announcement.status.in_((SCHEDULED, SENDING)), 0), else_=1)
    rows = await session.scalars(
        select(Announcement)
        .where(Announcement.status.in_(CONFIRMED))
        .order_by(waiting, Announcement.publish_at.desc(), Announcement.id.desc())
        .limit(limit)
    )
    views = [AnnouncementView.of(row) for row in rows]
    pending = sorted((v for v in views if v.status in (SCHEDULED, SENDING)), key=_publish_key)
    return pending + [v for v in views if v.status not in (SCHEDULED, SENDING)]


def _publish_key(view: AnnouncementView) -> tuple[datetime, int]:
    return (view.publish_at or view.created_at, view.id)


async def state_snapshot(session: AsyncSession) -> list[dict[str, Any]]:
    """Every confirmed announcement, oldest first, as the rehearsal state line shows it."""
    rows = await session.scalars(
        select(Announcement).where(Announcement.status.in_(CONFIRMED)).order_by(Announcement.id)
    )
    # The contract knows scheduled, sent and cancelled: one still being sent is not sent yet.
    return [
        {
            "status": SCHEDULED if row.status == SENDING else row.status,
            "delivered": row.delivered,
            "failed": row.closed + row.failed,
        }
        for row in rows
    ]
