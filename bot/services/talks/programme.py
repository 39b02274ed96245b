"""The programme: calendar changes applied to talks, their reminders replanned, and what the
Discord scheduled events must do to follow.

A talk is a calendar event, or one instance of a recurring one (the calendar is read with its
series expanded), keyed by the calendar's id. A moved talk gets its reminders planned again for
its new start; a cancelled one loses its pending reminders, and when a reminder of it had already
gone out, a notice is planned so those reminded hear of the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Integer, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clients.calendar import CalendarEvent
from bot.models import Talk, TalkReminder
from bot.models.talks import (
    NOTICE_CANCELLED,
    NOTICE_MOVED,
    REMINDER_PENDING,
    REMINDER_SENT,
    TITLE_LENGTH,
)
from bot.services.talks.views import DiscordWork, TalkView
from bot.text import clean

NOTICES = (NOTICE_CANCELLED, NOTICE_MOVED)
DESCRIPTION_LENGTH = 1000  # what a Discord scheduled event shows


def reminder_kind(offset: timedelta) -> str:
    """An offset as the programme writes it: "24h", "1h", "10m", "90s"."""
    seconds = int(offset.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


@dataclass(frozen=True)
class TalkChange:
    """One change a sync made: ``created``, ``changed`` (title, text, end), ``moved``,
    ``cancelled`` or ``restored`` (cancelled before, back in the calendar)."""

    kind: str
    title: str
    start: datetime


async def apply_changes(
    session: AsyncSession,
    events: Sequence[CalendarEvent],
    *,
    full: bool,
    now: datetime,
    offsets: Sequence[timedelta],
) -> list[TalkChange]:
    """Apply a listing (``full``: the whole calendar, so a talk missing from it was deleted)
    or the changes since the last one; return what changed."""
    ids = [event.id for event in events]
    query = select(Talk) if full else select(Talk).where(Talk.calendar_event_id.in_(ids))
    talks = {talk.calendar_event_id: talk for talk in await session.scalars(query)}
    changes: list[TalkChange] = []
    seen: set[str] = set()
    for event in events:
        seen.add(event.id)
        talk = talks.get(event.id)
        if event.cancelled or event.start is None or event.end is None:
            if talk is not None and not talk.cancelled:
                await _cancel(session, talk, now)
                changes.append(TalkChange("cancelled", talk.title, talk.start_at))
            continue
        if talk is None:
            talk = Talk(
                calendar_event_id=event.id,
                series_id=event.recurring_event_id,
                title=_title(event),
                description=clean(event.description, multiline=True)[:DESCRIPTION_LENGTH],
                location=clean(event.location)[:1024],
                start_at=event.start,
                end_at=event.end,
                all_day=event.all_day,
                cancelled=False,
                discord_stale=True,
                updated_at=now,
            )
            session.add(talk)
            await session.flush()
            talks[event.id] = talk
            await _plan(session, talk, offsets, now)
            changes.append(TalkChange("created", talk.title, talk.start_at))
            continue
        change = await _update(session, talk, event, offsets, now)
        if change is not None:
            changes.append(change)
    if full:
        for event_id, talk in talks.items():
            if event_id not in seen and not talk.cancelled:
                await _cancel(session, talk, now)
                changes.append(TalkChange("cancelled", talk.title, talk.start_at))
    return changes


def _title(event: CalendarEvent) -> str:
    return clean(event.summary)[:TITLE_LENGTH] or event.id[:TITLE_LENGTH]


async def _update(
    session: AsyncSession,
    talk: Talk,
    event: CalendarEvent,
    offsets: Sequence[timedelta],
    now: datetime,
) -> TalkChange | None:
    assert event.start is not None and event.end is not None
    restored = talk.cancelled
    moved = talk.start_at != event.start
    fields = {
        "title": _title(event),
        "description": clean(event.description, multiline=True)[:DESCRIPTION_LENGTH],
        "location": clean(event.location)[:1024],
        "end_at": event.end,
        "all_day": event.all_day,
    }
    changed = any(getattr(talk, name) != value for name, value in fields.items())
    if not (restored or moved or changed):
        return None
    for name, value in fields.items():
        setattr(talk, name, value)
    old_start = talk.start_at
    talk.start_at = event.start
    talk.cancelled = False
    talk.discord_stale = True
    talk.updated_at = now
    if restored:
        await session.execute(
            delete(TalkReminder).where(
                TalkReminder.talk_id == talk.id,
                TalkReminder.kind == NOTICE_CANCELLED,
                TalkReminder.status == REMINDER_PENDING,
            )
        )
    if moved or restored:
        if moved and not restored and await _reminded(session, talk.id, old_start):
            await _notice(session, talk, NOTICE_MOVED, now)
        await _plan(session, talk, offsets, now)
    kind = "restored" if restored else "moved" if moved else "changed"
    return TalkChange(kind, talk.title, talk.start_at)


async def _cancel(session: AsyncSession, talk: Talk, now: datetime) -> None:
    talk.cancelled = True
    talk.discord_stale = True
    talk.updated_at = now
    await session.execute(
        delete(TalkReminder).where(
            TalkReminder.talk_id == talk.id, TalkReminder.status == REMINDER_PENDING
        )
    )
    if await _reminded(session, talk.id, talk.start_at):
        await _notice(session, talk, NOTICE_CANCELLED, now)


async def _reminded(session: AsyncSession, talk_id: int, start: datetime) -> bool:
    """Whether a reminder of this talk, or a notice that it moved, went out for the start it
    had: then those reminded must hear of a change."""
    sent = await session.scalar(
        select(TalkReminder.id)
        .where(
            TalkReminder.talk_id == talk_id,
            TalkReminder.for_start == start,
            TalkReminder.status == REMINDER_SENT,
            TalkReminder.kind != NOTICE_CANCELLED,
        )
        .limit(1)
    )
    return sent is not None


async def _notice(session: AsyncSession, talk: Talk, kind: str, now: datetime) -> None:
    exists = await session.scalar(
        select(TalkReminder.id).where(
            TalkReminder.talk_id == talk.id,
            TalkReminder.kind == kind,
            TalkReminder.for_start == talk.start_at,
        )
    )
    if exists is None:
        session.add(
            TalkReminder(
                talk_id=talk.id,
                kind=kind,
                for_start=talk.start_at,
                due_at=now,
                status=REMINDER_PENDING,
            )
        )


async def _plan(
    session: AsyncSession, talk: Talk, offsets: Sequence[timedelta], now: datetime
) -> None:
    """Pending reminders for the talk's current start (nothing for a talk already started);
    those planned for an earlier start are dropped. A start that comes back to one already
    reminded keeps what went out for it."""
    await session.execute(
        delete(TalkReminder).where(
            TalkReminder.talk_id == talk.id,
            TalkReminder.status == REMINDER_PENDING,
            TalkReminder.kind.not_in(NOTICES),
        )
    )
    if talk.start_at <= now:
        return
    existing = set(
        await session.scalars(
            select(TalkReminder.kind).where(
                TalkReminder.talk_id == talk.id, TalkReminder.for_start == talk.start_at
            )
        )
    )
    for offset in offsets:
        kind = reminder_kind(offset)
        if kind in existing:
            continue
        session.add(
            TalkReminder(
                talk_id=talk.id,
                kind=kind,
                for_start=talk.start_at,
                due_at=talk.start_at - offset,
                status=REMINDER_PENDING,
            )
        )


# -- reading ---------------------------------------------------------------------------------
# Built once: building and keying the statement cost more CPU than running it.
_UPCOMING: Final = (
    select(*TalkView.COLUMNS)
    .where(Talk.cancelled.is_(False), Talk.end_at > bindparam("now"))
    .order_by(Talk.start_at, Talk.id)
    .limit(bindparam("limit", type_=Integer))
)


async def upcoming(session: AsyncSession, now: datetime, limit: int) -> list[TalkView]:
    """Talks not cancelled and not over, soonest first."""
    rows = await session.execute(_UPCOMING, {"now": now, "limit": limit})
    return [TalkView(*row) for row in rows]


async def next_talk(session: AsyncSession, now: datetime) -> TalkView | None:
    talks = await upcoming(session, now, 1)
    return talks[0] if talks else None


async def discord_plan(
    session: AsyncSession, now: datetime, *, enabled: bool, limit: int
) -> DiscordWork:
    """What Discord must do now: the ``limit`` soonest upcoming talks mirrored (created or
    brought up to date); events of cancelled talks, and of talks pushed out of that window,
    deleted. Events of talks that already started are left as they are."""
    if not enabled:
        return DiscordWork([], [], [])
    window = list(
        await session.scalars(
            select(Talk)
            .where(Talk.cancelled.is_(False), Talk.start_at > now)
            .order_by(Talk.start_at, Talk.id)
            .limit(limit)
        )
    )
    in_window = {talk.id for talk in window}
    linked = await session.scalars(select(Talk).where(Talk.discord_event_id.is_not(None)))
    delete_: list[TalkView] = []
    for talk in linked:
        if talk.id in in_window:
            continue
        if talk.cancelled or talk.start_at > now:
            delete_.append(TalkView.of(talk))
    return DiscordWork(
        create=[TalkView.of(t) for t in window if t.discord_event_id is None],
        edit=[TalkView.of(t) for t in window if t.discord_event_id is not None and t.discord_stale],
        delete=delete_,
    )


async def discord_window_change(
    session: AsyncSession, now: datetime, *, enabled: bool, limit: int
) -> datetime | None:
    """When the mirrored window next moves by itself: the start of the soonest upcoming talk,
    when more upcoming talks exist than Discord events may show (the next one then takes its
    place). None while every upcoming talk fits."""
    if not enabled or limit < 1:
        return None
    upcoming_talks = (Talk.cancelled.is_(False), Talk.start_at > now)
    count = await session.scalar(select(func.count()).select_from(Talk).where(*upcoming_talks))
    if int(count or 0) <= limit:
        return None
    soonest: datetime | None = await session.scalar(
        select(func.min(Talk.start_at)).where(*upcoming_talks)
    )
    return soonest


async def link_discord_event(
    session: AsyncSession, talk_id: int, event_id: int | None, shown: TalkView
) -> None:
    """Record the Discord event now showing the talk (None: deleted). The event is current only
    if the talk did not change while Discord was being told (``shown`` is what it was told)."""
    talk = await session.get(Talk, talk_id)
    if talk is None:
        return
    talk.discord_event_id = event_id
    talk.discord_stale = TalkView.of(talk) != replace(shown, discord_event_id=event_id)


async def mark_discord_current(session: AsyncSession, talk_id: int, shown: TalkView) -> None:
    talk = await session.get(Talk, talk_id)
    if talk is not None and TalkView.of(talk) == shown:  # unchanged since Discord was told
        talk.discord_stale = False
