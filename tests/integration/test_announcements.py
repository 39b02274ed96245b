"""`/announce`: organizers only; a preview that sends nothing until Confirm; immediate and
scheduled announcements, listed and cancelled; pings limited to the chosen audience."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.discord.mentions import channel_mention, mention, role_mention
from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.models import AuditEntry
from bot.services import announcements
from sandbox.harness import MemberSpec, Sandbox
from tests.integration.announcements_support import (
    cancel_label,
    compose,
    confirm_label,
    posts,
    rows,
)
from tests.integration.conftest import START, MakeSandbox
from tests.integration.replies import assert_reply, english, expected
from tests.integration.teams_support import audit_log, ok, reply_text, uid

CHANNEL = "anuncios"
TITLE = "Kick-off"
BODY = "La hackathon empieza **hoy**."


def role_id(sandbox: Sandbox, key: str) -> int:
    assert sandbox.bot is not None
    found = sandbox.bot.place.role_id(key, sandbox.bot)
    assert found is not None
    return found


def channel_id(sandbox: Sandbox) -> int:
    assert sandbox.bot is not None
    found = sandbox.bot.place.channel_id("announcements", sandbox.bot)
    assert found is not None
    return found


async def state(sandbox: Sandbox) -> list[dict[str, object]]:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return await announcements.state_snapshot(session)


async def test_a_participant_is_refused(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("ana", "announce send"))
    listed = ok(await sandbox.run("ana", "announce list"))

    assert_reply(outcome, "core.errors.missing_role", role=Message("core.roles.organizer"))
    assert_reply(listed, "core.errors.missing_role", role=Message("core.roles.organizer"))
    assert outcome.effects == [] and outcome.replies[-1]["modal"] is None
    assert await rows(sandbox) == []


async def test_preview_shows_the_post_and_its_reach_then_cancel_sends_nothing(
    sandbox: Sandbox,
) -> None:
    preview = await compose(sandbox, "olga", {"ping": "participants"}, title=TITLE, body=BODY)
    cancelled = ok(await sandbox.click("olga", label=cancel_label()))

    participants = role_mention(role_id(sandbox, "participant"))
    reply = preview.replies[-1]
    assert reply["ephemeral"] is True
    assert reply["content"] == announcements.render(TITLE, BODY, participants)
    assert reply["buttons"] == [confirm_label(), cancel_label()]
    # ana, bea, carlos and dani hold the participant role.
    assert expected("announcements.preview.reach", count=4) in reply_text(preview)
    assert_reply(cancelled, "announcements.confirm.cancelled")
    assert preview.effects == [] and cancelled.effects == []
    assert [row.status for row in await rows(sandbox)] == ["discarded"]
    assert await state(sandbox) == []
    # The preview's buttons are gone; a forged Confirm of the discarded draft sends nothing.
    [row] = await rows(sandbox)
    forged = ok(await sandbox.forge_click("olga", f"announce:ok:{row.id}"))
    assert_reply(forged, "announcements.errors.already_answered", id=row.id)
    assert forged.effects == []


async def test_the_preview_survives_a_restart_and_answers_only_its_author(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(
        members={"ana": ("participant",), "olga": ("organizer",), "omar": ("organizer",)}
    )
    await compose(sandbox, "olga", {"ping": "participants"})
    [row] = await rows(sandbox)
    await sandbox.restart()
    stranger = ok(await sandbox.forge_click("omar", f"announce:ok:{row.id}"))
    participant = ok(await sandbox.forge_click("ana", f"announce:ok:{row.id}"))
    sent = ok(await sandbox.click("olga", label=confirm_label()))
    twice = ok(await sandbox.forge_click("olga", f"announce:ok:{row.id}"))

    assert_reply(stranger, "announcements.errors.not_yours")
    assert_reply(participant, "core.errors.missing_role", role=Message("core.roles.organizer"))
    assert stranger.effects == [] and participant.effects == []
    assert len(posts(sent, CHANNEL)) == 1
    assert_reply(twice, "announcements.errors.already_answered", id=row.id)
    assert twice.effects == []


async def test_confirm_posts_now_pinging_only_the_audience_and_reports(sandbox: Sandbox) -> None:
    await compose(sandbox, "olga", {"ping": "participants"}, title=TITLE, body=BODY)
    sent = ok(await sandbox.click("olga", label=confirm_label()))

    [post] = posts(sent, CHANNEL)
    participants = role_mention(role_id(sandbox, "participant"))
    assert post["content"] == announcements.render(TITLE, BODY, participants)
    assert post["mentions"] == {"everyone": False, "roles": ["participante"], "users": []}
    [row] = await rows(sandbox)
    assert (row.status, row.author_id, row.message_id is not None) == (
        "sent",
        uid(sandbox, "olga"),
        True,
    )
    assert reply_text(sent, 1) == expected("announcements.confirm.sending", id=row.id)
    posted = Message("announcements.report.posted", channel=channel_mention(channel_id(sandbox)))
    assert reply_text(sent) == expected(
        "announcements.report.done", title=TITLE, first=posted, second=""
    )
    assert await state(sandbox) == [{"status": "sent", "delivered": 0, "failed": 0}]
    actions = [entry.action for entry in await audit_log(sandbox, "announcements.")]
    assert actions == ["announcements.created", "announcements.sent"]


async def test_a_body_with_everyone_and_role_mentions_pings_no_one(sandbox: Sandbox) -> None:
    hostile = (
        f"@everyone @here {role_mention(role_id(sandbox, 'participant'))} "
        f"{role_mention(role_id(sandbox, 'organizer'))} {mention(uid(sandbox, 'bea'))} hola"
    )
    await compose(sandbox, "olga", {"dm": "participants"}, title="@everyone", body=hostile)
    sent = ok(await sandbox.click("olga", label=confirm_label()))

    messages = [e for e in sent.effects if e["type"] == "message"]
    assert len(messages) == 1 + 4  # the channel post and a DM to each participant
    for message in messages:
        assert message["mentions"] == {"everyone": False, "roles": [], "users": []}, message
        assert "@everyone" not in message["content"] and "@here" not in message["content"]


async def test_a_body_pings_only_the_chosen_role(sandbox: Sandbox) -> None:
    body = (
        f"@everyone {role_mention(role_id(sandbox, 'participant'))} {mention(uid(sandbox, 'ana'))}"
    )
    await compose(sandbox, "olga", {"ping": "mentors"}, body=body)
    sent = ok(await sandbox.click("olga", label=confirm_label()))

    [post] = posts(sent, CHANNEL)
    assert post["mentions"] == {"everyone": False, "roles": ["mentor"], "users": []}


async def test_everyone_is_refused_unless_the_config_allows_it(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("olga", "announce send", {"ping": "everyone"}))

    assert_reply(outcome, "announcements.errors.everyone_off")
    assert outcome.effects == []


async def test_everyone_when_the_config_allows_it(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(
        members={"ana": ("participant",), "olga": ("organizer",)},
        settings={"announcements": {"allow_everyone": True}},
    )
    await compose(sandbox, "olga", {"ping": "everyone"})
    sent = ok(await sandbox.click("olga", label=confirm_label()))

    [post] = posts(sent, CHANNEL)
    assert post["mentions"]["everyone"] is True and post["content"].startswith("@everyone\n")


async def test_an_announcement_must_reach_someone(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("olga", "announce send", {"post": False}))

    assert_reply(outcome, "announcements.errors.nowhere")


async def test_a_role_ping_needs_the_role(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("olga", "announce send", {"ping": "role"}))
    named = await compose(sandbox, "olga", {"ping": "role", "role": "@mentor"})

    assert_reply(outcome, "announcements.errors.role_needed")
    assert named.replies[-1]["content"].startswith(str(role_mention(role_id(sandbox, "mentor"))))


async def test_scheduled_in_the_organizers_zone_is_sent_once_at_its_time(
    sandbox: Sandbox,
) -> None:
    # 12:00 in Mexico City (UTC-6 in March 2024) is 18:00 UTC; the sandbox starts at 10:00 UTC.
    when = datetime(2024, 3, 20, 18, 0, tzinfo=UTC)
    options = {"when": "2024-03-20 12:00", "timezone": "America/Mexico_City"}
    preview = await compose(sandbox, "olga", options, title=TITLE, body=BODY)
    scheduled = ok(await sandbox.click("olga", label=confirm_label()))
    early = ok(await sandbox.advance(timedelta(hours=7, minutes=59)))
    due = ok(await sandbox.advance(timedelta(minutes=2)))
    later = ok(await sandbox.advance(timedelta(days=1)))

    assert discord_ts(when, "F") in reply_text(preview)
    [row] = await rows(sandbox)
    assert row.publish_at == when
    assert_reply(
        scheduled,
        "announcements.confirm.scheduled",
        id=row.id,
        when=discord_ts(when, "F"),
        relative=discord_ts(when, "R"),
    )
    assert scheduled.effects == [] and posts(early, CHANNEL) == []
    [post] = posts(due, CHANNEL)
    assert post["content"] == announcements.render(TITLE, BODY)
    assert posts(later, CHANNEL) == []
    # The author gets the report by DM.
    [report] = [e for e in due.effects if e["channel"] == "dm:olga"]
    assert TITLE.replace("-", "\\-") in report["content"]
    assert await state(sandbox) == [{"status": "sent", "delivered": 0, "failed": 0}]


async def test_a_restart_between_scheduling_and_sending_sends_exactly_once(
    sandbox: Sandbox,
) -> None:
    await compose(sandbox, "olga", {"when": "2024-03-20 12:00", "dm": "participants"})
    ok(await sandbox.click("olga", label=confirm_label()))
    await sandbox.restart()
    due = ok(await sandbox.advance(timedelta(hours=2)))
    await sandbox.restart()
    after = ok(await sandbox.advance(timedelta(days=2)))

    assert len(posts(due, CHANNEL)) == 1
    assert len([e for e in due.effects if str(e.get("channel")).startswith("dm:")]) == 4 + 1
    assert after.effects == []
    assert await state(sandbox) == [{"status": "sent", "delivered": 4, "failed": 0}]


async def test_list_and_cancel_a_scheduled_announcement(sandbox: Sandbox) -> None:
    await compose(sandbox, "olga", {"when": "2024-03-21 09:00"}, title="Mañana")
    ok(await sandbox.click("olga", label=confirm_label()))
    [row] = await rows(sandbox)
    listed = ok(await sandbox.run("olga", "announce list"))
    cancelled = ok(await sandbox.run("olga", "announce cancel", {"id": row.id}))
    again = ok(await sandbox.run("olga", "announce cancel", {"id": row.id}))
    missing = ok(await sandbox.run("olga", "announce cancel", {"id": 999}))
    passed = ok(await sandbox.advance(timedelta(days=2)))

    assert expected(
        "announcements.list.line",
        id=row.id,
        status=Message("announcements.status.scheduled"),
        when=discord_ts(row.publish_at, "f"),
        title="Mañana",
        author=mention(uid(sandbox, "olga")),
        audience=Message(
            "announcements.list.audience_channel",
            channel=channel_mention(channel_id(sandbox)),
            ping=Message("announcements.ping.nobody"),
        ),
    ) in reply_text(listed)
    assert_reply(cancelled, "announcements.cancel.done", id=row.id)
    assert_reply(again, "announcements.errors.not_cancellable", id=row.id)
    assert_reply(missing, "announcements.errors.not_found", id=999)
    assert posts(passed, CHANNEL) == []
    assert await state(sandbox) == [{"status": "cancelled", "delivered": 0, "failed": 0}]
    [entry] = [e for e in await audit_log(sandbox, "announcements.cancelled")]
    assert isinstance(entry, AuditEntry) and entry.actor_id == uid(sandbox, "olga")


async def test_a_time_in_the_past_or_unreadable_is_refused(sandbox: Sandbox) -> None:
    past = ok(await sandbox.run("olga", "announce send", {"when": "2024-03-19 10:00"}))
    garbage = ok(await sandbox.run("olga", "announce send", {"when": "mañana"}))
    zone = ok(
        await sandbox.run("olga", "announce send", {"when": "2024-03-21 10:00", "timezone": "Mars"})
    )

    assert_reply(past, "announcements.errors.past", when="2024-03-19 10:00")
    assert_reply(garbage, "announcements.errors.bad_time", when="mañana")
    assert_reply(zone, "announcements.errors.bad_zone", zone="Mars")
    assert START.tzinfo is UTC


async def test_a_ping_discord_would_drop_is_refused_before_the_modal(sandbox: Sandbox) -> None:
    """Roles are not mentionable by default; without Mention everyone in the channel the bot
    could not ping them: the organizer hears why instead of a post that pings nobody."""
    assert sandbox.bot is not None and sandbox.bot.user is not None
    channel = sandbox.discord.state.find_channel(channel_id(sandbox))
    assert channel is not None
    channel.overwrites.append(
        {"id": str(sandbox.bot.user.id), "type": 1, "allow": "0", "deny": str(1 << 17)}
    )
    sandbox.discord.gateway.dispatch("CHANNEL_UPDATE", channel.to_dict(), guild_id=sandbox.guild_id)
    await sandbox.settle()

    refused = ok(await sandbox.run("olga", "announce send", {"ping": "participants"}))
    unpinged = ok(await sandbox.run("olga", "announce send", {"dm": "mentors"}))

    assert_reply(refused, "announcements.errors.cannot_ping", role="participante")
    assert refused.replies[-1]["modal"] is None
    assert unpinged.replies[-1]["modal"] is not None


async def test_an_english_speaking_organizer_reads_the_preview_in_english(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(
        members={"ana": ("participant",), "owen": MemberSpec(roles=("organizer",), locale="en-US")}
    )
    preview = await compose(sandbox, "owen", {"dm": "participants"}, title=TITLE, body=BODY)
    sent = ok(await sandbox.click("owen", label=english("announcements.preview.confirm")))

    reply = preview.replies[-1]
    assert reply["embeds"][0]["title"] == english("announcements.preview.header")
    assert reply["buttons"] == [
        english("announcements.preview.confirm"),
        english("announcements.preview.cancel"),
    ]
    assert reply_text(sent, 1) == english("announcements.confirm.sending", id=1)


async def test_a_forged_button_is_answered_and_does_nothing(sandbox: Sandbox) -> None:
    for custom_id in ("announce:ok:abc", "announce:maybe:1", "announce:ok:99999999999999999999"):
        outcome = ok(await sandbox.forge_click("olga", custom_id))
        assert_reply(outcome, "core.errors.invalid_button")
        assert outcome.effects == []
    unknown = ok(await sandbox.forge_click("olga", "announce:ok:42"))
    assert_reply(unknown, "announcements.errors.not_found", id=42)
