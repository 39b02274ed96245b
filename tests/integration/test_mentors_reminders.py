"""Reminders before a booked session, through the real bot and its scheduled job: in the
team's thread and by DM to both sides, at each configured offset, never lost or repeated by a
restart, never for a cancelled booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.discord.timestamps import discord_ts
from sandbox.harness import Sandbox, StepOutcome
from tests.integration.conftest import MakeSandbox
from tests.integration.mentors_support import bookings, people, profile, reminders, team
from tests.integration.replies import expected, mention_of
from tests.integration.teams_support import messages, ok

SESSION = datetime(2024, 3, 21, 16, 0, tzinfo=UTC)  # 10:00 in Mexico City


async def booked(make_sandbox: MakeSandbox) -> Sandbox:
    sandbox = await make_sandbox(members=people())
    await team(sandbox)
    await profile(sandbox, "mateo", timezone="America/Mexico_City")
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))
    ok(await sandbox.run("ana", "mentor book", {"topic": "rag"}))
    ok(await sandbox.choose("ana", index=0))
    return sandbox


def reminder_texts(sandbox: Sandbox) -> dict[str, str]:
    when = {"start": discord_ts(SESSION, "F"), "when": discord_ts(SESSION, "R")}
    return {
        "thread:Los Tigres": expected(
            "mentors.reminder.thread", "es", mentor=mention_of(sandbox, "mateo"), **when
        ),
        "dm:mateo": expected(
            "mentors.reminder.mentor_dm", "es", team="Los Tigres", topic="rag", **when
        ),
        "dm:ana": expected(
            "mentors.reminder.member_dm",
            "es",
            team="Los Tigres",
            mentor=mention_of(sandbox, "mateo"),
            **when,
        ),
    }


def sent(outcome: StepOutcome) -> dict[str, str]:
    return {m["channel"]: m["content"] for m in messages(outcome) if m["type"] == "message"}


async def test_reminders_reach_both_sides_once_each_across_a_restart(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await booked(make_sandbox)

    before = await sandbox.advance_until(SESSION - timedelta(hours=1, seconds=1))
    hour = await sandbox.advance_until(SESSION - timedelta(hours=1))
    await sandbox.restart()
    quiet = await sandbox.advance_until(SESSION - timedelta(minutes=10, seconds=1))
    ten = await sandbox.advance_until(SESSION - timedelta(minutes=10))
    await sandbox.restart()
    after = await sandbox.advance_until(SESSION + timedelta(hours=2))

    assert sent(before) == {}
    assert sent(hour) == reminder_texts(sandbox)
    assert sent(quiet) == {}
    assert sent(ten) == reminder_texts(sandbox)
    assert sent(after) == {}
    assert sorted(r.offset_seconds for r in await reminders(sandbox)) == [600, 3600]


async def test_a_reminder_due_while_the_bot_was_down_is_sent_once_when_it_is_back(
    make_sandbox: MakeSandbox,
) -> None:
    """Both offsets fell due while the bot was down: the nearest one is sent, once."""
    sandbox = await booked(make_sandbox)
    await sandbox.kill_bot()
    sandbox.clock.set(SESSION - timedelta(minutes=5))
    await sandbox.start_bot()

    back = await sandbox.advance(timedelta(seconds=1))
    later = await sandbox.advance(timedelta(minutes=1))

    assert sent(back) == reminder_texts(sandbox)
    assert sent(later) == {}
    assert sorted(r.offset_seconds for r in await reminders(sandbox)) == [600, 3600]


async def test_a_cancelled_booking_gets_no_reminder(make_sandbox: MakeSandbox) -> None:
    sandbox = await booked(make_sandbox)
    [booking] = await bookings(sandbox)
    ok(await sandbox.run("ana", "mentor cancel", {"booking": booking.id}))

    outcome = await sandbox.advance_until(SESSION + timedelta(hours=1))

    assert sent(outcome) == {}
    assert await reminders(sandbox) == []
