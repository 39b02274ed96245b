"""`/teamadmin`: organizers lock and unlock team changes, move members and disband teams, each
action audited with who did it; and the team deadline that locks changes by itself."""

from __future__ import annotations

from datetime import timedelta

from bot.discord.mentions import mention
from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.models import AuditEntry
from sandbox.harness import Sandbox
from tests.integration.replies import (
    PUBLIC,
    assert_reply,
    english,
    expected,
    mention_of,
)
from tests.integration.teams_support import (
    audit_log,
    create_team,
    messages,
    of_type,
    ok,
    reply_text,
    team_state,
    uid,
)

ORGANIZER_ONLY = {"role": Message("core.roles.organizer")}


def log_line(entry: AuditEntry) -> str:
    """An audit entry as `/teamadmin log` shows it to a Spanish organizer."""
    assert entry.actor_id is not None
    return expected(
        "teams.audit.line" if entry.subject else "teams.audit.line_no_subject",
        when=discord_ts(entry.at, "f"),
        actor=mention(entry.actor_id),
        action=Message(f"teams.audit.{entry.action.replace('.', '_')}"),
        subject=entry.subject or "",
    )


async def test_lock_refuses_a_participants_join(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))

    locked = ok(await sandbox.run("olga", "teamadmin lock"))
    outcome = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    assert_reply(locked, "teams.admin.locked")
    assert_reply(outcome, "teams.errors.locked")
    assert outcome.effects == []
    assert await team_state(sandbox) == [
        {"name": "Los Tigres", "captain": "ana", "members": ["ana"], "locked": True}
    ]
    [entry] = await audit_log(sandbox, "organizer.")
    assert (entry.action, entry.actor_id) == ("organizer.teams_locked", uid(sandbox, "olga"))


async def test_lock_refuses_creating_a_team(sandbox: Sandbox) -> None:
    ok(await sandbox.run("olga", "teamadmin lock"))

    outcome = ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    assert_reply(outcome, "teams.errors.locked")
    assert outcome.effects == []
    assert await team_state(sandbox) == []


async def test_unlock_allows_changes_again(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    ok(await sandbox.run("olga", "teamadmin lock"))

    unlocked = ok(await sandbox.run("olga", "teamadmin unlock"))
    outcome = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    assert_reply(unlocked, "teams.admin.unlocked")
    assert_reply(outcome, "teams.join.joined", team="Los Tigres")
    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea"]
    actions = [(e.action, e.actor_id) for e in await audit_log(sandbox, "organizer.")]
    assert actions == [
        ("organizer.teams_locked", uid(sandbox, "olga")),
        ("organizer.teams_unlocked", uid(sandbox, "olga")),
    ]


async def test_move_takes_a_member_from_one_team_into_another(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")
    ok(await sandbox.run("carlos", "team create", {"name": "Los Leones"}))

    outcome = ok(
        await sandbox.run("olga", "teamadmin move", {"member": "@bea", "team": "Los Leones"})
    )

    assert_reply(outcome, "teams.admin.moved", member=mention_of(sandbox, "bea"), team="Los Leones")
    assert of_type(outcome, "thread_member_removed") == [
        {"type": "thread_member_removed", "thread": "Los Tigres", "member": "bea"}
    ]
    assert of_type(outcome, "thread_member_added") == [
        {"type": "thread_member_added", "thread": "Los Leones", "member": "bea"}
    ]
    assert [(t["name"], t["members"]) for t in await team_state(sandbox)] == [
        ("Los Tigres", ["ana"]),
        ("Los Leones", ["carlos", "bea"]),
    ]
    moves = [(e.action, e.actor_id) for e in await audit_log(sandbox, "organizer.")]
    assert moves == [
        ("organizer.member_moved_out", uid(sandbox, "olga")),
        ("organizer.member_moved_in", uid(sandbox, "olga")),
    ]


async def test_move_works_while_teams_are_locked(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("olga", "teamadmin lock"))

    outcome = ok(
        await sandbox.run("olga", "teamadmin move", {"member": "@bea", "team": "los tigres"})
    )

    assert_reply(outcome, "teams.admin.moved", member=mention_of(sandbox, "bea"), team="Los Tigres")
    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea"]


async def test_organizer_disbands_a_team(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.run("olga", "teamadmin disband", {"team": "Los Tigres"}))

    assert_reply(outcome, "teams.admin.disbanded", team="Los Tigres")
    assert len(of_type(outcome, "thread_archived")) == 2
    assert await team_state(sandbox) == []
    [entry] = await audit_log(sandbox, "organizer.")
    assert (entry.action, entry.actor_id, entry.subject) == (
        "organizer.team_disbanded",
        uid(sandbox, "olga"),
        "Los Tigres",
    )
    assert sorted(entry.details["member_ids"]) == sorted([uid(sandbox, "ana"), uid(sandbox, "bea")])


async def test_participant_running_teamadmin_is_refused_with_the_role_message(
    sandbox: Sandbox,
) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    refusal = expected("core.errors.missing_role", **ORGANIZER_ONLY)

    for command, options in [
        ("teamadmin lock", {}),
        ("teamadmin unlock", {}),
        ("teamadmin move", {"member": "@bea", "team": "Los Tigres"}),
        ("teamadmin disband", {"team": "Los Tigres"}),
    ]:
        outcome = ok(await sandbox.run("ana", command, options))
        assert reply_text(outcome) == refusal, command
        assert outcome.effects == []
    assert (await team_state(sandbox))[0]["members"] == ["ana"]
    assert await audit_log(sandbox, "organizer.") == []


async def test_role_refusal_is_in_the_members_language(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("dani", "teamadmin lock"))

    assert reply_text(outcome) == english("core.errors.missing_role", **ORGANIZER_ONLY)
    assert await audit_log(sandbox, "organizer.") == []


async def test_deadline_announces_once_and_locks_changes(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    assert sandbox.settings is not None
    deadline = sandbox.settings.config.event.team_deadline

    outcome = ok(await sandbox.advance_until(deadline + timedelta(minutes=5)))

    [announcement] = messages(outcome)
    assert announcement["channel"] == "anuncios"
    assert announcement["content"] == expected(
        "teams.deadline.locked", PUBLIC, when=discord_ts(deadline, "f")
    )
    assert announcement["mentions"] == {"everyone": False, "roles": [], "users": []}

    later = ok(await sandbox.advance(timedelta(days=2)))
    assert messages(later) == []

    refused = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
    assert_reply(refused, "teams.errors.deadline_passed")
    assert (await team_state(sandbox))[0] == {
        "name": "Los Tigres",
        "captain": "ana",
        "members": ["ana"],
        "locked": True,
    }


async def test_deadline_announcement_is_not_repeated_after_a_restart(sandbox: Sandbox) -> None:
    assert sandbox.settings is not None
    deadline = sandbox.settings.config.event.team_deadline
    ok(await sandbox.advance_until(deadline + timedelta(minutes=1)))

    await sandbox.restart()
    outcome = ok(await sandbox.advance(timedelta(hours=1)))

    assert messages(outcome) == []


async def test_log_shows_recent_changes_with_who_made_them(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
    ok(await sandbox.run("carlos", "team create", {"name": "Otro"}))
    ok(await sandbox.run("olga", "teamadmin lock"))

    outcome = ok(await sandbox.run("olga", "teamadmin log", {"team": "los tigres"}))

    [embed] = outcome.replies[0]["embeds"]
    assert embed["title"] == expected("teams.audit.title", count=2)
    [joined] = await audit_log(sandbox, "team.joined")
    [created] = [e for e in await audit_log(sandbox, "team.created") if e.subject == "Los Tigres"]
    assert (joined.actor_id, created.actor_id) == (uid(sandbox, "bea"), uid(sandbox, "ana"))
    assert embed["description"].splitlines() == [
        log_line(joined),
        log_line(created),
    ]
    everything = ok(await sandbox.run("olga", "teamadmin log"))
    text = everything.replies[0]["embeds"][0]["description"]
    [locked] = await audit_log(sandbox, "organizer.teams_locked")
    assert (locked.action, locked.actor_id) == ("organizer.teams_locked", uid(sandbox, "olga"))
    assert text.splitlines()[0] == log_line(locked)


async def test_log_is_for_organizers_only(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("ana", "teamadmin log"))
    assert outcome.replies[0]["embeds"] == []
    assert_reply(outcome, "core.errors.missing_role", **ORGANIZER_ONLY)
