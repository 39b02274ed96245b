"""Discord faults injected through the local Discord while members act and jobs run: 429 and
5xx on the answer to a command, 403 (missing permission) and 5xx on posts, 50007 (DMs closed)
on reminders. The member always reads a plain answer, once; what a fault stopped is said, and
nothing is sent twice afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.discord.mentions import channel_mention, role_mention
from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.models.teams import Team
from bot.services import talks
from sandbox.harness import MemberSpec, Sandbox, StepOutcome
from tests.integration.announcements_support import compose, confirm_label, dms, posts, rows
from tests.integration.conftest import MakeSandbox
from tests.integration.mentors_support import people, profile, reminders, team
from tests.integration.registration_support import (
    TICKET,
    eventbrite_csv,
    import_csv,
    registration_of,
    role_names,
)
from tests.integration.replies import assert_reply, expected, mention_of
from tests.integration.teams_support import messages, ok, reply_text, team_state

# The interaction's answers after the defer: followups on the interaction webhook.
FOLLOWUP = r"^/webhooks/\d+/[^/]+$"
ANNOUNCEMENTS = "anuncios"
SESSION = datetime(2024, 3, 21, 16, 0, tzinfo=UTC)  # a mentoring session, 10:00 in Mexico City


def answers(outcome: StepOutcome) -> list[str]:
    return [str(reply.get("content") or "") for reply in outcome.replies]


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_a_refused_answer_is_sent_again_and_read_once(sandbox: Sandbox, status: int) -> None:
    """Discord limiting or failing the followup once: the member still reads the answer, once,
    and the change it reports is made once."""
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    fault = sandbox.discord.inject_fault("POST", FOLLOWUP, status, retry_after=0.2, count=1)
    outcome = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
    assert fault.hits == 1
    joined = expected("teams.join.joined", team="Los Tigres")
    assert answers(outcome) == [joined]
    [tigres] = await team_state(sandbox)
    assert tigres["members"] == ["ana", "bea"]


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_a_refused_acknowledgement_is_sent_again_within_discords_window(
    sandbox: Sandbox, status: int
) -> None:
    """The defer itself limited or failed once: sent again (after ``retry_after``, or a second
    for a 5xx), still inside Discord's 3 seconds; the member reads the same answer as without
    the fault."""
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    plain = ok(await sandbox.run("bea", "team info", {"team": "Los Tigres"}))
    fault = sandbox.discord.inject_fault(
        "POST", r"^/interactions/\d+/[^/]+/callback$", status, retry_after=0.2, count=1
    )
    faulted = ok(await sandbox.run("bea", "team info", {"team": "Los Tigres"}))
    assert fault.hits == 1
    assert [reply_text(faulted, i) for i in range(len(faulted.replies))] == [
        reply_text(plain, i) for i in range(len(plain.replies))
    ]


@pytest.mark.parametrize("status", [403, 503])
async def test_a_refused_announcement_post_is_reported_and_the_dms_still_go(
    sandbox: Sandbox, status: int
) -> None:
    """403 (the bot lost Send Messages in the channel) or a 503 discord.py does not retry: the
    author reads that Discord refused the post; the DMs are delivered; nothing is sent again
    later."""
    await compose(sandbox, "olga", {"dm": "participants"})
    fault = sandbox.discord.inject_fault("POST", r"^/channels/\d+/messages$", status, count=1)
    sent = ok(await sandbox.click("olga", label=confirm_label()))
    assert fault.hits == 1
    assert posts(sent, ANNOUNCEMENTS) == []
    assert len(dms(sent)) == 4  # ana, bea, carlos, dani
    [row] = await rows(sandbox)
    assert (row.status, row.message_id, row.delivered) == ("sent", None, 4)
    assert_reply(
        sent,
        "announcements.report.done",
        title="Kick-off",
        first=Message(
            "announcements.report.not_posted", channel=channel_mention(int(row.channel_id or 0))
        ),
        second=Message("announcements.report.dms", delivered=4, closed=0, failed=0),
    )
    later = ok(await sandbox.advance(timedelta(days=1)))
    assert [e for e in later.effects if e["type"] == "message"] == []


async def test_a_dm_discord_fails_is_counted_in_the_report_and_not_sent_twice(
    sandbox: Sandbox,
) -> None:
    """A 503 on one DM of a fan-out: the others are delivered, the report counts one failed
    with its reason, and nobody is sent the announcement twice, then or later."""
    await compose(sandbox, "olga", {"post": False, "dm": "participants"})
    fault = sandbox.discord.inject_fault("POST", r"^/channels/\d+/messages$", 503, count=1)
    sent = ok(await sandbox.click("olga", label=confirm_label()))
    assert fault.hits == 1
    delivered = [e["channel"] for e in dms(sent) if e["channel"] != "dm:olga"]
    assert len(delivered) == len(set(delivered)) == 3
    [row] = await rows(sandbox)
    assert (row.status, row.recipients, row.delivered, row.failed) == ("sent", 4, 3, 1)
    assert_reply(
        sent,
        "announcements.report.done",
        title="Kick-off",
        first=Message(
            "announcements.report.dms_reasons",
            delivered=3,
            closed=0,
            failed=1,
            reasons="http_503 x1",
        ),
        second="",
    )
    later = ok(await sandbox.advance(timedelta(days=1)))
    assert [e for e in later.effects if e["type"] == "message"] == []


async def test_a_scheduled_announcement_posted_through_a_server_error_and_rate_limit(
    sandbox: Sandbox,
) -> None:
    """A 500 then a 429 on the channel post of a scheduled announcement: posted once, at its
    time, and its author's report says so."""
    await compose(sandbox, "olga", {"when": "2024-03-20 12:00", "timezone": "UTC"})
    ok(await sandbox.click("olga", label=confirm_label()))
    server_error = sandbox.discord.inject_fault("POST", r"^/channels/\d+/messages$", 500)
    limited = sandbox.discord.inject_fault(
        "POST", r"^/channels/\d+/messages$", 429, retry_after=0.2
    )
    due = ok(await sandbox.advance(timedelta(hours=2, minutes=1)))
    assert (server_error.hits, limited.hits) == (1, 1)
    assert len(posts(due, ANNOUNCEMENTS)) == 1
    [row] = await rows(sandbox)
    assert row.status == "sent" and row.message_id is not None
    assert ok(await sandbox.advance(timedelta(days=1))).effects == []


async def booked(make_sandbox: MakeSandbox, **extra: MemberSpec) -> Sandbox:
    sandbox = await make_sandbox(members=people(**extra))
    await team(sandbox)
    await profile(sandbox, "mateo", timezone="America/Mexico_City")
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))
    ok(await sandbox.run("ana", "mentor book", {"topic": "rag"}))
    ok(await sandbox.choose("ana", index=0))
    return sandbox


def delivered(outcome: StepOutcome) -> list[str]:
    return sorted(m["channel"] for m in messages(outcome) if m["type"] == "message")


async def test_reminders_with_dms_closed_and_the_thread_refused_reach_the_others_once(
    make_sandbox: MakeSandbox,
) -> None:
    """50007 for the member who booked (DMs closed) and 403 on the team's thread: the mentor
    still gets the reminder; no retry loop, no error, and no second reminder later."""
    sandbox = await booked(make_sandbox, ana=MemberSpec(roles=("participant",), dms=False))
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        thread = await session.scalar(select(Team.thread_id).where(Team.name == "Los Tigres"))
    assert thread is not None
    fault = sandbox.discord.inject_fault("POST", rf"^/channels/{thread}/messages$", 403, count=1)
    hour = ok(await sandbox.advance_until(SESSION - timedelta(hours=1)))
    assert fault.hits == 1
    assert delivered(hour) == ["dm:mateo"]
    assert [e["to"] for e in hour.effects if e["type"] == "dm_failed"] == ["ana"]
    assert [m["content"] for m in messages(hour)] == [
        expected(
            "mentors.reminder.mentor_dm",
            "es",
            team="Los Tigres",
            topic="rag",
            start=discord_ts(SESSION, "F"),
            when=discord_ts(SESSION, "R"),
        )
    ]
    # The next offset (10 minutes before) goes everywhere the fault no longer blocks, once.
    ten = ok(await sandbox.advance_until(SESSION - timedelta(minutes=10)))
    assert delivered(ten) == ["dm:mateo", "thread:Los Tigres"]
    after = ok(await sandbox.advance_until(SESSION + timedelta(hours=2)))
    assert delivered(after) == []
    assert sorted(r.offset_seconds for r in await reminders(sandbox)) == [600, 3600]
    [thread_reminder] = messages(ten, "thread:Los Tigres")
    assert str(mention_of(sandbox, "mateo")) in thread_reminder["content"]


async def test_a_role_discord_refuses_is_said_and_given_when_the_member_asks_again(
    sandbox: Sandbox,
) -> None:
    """403 on giving the talk alerts role (the bot lost Manage Roles, or its role sits below):
    the member reads that the role could not be given, while the DM subscription holds; asking
    again gives the role, and the subscription is not doubled."""
    assert sandbox.bot is not None
    role = sandbox.bot.role("talk_alerts")
    assert role is not None
    fault = sandbox.discord.inject_fault(
        "PUT", r"^/guilds/\d+/members/\d+/roles/\d+$", 403, count=1
    )
    refused = ok(await sandbox.run("ana", "talks subscribe"))
    assert fault.hits == 1
    assert_reply(refused, "talks.subscribe.role_failed", role=role_mention(role.id))
    guild = sandbox.discord.state.guilds[sandbox.guild_id]
    ana = sandbox.discord.user_id("ana")
    assert role.id not in guild.members[ana].roles
    again = ok(await sandbox.run("ana", "talks subscribe"))
    assert_reply(
        again,
        "talks.subscribe.done_role",
        role=role_mention(role.id),
        channel=channel_mention(int(sandbox.bot.place.channel_id("talks", sandbox.bot) or 0)),
    )
    assert role.id in guild.members[ana].roles
    async with sandbox.bot.db.read() as session:
        assert await talks.subscribers(session) == [ana]


async def test_a_verified_member_whose_role_discord_refuses_is_told_and_gets_it_on_retry(
    make_sandbox: MakeSandbox,
) -> None:
    """403 on the participant role after the registration matched: the member is verified and
    told to write to the organizers; verifying again gives the role (no second link)."""
    sandbox = await make_sandbox(members={"ana": ()})
    await import_csv(
        sandbox,
        eventbrite_csv([("Ana", "Pérez", "ana@example.org", TICKET, "México", "anaperez")]),
    )
    assert sandbox.bot is not None
    fault = sandbox.discord.inject_fault(
        "PUT", r"^/guilds/\d+/members/\d+/roles/\d+$", 403, count=1
    )
    ok(await sandbox.run("ana", "verify"))
    refused = await sandbox.submit("ana", ["ana@example.org"])
    assert fault.hits == 1
    # A role the bot may not give is the organizers' to fix: logged at error level, once.
    assert [e["message"] for e in refused.errors] == [
        f"could not give roles ('participant',) to {sandbox.discord.user_id('ana')}: HTTP 403"
    ]
    contact = sandbox.bot.settings.config.registration.contact
    assert_reply(refused, "registration.verify.role_failed", contact=contact)
    assert "participante" not in role_names(sandbox, "ana")
    linked = await registration_of(sandbox, "ana")
    assert linked is not None
    # Linked already: `/verify` answers at once, giving the missing role.
    again = ok(await sandbox.run("ana", "verify"))
    assert_reply(again, "registration.verify.already", roles=expected("core.roles.participant"))
    assert "participante" in role_names(sandbox, "ana")
    relinked = await registration_of(sandbox, "ana")
    assert relinked is not None and relinked.id == linked.id
