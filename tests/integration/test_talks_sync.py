"""The calendar sync against the local Calendar: the first full read, incremental changes, a
weekly series with one instance moved and one cancelled, a 410, and a storm of 5xx."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.models import Talk
from sandbox.harness import Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import PUBLIC, expected
from tests.integration.talks_support import (
    MARCH,
    SERIES,
    TUESDAYS,
    by_id,
    instance,
    single,
    talk_state,
)
from tests.integration.teams_support import messages, of_type, ok, reply_text
from tests.sandbox.spec_check import check_all

HOUR = timedelta(hours=1)


async def march(make_sandbox: MakeSandbox, **settings: object) -> Sandbox:
    sandbox = await make_sandbox(
        members={"olga": ("organizer",), "ana": ("participant",)},
        clock=MARCH,
        settings={"talks": {"calendar_retries": 0, **settings}},
    )
    sandbox.calendar.load([SERIES], calendar_id=sandbox.calendar_id)
    return sandbox


def calendar_lists(sandbox: Sandbox) -> list[int]:
    return [status for _, path, status in sandbox.calendar.requests if path.endswith("/events")]


async def test_first_sync_mirrors_the_series_as_scheduled_events(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await march(make_sandbox)
    outcome = ok(await sandbox.advance(timedelta(seconds=1)))

    created = of_type(outcome, "scheduled_event_created")
    assert [(e["name"], e["start"]) for e in created] == [
        ("Keynote", f"{day}T17:00:00Z") for day in TUESDAYS
    ]
    state = await talk_state(sandbox)
    assert [t["id"] for t in state] == [instance(day) for day in TUESDAYS]
    assert all(t["discord_event"] and not t["cancelled"] for t in state)
    assert all(t["reminders_sent"] == [] for t in state)

    listing = ok(await sandbox.run("ana", "talks list"))
    assert expected(
        "talks.list.line",
        title="Keynote",
        at=discord_ts(MARCH.replace(day=5, hour=17), "F"),
        when=discord_ts(MARCH.replace(day=5, hour=17), "R"),
    ) in reply_text(listing)

    # Nothing changed: Discord hears nothing (and the sandbox skips polls that would find
    # nothing); an organizer's sync reads only the changes, none.
    quiet = ok(await sandbox.advance(timedelta(minutes=11)))
    assert of_type(quiet, "scheduled_event_created", "scheduled_event_updated") == []
    assert calendar_lists(sandbox) == [200]
    synced = ok(await sandbox.run("olga", "admin calendar-sync"))
    assert reply_text(synced) == expected("talks.admin.synced_nothing")
    assert calendar_lists(sandbox) == [200, 200]


async def test_series_with_one_instance_moved_and_one_cancelled(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await march(make_sandbox)
    ok(await sandbox.advance(timedelta(seconds=1)))
    sandbox.calendar.upsert(
        {
            "id": instance("2024-03-12"),
            "start": "2024-03-13T17:00:00Z",
            "end": "2024-03-13T18:00:00Z",
        }
    )
    sandbox.calendar.cancel(instance("2024-03-19"))

    outcome = ok(await sandbox.advance(timedelta(minutes=5)))

    assert [(e["name"], e["start"]) for e in of_type(outcome, "scheduled_event_updated")] == [
        ("Keynote", "2024-03-13T17:00:00Z")
    ]
    assert [e["start"] for e in of_type(outcome, "scheduled_event_deleted")] == [
        "2024-03-19T17:00:00Z"
    ]
    talks = by_id(await talk_state(sandbox))
    assert talks[instance("2024-03-12")]["start"] == "2024-03-13T17:00:00Z"
    assert talks[instance("2024-03-19")]["cancelled"] is True
    assert talks[instance("2024-03-19")]["discord_event"] is False
    assert len(sandbox.discord.state.guilds[sandbox.guild_id].events) == 3


async def test_a_single_talk_created_moved_and_cancelled(make_sandbox: MakeSandbox) -> None:
    sandbox = await march(make_sandbox)
    ok(await sandbox.advance(timedelta(seconds=1)))
    sandbox.calendar.upsert(single("extra", "2024-03-07T16:00:00Z", "2024-03-07T17:00:00Z", "Mesa"))
    created = ok(await sandbox.advance(timedelta(minutes=5)))
    assert [e["name"] for e in of_type(created, "scheduled_event_created")] == ["Mesa"]

    sandbox.calendar.upsert(
        {"id": "extra", "start": "2024-03-08T16:00:00Z", "end": "2024-03-08T17:00:00Z"}
    )
    moved = ok(await sandbox.advance(timedelta(minutes=5)))
    assert [e["start"] for e in of_type(moved, "scheduled_event_updated")] == [
        "2024-03-08T16:00:00Z"
    ]

    sandbox.calendar.cancel("extra")
    cancelled = ok(await sandbox.advance(timedelta(minutes=5)))
    assert [e["name"] for e in of_type(cancelled, "scheduled_event_deleted")] == ["Mesa"]
    assert by_id(await talk_state(sandbox))["extra"]["cancelled"] is True


async def test_an_expired_sync_token_means_a_full_read(make_sandbox: MakeSandbox) -> None:
    sandbox = await march(make_sandbox)
    ok(await sandbox.advance(timedelta(seconds=1)))
    sandbox.calendar.set_fault("410")
    sandbox.calendar.upsert(single("extra", "2024-03-07T16:00:00Z", "2024-03-07T17:00:00Z"))

    outcome = ok(await sandbox.advance(timedelta(minutes=5)))

    assert calendar_lists(sandbox) == [200, 410, 200]
    assert [e["name"] for e in of_type(outcome, "scheduled_event_created")] == ["Charla"]
    assert len(await talk_state(sandbox)) == 5


async def test_a_5xx_storm_keeps_the_programme_and_alerts_the_organizers_once(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await march(make_sandbox)
    ok(await sandbox.advance(timedelta(seconds=1)))
    before = await talk_state(sandbox)
    sandbox.calendar.set_fault("500", count=50)

    outcome = ok(await sandbox.advance(timedelta(hours=2)))

    # Tries 5m, 10m, 20m, 40m and 80m after the last good read (each wait doubles, from
    # sync_every up to retry_max): the third failure alerts, once.
    assert calendar_lists(sandbox) == [200, 500, 500, 500, 500, 500]
    alerts = messages(outcome, "organizacion")
    assert [m["content"] for m in alerts] == [
        expected(
            "talks.alerts.calendar_down",
            PUBLIC,
            count=3,
            error=Message("talks.calendar_error.unavailable"),
        )
    ]
    assert await talk_state(sandbox) == before
    status = ok(await sandbox.run("olga", "admin status"))
    assert expected(
        "talks.status.failing",
        when=discord_ts(MARCH + timedelta(minutes=80), "R"),
        count=5,
        error=Message("talks.calendar_error.unavailable"),
        last_ok=discord_ts(MARCH, "R"),
    ) in reply_text(status)

    sandbox.calendar.set_fault("none")
    back = ok(await sandbox.advance(timedelta(hours=1)))
    assert [m["content"] for m in messages(back, "organizacion")] == [
        expected("talks.alerts.calendar_back", PUBLIC)
    ]


async def test_admin_calendar_sync_reports_what_changed(make_sandbox: MakeSandbox) -> None:
    sandbox = await march(make_sandbox)
    outcome = ok(await sandbox.run("olga", "admin calendar-sync"))
    text = reply_text(outcome)
    assert expected("talks.admin.synced", count=4) in text
    assert len(of_type(outcome, "scheduled_event_created")) == 4

    again = ok(await sandbox.run("olga", "admin calendar-sync"))
    assert reply_text(again) == expected("talks.admin.synced_nothing")

    refused = ok(await sandbox.run("ana", "admin calendar-sync"))
    assert reply_text(refused) == expected(
        "core.errors.missing_role", role=Message("core.roles.organizer")
    )
    assert len(sandbox.discord.state.guilds[sandbox.guild_id].events) == 4


async def test_scheduled_event_requests_match_discords_openapi_description(
    make_sandbox: MakeSandbox,
) -> None:
    """Create, edit, list and delete, as the bot sends them and the local Discord answers, each
    checked against Discord's OpenAPI description (with the 100-character location limit)."""
    sandbox = await march(make_sandbox)
    sandbox.discord.exchanges = []
    long_place = "Sala " + "x" * 200
    sandbox.calendar.upsert(
        {**single("extra", "2024-03-07T16:00:00Z", "2024-03-07T17:00:00Z"), "location": long_place}
    )
    ok(await sandbox.advance(timedelta(seconds=1)))
    sandbox.calendar.upsert({"id": "extra", "summary": "Mesa redonda"})
    sandbox.calendar.cancel(instance("2024-03-05"))
    ok(await sandbox.advance(timedelta(minutes=5)))
    exchanges = [e for e in sandbox.discord.exchanges if "scheduled-events" in e.path]
    assert {e.method for e in exchanges} >= {"POST", "PATCH", "DELETE"}
    assert check_all(exchanges) == []
    assert all(e.status < 400 for e in exchanges)
    guild = sandbox.discord.state.guilds[sandbox.guild_id]
    assert sorted(len(e.location or "") for e in guild.events.values()) == [7, 7, 7, 100]


async def test_only_as_many_events_as_allowed_and_the_window_moves_with_time(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await march(make_sandbox, max_discord_events=2)
    first = ok(await sandbox.advance(timedelta(seconds=1)))
    assert [e["start"] for e in of_type(first, "scheduled_event_created")] == [
        "2024-03-05T17:00:00Z",
        "2024-03-12T17:00:00Z",
    ]
    # The first keynote starts: the third takes its place; the calendar did not change.
    moved = ok(await sandbox.advance_until(MARCH.replace(day=5, hour=17, minute=1)))
    assert [e["start"] for e in of_type(moved, "scheduled_event_created")] == [
        "2024-03-19T17:00:00Z"
    ]
    mirrored = [t["id"] for t in await talk_state(sandbox) if t["discord_event"]]
    assert mirrored == [instance(day) for day in TUESDAYS[:3]]


async def test_an_event_whose_id_was_lost_in_a_crash_is_found_again_not_duplicated(
    make_sandbox: MakeSandbox,
) -> None:
    """The process died after Discord created the events and before their ids were written:
    after the restart the next pass finds the bot's events by name and start."""
    sandbox = await march(make_sandbox)
    ok(await sandbox.advance(timedelta(seconds=1)))
    assert sandbox.bot is not None
    await sandbox.bot.db.write(
        lambda session: session.execute(
            update(Talk).values(discord_event_id=None, discord_stale=True)
        )
    )
    await sandbox.restart()

    outcome = ok(await sandbox.advance(timedelta(minutes=1)))

    assert of_type(outcome, "scheduled_event_created") == []
    assert len(of_type(outcome, "scheduled_event_updated")) == 4
    assert len(sandbox.discord.state.guilds[sandbox.guild_id].events) == 4
    assert all(t["discord_event"] for t in await talk_state(sandbox))


async def test_talks_next_shows_the_soonest_talk_in_the_members_language(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await march(make_sandbox)
    empty = ok(await sandbox.run("ana", "talks next"))
    assert reply_text(empty) == expected("talks.next.none")
    ok(await sandbox.advance(timedelta(seconds=1)))
    start = MARCH.replace(day=5, hour=17)
    outcome = ok(await sandbox.run("ana", "talks next"))
    assert reply_text(outcome) == "\n".join(
        [
            expected(
                "talks.next.line",
                title="Keynote",
                at=discord_ts(start, "F"),
                when=discord_ts(start, "R"),
            ),
            expected("talks.next.description", description="La charla de la semana"),
        ]
    )
    live = ok(await sandbox.advance_until(start + timedelta(minutes=30)))
    assert live.errors == []
    now = ok(await sandbox.run("ana", "talks next"))
    assert reply_text(now) == "\n".join(
        [
            expected("talks.next.live", title="Keynote", when=discord_ts(start, "R")),
            expected("talks.next.description", description="La charla de la semana"),
        ]
    )
