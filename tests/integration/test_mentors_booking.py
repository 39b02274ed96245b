"""Booking mentor sessions through the real bot: profiles, slots read in the mentor's time
zone (a daylight-saving change included), the slot menu, refusals that write nothing, and
cancelling from either side."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.text import Safe
from sandbox.harness import MemberSpec, StepOutcome
from tests.integration.conftest import MakeSandbox
from tests.integration.mentors_support import (
    bookings,
    people,
    profile,
    profile_of,
    slots,
    state,
    team,
)
from tests.integration.replies import assert_reply, expected, mention_of
from tests.integration.teams_support import audit_log, messages, ok, reply_text

MEXICO_10AM = datetime(2024, 3, 21, 16, 0, tzinfo=UTC)  # 10:00 in Mexico City (UTC-6)


async def test_a_mentor_without_profile_is_told_to_create_one_and_nothing_is_written(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=people())

    outcome = ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))

    assert_reply(outcome, "mentors.errors.no_profile")
    assert await slots(sandbox) == []
    assert await profile_of(sandbox, "mateo") is None


async def test_profile_takes_configured_tags_and_an_iana_zone(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=people())

    unknown_zone = ok(
        await sandbox.run(
            "mateo", "mentor profile", {"expertise": "rag", "timezone": "Mars/Olympus"}
        )
    )
    unknown_tag = ok(await sandbox.run("mateo", "mentor profile", {"expertise": "rag, cocina"}))
    saved = ok(
        await sandbox.run(
            "mateo",
            "mentor profile",
            {"expertise": "RAG, datasets", "languages": "es, en", "timezone": "America/Bogota"},
        )
    )

    assert_reply(unknown_zone, "mentors.errors.unknown_timezone", zone="Mars/Olympus")
    tags = "datasets, fine-tuning, evaluation, prompting, rag, gradio, deployment, bias"
    assert_reply(unknown_tag, "mentors.errors.unknown_tag", tag="cocina", tags=tags)
    assert_reply(
        saved,
        "mentors.profile.saved",
        expertise="rag, datasets",
        languages="es, en",
        zone="America/Bogota",
    )
    found = await profile_of(sandbox, "mateo")
    assert found is not None and found.timezone == "America/Bogota"
    # A profile without a zone gets the event's.
    ok(await sandbox.run("marta", "mentor profile", {"expertise": "gradio"}))
    marta = await profile_of(sandbox, "marta")
    assert marta is not None and marta.timezone == "Europe/Madrid"


async def test_participants_may_not_offer_slots(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=people())

    outcome = ok(await sandbox.run("ana", "mentor profile", {"expertise": "rag"}))

    assert_reply(outcome, "core.errors.missing_role", role=Message("core.roles.mentor"))
    assert await profile_of(sandbox, "ana") is None


async def test_a_team_books_a_slot_shown_as_discord_timestamps(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=people())
    await team(sandbox)
    await profile(sandbox, "mateo", timezone="America/Mexico_City")

    added = ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))
    listed = ok(await sandbox.run("ana", "mentor book", {"topic": "rag"}))
    booked = ok(await sandbox.choose("ana", index=0))

    start, when = discord_ts(MEXICO_10AM, "F"), discord_ts(MEXICO_10AM, "R")
    assert "<t:1711036800:F>" in reply_text(added)
    line = expected(
        "mentors.book.line", n=1, start=start, mentor=mention_of(sandbox, "mateo"), length=30
    )
    assert_reply(listed, "mentors.book.list_topic", topic="rag", slots=Safe(line))
    assert listed.replies[-1]["selects"] == [expected("mentors.book.placeholder")]
    assert_reply(
        booked,
        "mentors.book.done",
        team="Los Tigres",
        mentor=mention_of(sandbox, "mateo"),
        start=start,
        when=when,
    )
    assert [m["content"] for m in messages(booked, "thread:Los Tigres")] == [
        expected(
            "mentors.book.thread",
            "es",
            member=mention_of(sandbox, "ana"),
            mentor=mention_of(sandbox, "mateo"),
            start=start,
            when=when,
        )
    ]
    assert [m["content"] for m in messages(booked, "dm:mateo")] == [
        expected(
            "mentors.book.mentor_dm",
            "es",
            team="Los Tigres",
            topic="rag",
            start=start,
            when=when,
        )
    ]
    assert (await state(sandbox))["mentor_slots"] == [
        {
            "mentor": "mateo",
            "start": "2024-03-21T16:00:00Z",
            "end": "2024-03-21T16:30:00Z",
            "team": "Los Tigres",
        }
    ]
    # The booked slot is offered no more.
    await team(sandbox, "bea", "Las Águilas")
    again = ok(await sandbox.run("bea", "mentor book"))
    assert_reply(again, "mentors.book.none")


async def test_bad_input_gets_a_precise_message_and_writes_nothing(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=people())
    await profile(sandbox, "mateo")
    cases = [
        ({"start": "2024-03-21 25:00"}, "mentors.errors.bad_clock", {"clock": "25:00"}),
        ({"start": "2024-02-30 10:00"}, "mentors.errors.bad_date", {"day": "2024-02-30"}),
        ({"start": "mañana"}, "mentors.errors.bad_start", {"text": "mañana"}),
        ({"start": "2024-03-19 10:00"}, "mentors.errors.start_past", {"start": "2024-03-19 10:00"}),
        ({"start": "2024-03-21 10:00", "duration": "0m"}, "mentors.errors.duration_zero", {}),
        (
            {"start": "2024-03-21 10:00", "duration": "4h30m"},
            "mentors.errors.duration_too_long",
            {"count": 240},
        ),
        (
            {"start": "2024-03-21 10:00", "duration": "xx"},
            "mentors.errors.bad_duration",
            {"text": "xx"},
        ),
    ]
    for options, key, params in cases:
        outcome = ok(await sandbox.run("mateo", "mentor slots add", options))
        example = (
            {"example": "2024-03-12 18:00"} if "bad_clock" in key or "bad_start" in key else {}
        )
        assert_reply(outcome, key, **params, **example)
    assert await slots(sandbox) == []


async def test_overlapping_slots_of_one_mentor_are_refused(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=people())
    await profile(sandbox, "mateo")  # Europe/Madrid: UTC+1 until 31 March
    ok(
        await sandbox.run(
            "mateo", "mentor slots add", {"start": "2024-03-21 18:00", "duration": "1h"}
        )
    )

    clash = ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 18:30"}))
    next_to_it = ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 19:00"}))
    await profile(sandbox, "marta")
    other_mentor = ok(await sandbox.run("marta", "mentor slots add", {"start": "2024-03-21 18:30"}))

    assert_reply(clash, "mentors.errors.overlap", start="2024-03-21 18:00", end="2024-03-21 19:00")
    assert_reply(next_to_it, "mentors.slots.added", count=1, slots=_lines(next_to_it))
    # Another mentor may offer the same time.
    assert_reply(other_mentor, "mentors.slots.added", count=1, slots=_lines(other_mentor))
    assert len(await slots(sandbox)) == 3


def _lines(outcome: StepOutcome) -> Safe:
    """The slot lines of a `mentor slots add` reply (after its first line)."""
    return Safe(reply_text(outcome).split("\n", 1)[1])


async def test_weekly_slots_keep_the_local_hour_across_the_daylight_saving_change(
    make_sandbox: MakeSandbox,
) -> None:
    """Spain moves to summer time on 31 March 2024: 18:00 is 17:00 UTC before and 16:00 UTC
    after; 02:30 that night does not exist."""
    sandbox = await make_sandbox(members=people())
    await profile(sandbox, "mateo", timezone="Europe/Madrid")

    ok(
        await sandbox.run(
            "mateo", "mentor slots add", {"start": "2024-03-28 18:00", "repeat_weeks": 1}
        )
    )
    gap = ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-31 02:30"}))

    assert [s.starts_at for s in await slots(sandbox)] == [
        datetime(2024, 3, 28, 17, 0, tzinfo=UTC),
        datetime(2024, 4, 4, 16, 0, tzinfo=UTC),
    ]
    assert_reply(
        gap, "mentors.errors.nonexistent_time", time="2024-03-31 02:30", zone="Europe/Madrid"
    )
    assert len(await slots(sandbox)) == 2


async def test_a_member_who_mentors_and_takes_part_never_books_themself(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=people(mateo=MemberSpec(roles=("mentor", "participant"))))
    await team(sandbox, "mateo", "Los Tigres")
    await profile(sandbox, "mateo")
    await profile(sandbox, "marta")
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 18:00"}))

    own_only = ok(await sandbox.run("mateo", "mentor book"))
    ok(await sandbox.run("marta", "mentor slots add", {"start": "2024-03-22 18:00"}))
    offered = ok(await sandbox.run("mateo", "mentor book"))
    booked = ok(await sandbox.choose("mateo", index=0))

    assert_reply(own_only, "mentors.book.none")
    assert mention_of(sandbox, "marta") in reply_text(offered)
    assert mention_of(sandbox, "mateo") not in reply_text(offered).split("\n", 1)[1]
    assert reply_text(booked).startswith(
        expected(
            "mentors.book.done",
            team="Los Tigres",
            mentor=mention_of(sandbox, "marta"),
            start=discord_ts(datetime(2024, 3, 22, 17, tzinfo=UTC), "F"),
            when=discord_ts(datetime(2024, 3, 22, 17, tzinfo=UTC), "R"),
        )[:20]
    )
    [booking] = await bookings(sandbox)
    assert booking.mentor_id == sandbox.discord.user_id("marta")


async def test_the_team_cancels_the_mentor_is_told_and_the_slot_is_free_again(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=people())
    await team(sandbox, "ana", "Los Tigres", "bea")
    await team(sandbox, "carlos", "Las Águilas")
    await profile(sandbox, "mateo", timezone="America/Mexico_City")
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))
    ok(await sandbox.run("ana", "mentor book"))
    ok(await sandbox.choose("ana", index=0))
    [booking] = await bookings(sandbox)

    outsider = ok(await sandbox.run("carlos", "mentor cancel", {"booking": booking.id}))
    cancelled = ok(await sandbox.run("bea", "mentor cancel", {"booking": booking.id}))
    twice = ok(await sandbox.run("ana", "mentor cancel", {"booking": booking.id}))

    start = discord_ts(MEXICO_10AM, "F")
    assert_reply(outsider, "mentors.errors.not_your_booking")
    assert_reply(
        cancelled,
        "mentors.cancel.done",
        start=start,
        team="Los Tigres",
        mentor=mention_of(sandbox, "mateo"),
    )
    assert [m["content"] for m in messages(cancelled, "dm:mateo")] == [
        expected("mentors.cancel.mentor_dm", "es", team="Los Tigres", start=start)
    ]
    assert_reply(twice, "mentors.errors.booking_cancelled")
    [row] = await bookings(sandbox)
    assert row.status == "cancelled"
    assert (await state(sandbox))["mentor_slots"][0]["team"] is None
    # Free again: another team books it.
    ok(await sandbox.run("carlos", "mentor book"))
    rebooked = ok(await sandbox.choose("carlos", index=0))
    assert "Las Águilas" in reply_text(rebooked)


async def test_the_mentor_cancels_and_the_team_thread_is_told(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=people())
    await team(sandbox)
    await profile(sandbox, "mateo", timezone="America/Mexico_City")
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))
    ok(await sandbox.run("ana", "mentor book"))
    ok(await sandbox.choose("ana", index=0))
    [booking] = await bookings(sandbox)

    outcome = ok(await sandbox.run("mateo", "mentor cancel", {"booking": booking.id}))

    start = discord_ts(MEXICO_10AM, "F")
    assert [m["content"] for m in messages(outcome, "thread:Los Tigres")] == [
        expected("mentors.cancel.thread", "es", mentor=mention_of(sandbox, "mateo"), start=start)
    ]
    # A mentor's cancellation withdraws the slot.
    assert (await state(sandbox))["mentor_slots"] == []


async def test_a_team_books_at_most_the_daily_limit(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(
        members=people(), settings={"mentors": {"bookings_per_team_per_day": 1}}
    )
    await team(sandbox)
    await profile(sandbox, "mateo")
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 12:00"}))
    ok(await sandbox.run("ana", "mentor book"))
    ok(await sandbox.choose("ana", index=0))

    ok(await sandbox.run("ana", "mentor book"))
    second = ok(await sandbox.choose("ana", index=0))

    assert_reply(second, "mentors.errors.daily_limit", count=1)
    assert len(await bookings(sandbox)) == 1
    # The refusal is on the audit log, as every per-member limit is.
    [hit] = await audit_log(sandbox, "limit.")
    assert (hit.action, hit.subject) == ("limit.mentors.bookings_per_day", "Los Tigres")


async def test_booking_needs_a_team(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=people())
    await profile(sandbox, "mateo")
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))
    await team(sandbox)
    ok(await sandbox.run("ana", "mentor book"))
    ok(await sandbox.run("ana", "team leave"))  # the menu stays on screen without a team

    listed = ok(await sandbox.run("bea", "mentor book"))
    chosen = ok(await sandbox.choose("ana", index=0))

    assert_reply(listed, "mentors.errors.no_team")
    assert_reply(chosen, "mentors.errors.no_team")
    assert await bookings(sandbox) == []


async def test_removing_a_booked_slot_cancels_the_booking(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=people())
    await team(sandbox)
    await profile(sandbox, "mateo", timezone="America/Mexico_City")
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))
    ok(await sandbox.run("ana", "mentor book"))
    ok(await sandbox.choose("ana", index=0))
    [slot] = await slots(sandbox)

    not_hers = ok(await sandbox.run("marta", "mentor slots remove", {"slot": slot.id}))
    removed = ok(await sandbox.run("mateo", "mentor slots remove", {"slot": slot.id}))

    assert_reply(not_hers, "mentors.errors.not_your_slot")
    assert_reply(
        removed,
        "mentors.slots.removed_booked",
        start=discord_ts(MEXICO_10AM, "F"),
        team="Los Tigres",
    )
    assert [b.status for b in await bookings(sandbox)] == ["cancelled"]
    assert (await state(sandbox))["mentor_slots"] == []


async def test_a_mentor_lists_and_removes_their_slots(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=people())
    await team(sandbox)
    await profile(sandbox, "mateo", timezone="America/Mexico_City")
    empty = ok(await sandbox.run("mateo", "mentor slots list"))
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))
    ok(
        await sandbox.run(
            "mateo", "mentor slots add", {"start": "2024-03-22 10:00", "duration": "1h"}
        )
    )
    ok(await sandbox.run("ana", "mentor book"))
    ok(await sandbox.choose("ana", index=0))

    listed = ok(await sandbox.run("mateo", "mentor slots list"))
    second = (await slots(sandbox))[1]
    removed = ok(await sandbox.run("mateo", "mentor slots remove", {"slot": second.id}))

    assert_reply(empty, "mentors.slots.none")
    later = datetime(2024, 3, 22, 16, 0, tzinfo=UTC)
    lines = "\n".join(
        [
            expected(
                "mentors.slots.line_booked",
                start=discord_ts(MEXICO_10AM, "F"),
                length=30,
                team="Los Tigres",
            ),
            expected("mentors.slots.line", start=discord_ts(later, "F"), length=60),
        ]
    )
    assert_reply(listed, "mentors.slots.list", slots=Safe(lines))
    assert_reply(removed, "mentors.slots.removed", start=discord_ts(later, "F"))
    assert len((await state(sandbox))["mentor_slots"]) == 1
