"""Reminders at every offset, in the talks channel (mentioning only the opt-in role) and by DM
to subscribers; exactly once across a restart; the late rule; moved and cancelled talks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.discord.mentions import channel_mention, role_mention
from bot.discord.timestamps import discord_ts
from sandbox.harness import MemberSpec, Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import PUBLIC, SPANISH, english, expected
from tests.integration.talks_support import MARCH, SERIES, by_id, instance, talk_state
from tests.integration.teams_support import messages, of_type, ok, reply_text

FIRST = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)  # the first keynote
ROLE = "avisos-charlas"


async def subscribed(make_sandbox: MakeSandbox) -> Sandbox:
    """March with the keynote series read once; ana subscribed, bea not."""
    sandbox = await make_sandbox(
        members={"olga": ("organizer",), "ana": ("participant",), "bea": ("participant",)},
        clock=MARCH,
        settings={"talks": {"sync_every": "6h", "calendar_retries": 0}},
    )
    sandbox.calendar.load([SERIES], calendar_id=sandbox.calendar_id)
    ok(await sandbox.advance(timedelta(seconds=1)))
    ok(await sandbox.run("ana", "talks subscribe"))
    return sandbox


def reminder(sandbox: Sandbox, key: str, start: datetime, title: str = "Keynote") -> str:
    assert sandbox.bot is not None
    role = sandbox.bot.role("talk_alerts")
    assert role is not None
    text = expected(
        key, PUBLIC, title=title, when=discord_ts(start, "R"), at=discord_ts(start, "F")
    )
    return f"{role_mention(role.id)} {text}"


def delivered(outcome: Any) -> list[tuple[str, str]]:
    return [(m["channel"], m["content"]) for m in messages(outcome)]


async def test_subscribe_gives_the_alerts_role_and_unsubscribe_takes_it(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members={"ana": ("participant",)}, clock=MARCH)
    assert sandbox.bot is not None
    role = sandbox.bot.role("talk_alerts")
    assert role is not None
    outcome = ok(await sandbox.run("ana", "talks subscribe"))
    channel_id = sandbox.bot.place.channel_id("talks", sandbox.bot)
    assert channel_id is not None
    assert reply_text(outcome) == expected(
        "talks.subscribe.done_role", role=role_mention(role.id), channel=channel_mention(channel_id)
    )
    assert of_type(outcome, "role_added") == [{"type": "role_added", "member": "ana", "role": ROLE}]
    again = ok(await sandbox.run("ana", "talks subscribe"))
    assert reply_text(again) == expected("talks.subscribe.already")

    left = ok(await sandbox.run("ana", "talks unsubscribe"))
    assert reply_text(left) == expected("talks.unsubscribe.done")
    assert of_type(left, "role_removed") == [
        {"type": "role_removed", "member": "ana", "role": ROLE}
    ]
    nothing = ok(await sandbox.run("ana", "talks unsubscribe"))
    assert reply_text(nothing) == expected("talks.unsubscribe.not_subscribed")


async def test_reminders_at_every_offset_ping_only_the_role_and_dm_subscribers(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await subscribed(make_sandbox)
    for offset, label in (
        (timedelta(hours=24), "24h"),
        (timedelta(hours=1), "1h"),
        (timedelta(minutes=10), "10m"),
    ):
        outcome = ok(await sandbox.advance_until(FIRST - offset))
        text = reminder(sandbox, "talks.reminder.upcoming", FIRST)
        plain = expected(
            "talks.reminder.upcoming",
            SPANISH,
            title="Keynote",
            when=discord_ts(FIRST, "R"),
            at=discord_ts(FIRST, "F"),
        )
        assert delivered(outcome) == [("charlas", text), ("dm:ana", plain)], label
        [post] = messages(outcome, "charlas")
        assert post["mentions"] == {"everyone": False, "roles": [ROLE], "users": []}
        assert (
            by_id(await talk_state(sandbox))[instance("2024-03-05")]["reminders_sent"][-1] == label
        )
    assert by_id(await talk_state(sandbox))[instance("2024-03-05")]["reminders_sent"] == [
        "24h",
        "1h",
        "10m",
    ]
    # The talk starts: nothing more for it.
    after = ok(await sandbox.advance_until(FIRST + timedelta(hours=2)))
    assert delivered(after) == []


async def test_a_restart_between_two_reminders_sends_each_once(make_sandbox: MakeSandbox) -> None:
    sandbox = await subscribed(make_sandbox)
    first = ok(await sandbox.advance_until(FIRST - timedelta(hours=24)))
    assert len(messages(first, "charlas")) == 1
    await sandbox.restart()
    second = ok(await sandbox.advance_until(FIRST - timedelta(hours=1)))
    assert delivered(second) == [
        ("charlas", reminder(sandbox, "talks.reminder.upcoming", FIRST)),
        (
            "dm:ana",
            expected(
                "talks.reminder.upcoming",
                SPANISH,
                title="Keynote",
                when=discord_ts(FIRST, "R"),
                at=discord_ts(FIRST, "F"),
            ),
        ),
    ]
    await sandbox.restart()
    third = ok(await sandbox.advance_until(FIRST))
    assert len(messages(third, "charlas")) == 1
    assert by_id(await talk_state(sandbox))[instance("2024-03-05")]["reminders_sent"] == [
        "24h",
        "1h",
        "10m",
    ]


async def test_late_reminders_only_while_they_make_sense(make_sandbox: MakeSandbox) -> None:
    """Down from before the 24 h reminder until 5 minutes before the talk: only the 10 min
    reminder goes out; for a talk that started while the bot was down, none."""
    sandbox = await subscribed(make_sandbox)
    await sandbox.kill_bot()
    sandbox.clock.set(FIRST - timedelta(minutes=5))
    await sandbox.start_bot()
    back = ok(await sandbox.advance(timedelta(seconds=1)))
    assert [m["content"] for m in messages(back, "charlas")] == [
        reminder(sandbox, "talks.reminder.upcoming", FIRST)
    ]
    assert by_id(await talk_state(sandbox))[instance("2024-03-05")]["reminders_sent"] == ["10m"]

    second = FIRST + timedelta(days=7)
    await sandbox.kill_bot()
    sandbox.clock.set(second + timedelta(minutes=1))
    await sandbox.start_bot()
    late = ok(await sandbox.advance(timedelta(seconds=1)))
    assert messages(late, "charlas") == []
    assert by_id(await talk_state(sandbox))[instance("2024-03-12")]["reminders_sent"] == []


async def test_a_cancelled_talk_gets_a_notice_only_if_reminded(make_sandbox: MakeSandbox) -> None:
    sandbox = await subscribed(make_sandbox)
    ok(await sandbox.advance_until(FIRST - timedelta(hours=24)))
    sandbox.calendar.cancel(instance("2024-03-05"))
    sandbox.calendar.cancel(instance("2024-03-12"))  # never reminded
    outcome = ok(await sandbox.advance(timedelta(hours=6)))
    notice = expected(
        "talks.reminder.cancelled",
        PUBLIC,
        title="Keynote",
        when=discord_ts(FIRST, "R"),
        at=discord_ts(FIRST, "F"),
    )
    assert [m["content"] for m in messages(outcome, "charlas")] == [
        reminder(sandbox, "talks.reminder.cancelled", FIRST)
    ]
    assert [m["content"] for m in messages(outcome, "dm:ana")] == [notice]
    rest = ok(await sandbox.advance_until(FIRST + timedelta(days=8)))
    assert messages(rest, "charlas") == []
    talks = by_id(await talk_state(sandbox))
    assert talks[instance("2024-03-05")]["cancelled"] and talks[instance("2024-03-12")]["cancelled"]


async def test_a_moved_talk_gets_its_reminders_moved(make_sandbox: MakeSandbox) -> None:
    sandbox = await subscribed(make_sandbox)
    ok(await sandbox.advance_until(FIRST - timedelta(hours=24)))
    later = FIRST + timedelta(days=1)
    sandbox.calendar.upsert(
        {
            "id": instance("2024-03-05"),
            "start": "2024-03-06T17:00:00Z",
            "end": "2024-03-06T18:00:00Z",
        }
    )
    moved = ok(await sandbox.advance(timedelta(hours=6)))
    assert [m["content"] for m in messages(moved, "charlas")] == [
        reminder(sandbox, "talks.reminder.moved", later)
    ]
    # Nothing at the old times (1 h and 10 min before the old start); the three reminders at
    # the new ones (the new 24 h one falls at the old start).
    old = ok(await sandbox.advance_until(FIRST - timedelta(minutes=1)))
    assert messages(old, "charlas") == []
    new = ok(await sandbox.advance_until(later))
    assert [m["content"] for m in messages(new, "charlas")] == [
        reminder(sandbox, "talks.reminder.upcoming", later)
    ] * 3
    assert by_id(await talk_state(sandbox))[instance("2024-03-05")]["reminders_sent"] == [
        "24h",
        "1h",
        "10m",
    ]


async def test_a_hostile_title_pings_nobody_and_closed_dms_stop_nothing(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(
        members={
            "ana": ("participant",),
            "eva": MemberSpec(roles=("participant",), dms=False),
        },
        clock=MARCH,
        settings={"talks": {"sync_every": "6h"}},
    )
    title = "@everyone <@&1> **gratis** https://x.example"
    start = datetime(2024, 3, 2, 17, 0, tzinfo=UTC)
    sandbox.calendar.load(
        [
            {
                "id": "t",
                "summary": title,
                "start": "2024-03-02T17:00:00Z",
                "end": "2024-03-02T18:00:00Z",
            }
        ],
        calendar_id=sandbox.calendar_id,
    )
    ok(await sandbox.run("eva", "talks subscribe"))
    ok(await sandbox.run("ana", "talks subscribe"))
    created = ok(await sandbox.advance(timedelta(seconds=1)))
    assert [e["name"] for e in of_type(created, "scheduled_event_created")] == [title]

    outcome = ok(await sandbox.advance_until(start - timedelta(minutes=10)))
    posts = messages(outcome, "charlas")
    # 24 h, 1 h and 10 min before.
    assert [p["content"] for p in posts] == [
        reminder(sandbox, "talks.reminder.upcoming", start, title)
    ] * 3
    assert all(p["mentions"] == {"everyone": False, "roles": [ROLE], "users": []} for p in posts)
    assert of_type(outcome, "dm_failed") == [{"type": "dm_failed", "to": "eva"}] * 3
    assert len(messages(outcome, "dm:ana")) == 3


async def test_a_member_who_leaves_gets_no_more_reminders(make_sandbox: MakeSandbox) -> None:
    sandbox = await subscribed(make_sandbox)
    ok(await sandbox.leave("ana"))
    outcome = ok(await sandbox.advance_until(FIRST - timedelta(hours=24)))
    assert [m["channel"] for m in messages(outcome)] == ["charlas"]
    assert of_type(outcome, "dm_failed") == []


async def test_one_talks_command_at_a_time_per_member(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members={"ana": ("participant",)}, clock=MARCH)
    outcome = await sandbox.step(
        lambda: asyncio.gather(
            sandbox.discord.run_command(sandbox.guild_id, "ana", "talks subscribe", {}),
            sandbox.discord.run_command(sandbox.guild_id, "ana", "talks unsubscribe", {}),
        )
    )
    assert outcome.errors == []
    texts = [replies[-1]["content"] for replies in outcome.replies]
    assert texts.count(expected("core.errors.busy")) == 1, texts


async def test_reminders_reuse_the_dm_channel_opened_at_subscription(
    make_sandbox: MakeSandbox,
) -> None:
    """Discord lets a bot open about one DM a second: a reminder to a thousand subscribers
    opening each DM would arrive a quarter of an hour late. The DM is opened once, when the
    member subscribes; a reminder is one message per subscriber."""
    sandbox = await subscribed(make_sandbox)
    await sandbox.restart()  # the ids come from the database, not from discord.py's cache
    sandbox.discord.exchanges = []
    outcome = ok(await sandbox.advance_until(FIRST - timedelta(hours=24)))
    assert [m["channel"] for m in messages(outcome)] == ["charlas", "dm:ana"]
    opened = [e for e in sandbox.discord.exchanges if e.path.endswith("/users/@me/channels")]
    assert opened == []


async def test_reminders_keep_going_while_the_calendar_is_down(make_sandbox: MakeSandbox) -> None:
    sandbox = await subscribed(make_sandbox)
    sandbox.calendar.set_fault("500", count=100)
    outcome = ok(await sandbox.advance_until(FIRST - timedelta(hours=24)))
    assert [m["content"] for m in messages(outcome, "charlas")] == [
        reminder(sandbox, "talks.reminder.upcoming", FIRST)
    ]
    assert len(messages(outcome, "organizacion")) == 1  # the calendar outage, told once


async def test_replies_and_dms_follow_the_members_language(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(
        members={"dani": MemberSpec(roles=("participant",), locale="en-US")},
        clock=MARCH,
        settings={"talks": {"sync_every": "6h"}},
    )
    sandbox.calendar.load([SERIES], calendar_id=sandbox.calendar_id)
    assert sandbox.bot is not None
    role = sandbox.bot.role("talk_alerts")
    channel_id = sandbox.bot.place.channel_id("talks", sandbox.bot)
    assert role is not None and channel_id is not None
    outcome = ok(await sandbox.run("dani", "talks subscribe"))
    assert reply_text(outcome) == english(
        "talks.subscribe.done_role", role=role_mention(role.id), channel=channel_mention(channel_id)
    )
    reminded = ok(await sandbox.advance_until(FIRST - timedelta(hours=24)))
    [dm] = messages(reminded, "dm:dani")
    assert dm["content"] == english(
        "talks.reminder.upcoming",
        title="Keynote",
        when=discord_ts(FIRST, "R"),
        at=discord_ts(FIRST, "F"),
    )
