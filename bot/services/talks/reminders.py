"""Which reminders and notices go out now, claimed before anything is delivered.

The late rule: a reminder goes out when it is due, or late (the bot was down, the Calendar
added the talk late) only while it still makes sense: never once the talk has started, and
of several reminders of one talk due at once only the latest (the one nearest the start) goes
out; the others are skipped. A cancellation notice goes out as soon as it is planned; a moved
notice only while the talk has not started.

Claiming is a conditional update (``pending`` -> ``sent``/``skipped``) in the caller's
transaction, before Discord is told: a crash after it loses at most that delivery, and a rerun
or a restart never sends it twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Talk, TalkReminder
from bot.models.talks import (
    NOTICE_CANCELLED,
    NOTICE_MOVED,
    REMINDER_PENDING,
    REMINDER_SENT,
    REMINDER_SKIPPED,
)
from bot.services.talks.views import TalkView


@dataclass(frozen=True)
class Delivery:
    """A reminder (``kind`` "24h", "1h"...) or a notice ("cancelled", "moved") to deliver."""

    reminder_id: int
    kind: str
    talk: TalkView

    @property
    def is_notice(self) -> bool:
        return self.kind in (NOTICE_CANCELLED, NOTICE_MOVED)


async def claim_due(session: AsyncSession, now: datetime) -> list[Delivery]:
    """Claim every pending row due at ``now``: those to deliver come back; the rest are
    skipped by the late rule."""
    rows = (
        await session.execute(
            select(TalkReminder, Talk)
            .join(Talk, Talk.id == TalkReminder.talk_id)
            .where(TalkReminder.status == REMINDER_PENDING, TalkReminder.due_at <= now)
            .order_by(TalkReminder.due_at, TalkReminder.id)
        )
    ).all()
    by_talk: dict[int, list[tuple[TalkReminder, Talk]]] = defaultdict(list)
    for reminder, talk in rows:
        by_talk[talk.id].append((reminder, talk))
    verdicts: list[tuple[TalkReminder, Talk, bool]] = []
    for group in by_talk.values():
        reminders = [(r, t) for r, t in group if r.kind not in (NOTICE_CANCELLED, NOTICE_MOVED)]
        notices = [(r, t) for r, t in group if (r, t) not in reminders]
        for reminder, talk in notices:
            if reminder.kind == NOTICE_CANCELLED:
                verdicts.append((reminder, talk, talk.cancelled))
            else:
                verdicts.append((reminder, talk, not talk.cancelled and now < talk.start_at))
        latest = max(reminders, key=lambda rt: (rt[0].due_at, rt[0].id), default=None)
        for reminder, talk in reminders:
            current = reminder.for_start == talk.start_at and not talk.cancelled
            send = current and now < talk.start_at and (reminder, talk) == latest
            verdicts.append((reminder, talk, send))
    out: list[Delivery] = []
    for reminder, talk, send in verdicts:
        claimed = await session.execute(
            update(TalkReminder)
            .where(TalkReminder.id == reminder.id, TalkReminder.status == REMINDER_PENDING)
            .values(status=REMINDER_SENT if send else REMINDER_SKIPPED, done_at=now)
            .execution_options(synchronize_session=False)
        )
        if send and getattr(claimed, "rowcount", 0) == 1:
            out.append(Delivery(reminder.id, reminder.kind, TalkView.of(talk)))
    out.sort(key=lambda d: (d.talk.start, d.reminder_id))
    return out


async def next_reminder_due(session: AsyncSession) -> datetime | None:
    result: datetime | None = await session.scalar(
        select(func.min(TalkReminder.due_at)).where(TalkReminder.status == REMINDER_PENDING)
    )
    return result


async def pending_count(session: AsyncSession, now: datetime) -> int:
    """Reminders and notices due and not yet delivered (the reminders job's backlog)."""
    count = await session.scalar(
        select(func.count())
        .select_from(TalkReminder)
        .where(TalkReminder.status == REMINDER_PENDING, TalkReminder.due_at <= now)
    )
    return int(count or 0)
