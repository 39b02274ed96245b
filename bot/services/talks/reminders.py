"""Which reminders and notices go out now, claimed before anything is delivered.

The late rule: a reminder goes out when it is due, or late (the bot was down, the Calendar
added the talk late) only while it still makes sense: never once the talk has started, and
of several reminders of one talk due at once only the latest (the one nearest the start) goes
out; the others are skipped. A cancellation notice goes out as soon as it is planned; a moved
notice only while the talk has not started.

Claiming is a conditional update (``pending`` -> ``sent``/``skipped``) in the caller's
transaction, before Discord is told; the row then carries the claim and the progress of its
delivery (the channel post, then each subscriber's DM, in user id order), recorded after every
message. A claim with no progress for ``talks.reminder_takeover`` (its process died) is taken
over by the next run, which delivers the rest, under the same late rule: so nothing is lost,
and only the message in flight at the crash (Discord took it, the record did not follow) can
go out twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import func, or_, select, update
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
    # The claim it is delivered under, and how far an earlier (dead) process got: None,
    # nothing; 0, the channel post; a user id, the DMs up to that subscriber too.
    claim: str = ""
    sent_through: int | None = None

    @property
    def is_notice(self) -> bool:
        return self.kind in (NOTICE_CANCELLED, NOTICE_MOVED)


def _send_now(reminder: TalkReminder, talk: Talk, now: datetime) -> bool:
    """Whether a claimed reminder or notice still makes sense at ``now`` (a taken-over one)."""
    if reminder.kind == NOTICE_CANCELLED:
        return talk.cancelled
    if reminder.kind == NOTICE_MOVED:
        return not talk.cancelled and now < talk.start_at
    return reminder.for_start == talk.start_at and not talk.cancelled and now < talk.start_at


async def claim_due(
    session: AsyncSession, now: datetime, takeover: timedelta = timedelta(minutes=2)
) -> list[Delivery]:
    """Claim every pending row due at ``now``, and every claim left without progress for
    ``takeover``: those to deliver come back; the rest are skipped by the late rule."""
    rows = (
        await session.execute(
            select(TalkReminder, Talk)
            .join(Talk, Talk.id == TalkReminder.talk_id)
            .where(
                or_(
                    (TalkReminder.status == REMINDER_PENDING) & (TalkReminder.due_at <= now),
                    (TalkReminder.status == REMINDER_SENT)
                    & TalkReminder.claim.is_not(None)
                    & (TalkReminder.claimed_at <= now - takeover),
                )
            )
            .order_by(TalkReminder.due_at, TalkReminder.id)
        )
    ).all()
    by_talk: dict[int, list[tuple[TalkReminder, Talk]]] = defaultdict(list)
    stale: list[tuple[TalkReminder, Talk]] = []
    for reminder, talk in rows:
        if reminder.status == REMINDER_PENDING:
            by_talk[talk.id].append((reminder, talk))
        else:
            stale.append((reminder, talk))
    verdicts: list[tuple[TalkReminder, Talk, bool]] = []
    for group in by_talk.values():
        reminders = [(r, t) for r, t in group if r.kind not in (NOTICE_CANCELLED, NOTICE_MOVED)]
        notices = [(r, t) for r, t in group if (r, t) not in reminders]
        for reminder, talk in notices:
            verdicts.append((reminder, talk, _send_now(reminder, talk, now)))
        latest = max(reminders, key=lambda rt: (rt[0].due_at, rt[0].id), default=None)
        for reminder, talk in reminders:
            send = _send_now(reminder, talk, now) and (reminder, talk) == latest
            verdicts.append((reminder, talk, send))
    out: list[Delivery] = []
    for reminder, talk, send in verdicts:
        claim = uuid4().hex
        values = {"status": REMINDER_SENT if send else REMINDER_SKIPPED, "done_at": now}
        if send:
            values |= {"claim": claim, "claimed_at": now, "sent_through": None}
        claimed = await session.execute(
            update(TalkReminder)
            .where(TalkReminder.id == reminder.id, TalkReminder.status == REMINDER_PENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if send and getattr(claimed, "rowcount", 0) == 1:
            out.append(Delivery(reminder.id, reminder.kind, TalkView.of(talk), claim))
    # A talk whose newer reminder goes out now needs no rest of an older one.
    superseded = {
        talk.id
        for reminder, talk, send in verdicts
        if send and reminder.kind not in (NOTICE_CANCELLED, NOTICE_MOVED)
    }
    for reminder, talk in stale:
        # Taken over by a conditional update on the dead claim: two takers cannot both win.
        notice = reminder.kind in (NOTICE_CANCELLED, NOTICE_MOVED)
        send = _send_now(reminder, talk, now) and (notice or talk.id not in superseded)
        claim = uuid4().hex
        # Given up (too late): still "sent" when some of it went out (the channel post at
        # least), so a later move or cancellation tells those people.
        given_up = REMINDER_SENT if reminder.sent_through is not None else REMINDER_SKIPPED
        taken = await session.execute(
            update(TalkReminder)
            .where(TalkReminder.id == reminder.id, TalkReminder.claim == reminder.claim)
            .values(
                {"claim": claim, "claimed_at": now}
                if send
                else {"claim": None, "status": given_up, "done_at": now}
            )
            .execution_options(synchronize_session=False)
        )
        if send and getattr(taken, "rowcount", 0) == 1:
            out.append(
                Delivery(
                    reminder.id, reminder.kind, TalkView.of(talk), claim, reminder.sent_through
                )
            )
    out.sort(key=lambda d: (d.talk.start, d.reminder_id))
    return out


async def record_progress(
    session: AsyncSession, delivery: Delivery, sent_through: int, now: datetime, *, done: bool
) -> bool:
    """Record that the messages up to ``sent_through`` went out (``done``: all of them, the
    claim is released). False when the claim is no longer this delivery's (taken over): the
    caller stops."""
    values: dict[str, object] = {"sent_through": sent_through, "claimed_at": now}
    if done:
        values |= {"claim": None, "done_at": now}
    result = await session.execute(
        update(TalkReminder)
        .where(TalkReminder.id == delivery.reminder_id, TalkReminder.claim == delivery.claim)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def next_reminder_due(
    session: AsyncSession, takeover: timedelta = timedelta(minutes=2)
) -> datetime | None:
    pending: datetime | None = await session.scalar(
        select(func.min(TalkReminder.due_at)).where(TalkReminder.status == REMINDER_PENDING)
    )
    claimed: datetime | None = await session.scalar(
        select(func.min(TalkReminder.claimed_at)).where(
            TalkReminder.status == REMINDER_SENT, TalkReminder.claim.is_not(None)
        )
    )
    times = [t for t in (pending, None if claimed is None else claimed + takeover) if t]
    return min(times, default=None)


async def pending_count(session: AsyncSession, now: datetime) -> int:
    """Reminders and notices due and not yet delivered (the reminders job's backlog),
    those being delivered included."""
    count = await session.scalar(
        select(func.count())
        .select_from(TalkReminder)
        .where(
            or_(
                (TalkReminder.status == REMINDER_PENDING) & (TalkReminder.due_at <= now),
                (TalkReminder.status == REMINDER_SENT) & TalkReminder.claim.is_not(None),
            )
        )
    )
    return int(count or 0)
