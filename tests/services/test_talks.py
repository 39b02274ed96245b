"""The talks rules on a real database: what calendar changes do to talks and reminders, the
late rule, claiming under concurrency, subscriptions and the sync's state."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clients.calendar import CalendarEvent
from bot.db import Database
from bot.models import TalkReminder
from bot.services import talks

START = datetime(2024, 3, 26, 17, 0, tzinfo=UTC)
NOW = datetime(2024, 3, 20, 10, 0, tzinfo=UTC)
OFFSETS = [timedelta(hours=24), timedelta(hours=1), timedelta(minutes=10)]


def event(event_id: str = "k1", start: datetime = START, **changes: object) -> CalendarEvent:
    fields: dict[str, object] = {
        "id": event_id,
        "summary": "Keynote",
        "description": "",
        "start": start,
        "end": start + timedelta(hours=1),
        "status": "confirmed",
        "cancelled": False,
    }
    fields.update(changes)
    return CalendarEvent(**fields)  # type: ignore[arg-type]


async def apply(
    db: Database, *events: CalendarEvent, full: bool = False, now: datetime = NOW
) -> list[str]:
    changes = await db.write(
        lambda s: talks.apply_changes(s, list(events), full=full, now=now, offsets=OFFSETS)
    )
    return [change.kind for change in changes]


async def reminders(db: Database) -> list[tuple[str, str, datetime]]:
    async with db.read() as session:
        rows = await session.scalars(
            select(TalkReminder).order_by(TalkReminder.due_at, TalkReminder.id)
        )
        return [(r.kind, r.status, r.due_at) for r in rows]


async def claim(db: Database, now: datetime) -> list[str]:
    """Claim what is due and record it delivered (every message out)."""
    deliveries = await db.write(lambda s: talks.claim_due(s, now))
    for d in deliveries:
        assert await db.write(lambda s, d=d: talks.record_progress(s, d, 0, now, done=True))
    return [d.kind for d in deliveries]


async def test_a_claim_left_without_progress_is_taken_over_from_where_it_stopped(
    db: Database,
) -> None:
    await apply(db, event())
    at = START - timedelta(hours=24)
    [first] = await db.write(lambda s: talks.claim_due(s, at))
    assert first.sent_through is None
    # The channel post and one subscriber's DM recorded; then the process dies.
    assert await db.write(lambda s: talks.record_progress(s, first, 0, at, done=False))
    assert await db.write(lambda s: talks.record_progress(s, first, 42, at, done=False))
    takeover = timedelta(minutes=2)
    async with db.read() as session:
        assert await talks.next_reminder_due(session, takeover) == at + takeover
    # Not before the takeover time: its process may still be delivering it.
    assert await db.write(lambda s: talks.claim_due(s, at + timedelta(minutes=1))) == []
    later = at + takeover
    [second] = await db.write(lambda s: talks.claim_due(s, later))
    assert (second.reminder_id, second.sent_through) == (first.reminder_id, 42)
    assert second.claim != first.claim
    # The old claim can no longer record anything: its process would stop.
    assert not await db.write(lambda s: talks.record_progress(s, first, 43, later, done=False))
    assert await db.write(lambda s: talks.record_progress(s, second, 43, later, done=True))
    assert await db.write(lambda s: talks.claim_due(s, later + timedelta(hours=1))) == []
    assert [status for kind, status, _ in await reminders(db) if kind == "24h"] == ["sent"]


async def test_a_claim_taken_over_after_the_talk_started_is_skipped(db: Database) -> None:
    await apply(db, event())
    at = START - timedelta(minutes=10)
    [first] = await db.write(lambda s: talks.claim_due(s, at))
    assert first.kind == "10m"
    assert await db.write(lambda s: talks.claim_due(s, START)) == []
    statuses = {kind: status for kind, status, _ in await reminders(db)}
    assert statuses["10m"] == "skipped"
    async with db.read() as session:
        assert await talks.pending_count(session, START) == 0


def test_reminder_kinds_are_written_as_configured() -> None:
    assert [talks.reminder_kind(o) for o in OFFSETS] == ["24h", "1h", "10m"]
    assert talks.reminder_kind(timedelta(minutes=90)) == "90m"
    assert talks.reminder_kind(timedelta(seconds=45)) == "45s"


async def test_a_new_talk_plans_its_reminders_and_a_second_read_changes_nothing(
    db: Database,
) -> None:
    assert await apply(db, event()) == ["created"]
    assert await reminders(db) == [
        ("24h", "pending", START - timedelta(hours=24)),
        ("1h", "pending", START - timedelta(hours=1)),
        ("10m", "pending", START - timedelta(minutes=10)),
    ]
    assert await apply(db, event(), full=True) == []
    assert len(await reminders(db)) == 3


async def test_a_full_read_cancels_talks_missing_from_it(db: Database) -> None:
    await apply(db, event("k1"), event("k2"))
    assert await apply(db, event("k1"), full=True) == ["cancelled"]
    async with db.read() as session:
        left = await talks.upcoming(session, NOW, 10)
    assert [t.calendar_event_id for t in left] == ["k1"]


async def test_each_reminder_goes_once_and_the_late_rule_keeps_only_the_latest(
    db: Database,
) -> None:
    await apply(db, event())
    assert await claim(db, START - timedelta(hours=24)) == ["24h"]
    assert await claim(db, START - timedelta(hours=24)) == []
    # Down from before the 1 h reminder until 5 minutes before the start: only the 10 min one.
    assert await claim(db, START - timedelta(minutes=5)) == ["10m"]
    statuses = [(kind, status) for kind, status, _ in await reminders(db)]
    assert statuses == [("24h", "sent"), ("1h", "skipped"), ("10m", "sent")]


async def test_nothing_goes_out_once_the_talk_started(db: Database) -> None:
    await apply(db, event())
    assert await claim(db, START + timedelta(minutes=1)) == []
    async with db.read() as session:
        assert await talks.next_reminder_due(session) is None


async def test_moving_replans_and_cancelling_after_a_reminder_plans_a_notice(db: Database) -> None:
    await apply(db, event())
    assert await claim(db, START - timedelta(hours=24)) == ["24h"]
    later = START + timedelta(days=1)
    assert await apply(db, event(start=later), now=START - timedelta(hours=23)) == ["moved"]
    assert await claim(db, START - timedelta(hours=23)) == ["moved"]
    # Moved back: what went out for that start still counts.
    assert await apply(db, event(), now=START - timedelta(hours=22)) == ["moved"]
    assert await claim(db, START - timedelta(hours=1)) == ["moved", "1h"]
    assert await apply(
        db, event(status="cancelled", cancelled=True), now=START - timedelta(minutes=30)
    ) == ["cancelled"]
    assert await claim(db, START - timedelta(minutes=30)) == ["cancelled"]
    assert await claim(db, START) == []


async def test_a_talk_cancelled_before_any_reminder_gets_no_notice(db: Database) -> None:
    await apply(db, event())
    await apply(db, event(status="cancelled", cancelled=True))
    assert await claim(db, START) == []
    assert await reminders(db) == []


async def test_concurrent_claims_deliver_each_reminder_once(db: Database) -> None:
    await apply(db, *(event(f"k{i}", START + timedelta(minutes=i)) for i in range(10)))
    moment = START - timedelta(hours=24) + timedelta(minutes=10)
    results = await asyncio.gather(*(claim(db, moment) for _ in range(8)))
    assert sorted(kind for result in results for kind in result) == ["24h"] * 10


async def test_subscriptions(db: Database) -> None:
    assert await db.write(lambda s: talks.subscribe(s, 7, NOW)) is True
    assert await db.write(lambda s: talks.subscribe(s, 7, NOW)) is False
    async with db.read() as session:
        assert await talks.subscribers(session) == [7]
    assert await db.write(lambda s: talks.unsubscribe(s, 7)) is True
    assert await db.write(lambda s: talks.unsubscribe(s, 7)) is False


async def test_sync_state_backs_off_and_alerts_once(db: Database) -> None:
    every, cap = timedelta(minutes=5), timedelta(hours=1)
    state = await db.write(lambda s: talks.record_success(s, "tok", NOW, 2))
    async with db.read() as session:
        state = await talks.read_sync_state(session)
    assert state.sync_token == "tok" and state.next_due(every, cap) == NOW + every
    alerts = []
    moment = NOW
    for _ in range(5):
        moment += timedelta(minutes=5)
        state, alert = await db.write(
            lambda s, m=moment: talks.record_failure(s, "unavailable", m, 3)
        )
        alerts.append(alert)
    assert alerts == [False, False, True, False, False]
    assert state.sync_token == "tok" and state.failures == 5
    assert state.next_due(every, cap) == moment + cap
    before = await db.write(lambda s: talks.record_success(s, "tok2", moment, 0))
    assert before.alerted


async def test_a_claim_partly_delivered_and_given_up_stays_sent(db: Database) -> None:
    await apply(db, event())
    at = START - timedelta(minutes=10)
    [first] = await db.write(lambda s: talks.claim_due(s, at))
    assert await db.write(lambda s: talks.record_progress(s, first, 0, at, done=False))
    assert await db.write(lambda s: talks.claim_due(s, START)) == []
    # The channel post went out: people were reminded, so a later move tells them.
    statuses = {kind: status for kind, status, _ in await reminders(db)}
    assert statuses["10m"] == "sent"
    async with db.read() as session:
        assert await talks.pending_count(session, START) == 0
        assert await talks.next_reminder_due(session) is None


async def test_a_claim_taken_over_when_a_newer_reminder_is_due_gives_way_to_it(
    db: Database,
) -> None:
    await apply(db, event())
    assert await claim(db, START - timedelta(hours=24)) == ["24h"]
    at = START - timedelta(hours=1)
    [first] = await db.write(lambda s: talks.claim_due(s, at))
    assert first.kind == "1h"
    # The process dies; the next run is when the 10 min one is due: only that one goes out.
    later = START - timedelta(minutes=10)
    assert [d.kind for d in await db.write(lambda s: talks.claim_due(s, later))] == ["10m"]
    statuses = {kind: status for kind, status, _ in await reminders(db)}
    assert statuses["1h"] == "skipped"  # nothing of it had gone out
