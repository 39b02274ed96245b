"""The mentoring jobs on a narrow context, without a bot: what they deliver is observed through
the notifier, what they record through the database."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update

from bot.clock import ManualClock
from bot.db import Database
from bot.discord.mentions import mention
from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.models import Team
from bot.services import mentors
from bot.services.mentors import MentorRules
from bot.settings import Settings
from jobs import mentors_reminders, mentors_reping
from tests.services import create, rules_of
from tests.test_jobs import RecordingNotifier, make_context

MENTOR, CAPTAIN = 100, 1


async def booked(settings: Settings, db: Database, clock: ManualClock) -> int:
    """Team "Los Tigres" (thread 555) books mentor 100's slot of 2024-03-21 18:00 Madrid."""
    now = clock.now()
    team_id = await create(db, rules_of(settings), now, CAPTAIN, "Los Tigres")
    rules = MentorRules.from_settings(settings.config)
    async with db.transaction() as session:
        await session.execute(update(Team).where(Team.id == team_id).values(thread_id=555))
        await mentors.set_profile(
            session,
            rules,
            user_id=MENTOR,
            expertise="rag",
            languages=None,
            timezone=None,
            bio=None,
            now=now,
        )
        [slot] = await mentors.add_slots(
            session,
            rules,
            mentor_id=MENTOR,
            start="2024-03-21 18:00",
            duration=None,
            repeat_weeks=0,
            now=now,
        )
    async with db.transaction() as session:
        booking = await mentors.book(
            session, rules, user_id=CAPTAIN, slot_id=slot.id, topic="rag", now=now
        )
    return booking.id


async def test_reminders_are_sent_at_each_offset_exactly_once(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    await booked(settings, db, clock)
    ctx = make_context(settings, db, clock)
    start = (await mentors_reminders.next_due(ctx)) + timedelta(hours=1)  # type: ignore[operator]
    assert await mentors_reminders.waiting(ctx) == 2

    assert await mentors_reminders.remind(ctx) is None  # nothing due yet
    clock.set(start - timedelta(hours=1))
    first = await mentors_reminders.remind(ctx)
    again = await mentors_reminders.remind(ctx)  # a second run at the same moment
    clock.set(start - timedelta(minutes=10))
    second = await mentors_reminders.remind(ctx)

    assert (first, again, second) == (
        "core.jobs.mentor_reminders|1",
        None,
        "core.jobs.mentor_reminders|1",
    )
    assert isinstance(ctx.notifier, RecordingNotifier)
    when = {"start": discord_ts(start, "F"), "when": discord_ts(start, "R")}
    one = [
        ("thread", 555, Message("mentors.reminder.thread", mentor=mention(MENTOR), **when)),
        (
            "dm",
            MENTOR,
            Message("mentors.reminder.mentor_dm", team="Los Tigres", topic="rag", **when),
        ),
        (
            "dm",
            CAPTAIN,
            Message(
                "mentors.reminder.member_dm", team="Los Tigres", mentor=mention(MENTOR), **when
            ),
        ),
    ]
    assert [(k, w, repr(m)) for k, w, m in ctx.notifier.sent] == [
        (k, w, repr(m)) for k, w, m in one + one
    ]
    assert await mentors_reminders.next_due(ctx) is None
    assert await mentors_reminders.waiting(ctx) == 0


async def test_a_cancelled_booking_has_no_reminder(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    booking_id = await booked(settings, db, clock)
    async with db.transaction() as session:
        await mentors.cancel_booking(
            session, booking_id=booking_id, actor_id=CAPTAIN, now=clock.now()
        )
    ctx = make_context(settings, db, clock)
    clock.advance(timedelta(days=1, hours=7, minutes=55))

    assert await mentors_reminders.remind(ctx) is None
    assert await mentors_reminders.next_due(ctx) is None
    assert isinstance(ctx.notifier, RecordingNotifier) and ctx.notifier.sent == []


async def test_an_unclaimed_request_is_announced_again_once_per_period(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    await create(db, rules_of(settings), clock.now(), CAPTAIN, "Los Tigres")
    rules = MentorRules.from_settings(settings.config)
    created = clock.now()
    async with db.transaction() as session:
        await mentors.create_request(
            session,
            rules,
            user_id=CAPTAIN,
            topic="rag",
            details="¿RAG o fine-tuning?",
            mentor_id=None,
            now=created,
        )
    ctx = make_context(settings, db, clock)
    assert await mentors_reping.next_due(ctx) == created + rules.reping_after
    assert await mentors_reping.waiting(ctx) == 1

    clock.advance(rules.reping_after - timedelta(seconds=1))
    early = await mentors_reping.reping(ctx)
    clock.advance(timedelta(seconds=1))
    due = await mentors_reping.reping(ctx)
    twice = await mentors_reping.reping(ctx)

    assert (early, due, twice) == (None, "core.jobs.mentor_repings|1", None)
    assert isinstance(ctx.notifier, RecordingNotifier)
    assert [(k, w, repr(m)) for k, w, m in ctx.notifier.sent] == [
        (
            "post",
            "mentors",
            repr(
                Message(
                    "mentors.request.reping",
                    team="Los Tigres",
                    topic="rag",
                    since=discord_ts(created, "R"),
                )
            ),
        )
    ]
    assert await mentors_reping.next_due(ctx) == clock.now() + rules.reping_after


class Killed(Exception):
    """The process died while Discord was being asked (nothing after it runs)."""


class DyingNotifier(RecordingNotifier):
    """Dies on the ``dies_at``-th message it is asked to send, before Discord has it."""

    def __init__(self, dies_at: int) -> None:
        super().__init__()
        self.dies_at = dies_at

    def _maybe_die(self) -> None:
        if len(self.sent) + 1 == self.dies_at:
            raise Killed

    async def to_thread(self, thread_id: int, message: Message, /) -> bool:
        self._maybe_die()
        return await super().to_thread(thread_id, message)

    async def dm(self, user_id: int, message: Message, /, channel_id: int | None = None) -> bool:
        self._maybe_die()
        return await super().dm(user_id, message, channel_id=channel_id)


async def test_a_reminder_interrupted_is_finished_from_where_it_stopped_after_the_takeover(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    await booked(settings, db, clock)
    ctx = make_context(settings, db, clock)
    start = (await mentors_reminders.next_due(ctx)) + timedelta(hours=1)  # type: ignore[operator]
    takeover = settings.config.mentors.reminder_takeover
    # The thread's message went out, the mentor's DM did not.
    dying = replace(ctx, notifier=DyingNotifier(dies_at=2))
    clock.set(start - timedelta(hours=1))
    with contextlib.suppress(Killed):
        await mentors_reminders.remind(dying)
    assert isinstance(dying.notifier, RecordingNotifier)
    assert [kind for kind, _, _ in dying.notifier.sent] == ["thread"]
    assert await mentors_reminders.next_due(ctx) == clock.now() + takeover
    assert await mentors_reminders.waiting(ctx) == 2  # the one in flight and the 10 min one

    clock.advance(takeover - timedelta(seconds=1))
    assert await mentors_reminders.remind(ctx) is None  # its process may still be at it
    clock.advance(timedelta(seconds=1))
    assert await mentors_reminders.remind(ctx) == "core.jobs.mentor_reminders|1"
    assert isinstance(ctx.notifier, RecordingNotifier)
    assert [(kind, who) for kind, who, _ in ctx.notifier.sent] == [("dm", MENTOR), ("dm", CAPTAIN)]
    assert await mentors_reminders.remind(ctx) is None
    assert await mentors_reminders.waiting(ctx) == 1  # the 10 min one


async def test_a_reminder_interrupted_too_close_to_the_session_is_given_up(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    await booked(settings, db, clock)
    ctx = make_context(settings, db, clock)
    start = (await mentors_reminders.next_due(ctx)) + timedelta(hours=1)  # type: ignore[operator]
    dying = replace(ctx, notifier=DyingNotifier(dies_at=1))
    clock.set(start - timedelta(minutes=1))
    with contextlib.suppress(Killed):
        await mentors_reminders.remind(dying)
    clock.set(start)
    assert await mentors_reminders.remind(ctx) is None
    assert await mentors_reminders.next_due(ctx) is None
    assert isinstance(ctx.notifier, RecordingNotifier) and ctx.notifier.sent == []


async def test_an_interrupted_reminder_gives_way_to_a_nearer_one_due_at_the_takeover(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    await booked(settings, db, clock)
    ctx = make_context(settings, db, clock)
    start = (await mentors_reminders.next_due(ctx)) + timedelta(hours=1)  # type: ignore[operator]
    dying = replace(ctx, notifier=DyingNotifier(dies_at=2))
    clock.set(start - timedelta(hours=1))
    with contextlib.suppress(Killed):
        await mentors_reminders.remind(dying)
    clock.set(start - timedelta(minutes=10))
    assert await mentors_reminders.remind(ctx) == "core.jobs.mentor_reminders|1"
    assert isinstance(ctx.notifier, RecordingNotifier)
    assert [kind for kind, _, _ in ctx.notifier.sent] == ["thread", "dm", "dm"]
    assert await mentors_reminders.waiting(ctx) == 0
    assert await mentors_reminders.next_due(ctx) is None
