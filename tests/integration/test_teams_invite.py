"""`/team invite` and the invitation's Accept / Decline buttons: DMs, closed DMs, expiry,
single use, and buttons that survive a restart."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.discord.timestamps import discord_ts
from sandbox.harness import MemberSpec, Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import (
    PUBLIC,
    SPANISH,
    accept_label,
    assert_reply,
    button_labels,
    command_mention,
    decline_label,
    expected,
    mention_of,
    status,
)
from tests.integration.teams_support import (
    audit_log,
    invitations,
    members,
    messages,
    of_type,
    ok,
    reply_text,
    team_state,
    uid,
)


def answered(team: str, outcome: str) -> str:
    """The invitee's DM once answered: the team and what became of the invitation."""
    return expected("teams.answered.invitation", team=team, status=status(outcome))


def closed(team: str, outcome: str, locale: str = SPANISH) -> str:
    """An invitation message closed without an answer, edited in its invitee's language."""
    return expected("teams.closed.invitation", locale, team=team, status=status(outcome))


async def test_invite_sends_a_dm_with_accept_and_decline(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))

    [invitation] = await invitations(sandbox)
    assert (invitation.invitee_id, invitation.status) == (uid(sandbox, "bea"), "pending")
    assert invitation.expires_at == sandbox.clock.now() + timedelta(hours=48)
    assert invitation.message_id is not None
    expires = discord_ts(invitation.expires_at, "R")
    [dm] = messages(outcome)
    assert dm["channel"] == "dm:bea"
    assert dm["buttons"] == button_labels()
    assert dm["content"] == expected(
        "teams.invite.dm", inviter=mention_of(sandbox, "ana"), team="Los Tigres", expires=expires
    )
    assert_reply(outcome, "teams.invite.sent", member=mention_of(sandbox, "bea"), expires=expires)


async def test_invite_with_dms_closed_tells_the_inviter_and_reaches_the_invitee_privately(
    make_sandbox: MakeSandbox,
) -> None:
    """The teams channel only reads that a message waits for bea (see test_trust_values for
    what it hides); the inviter is told, and bea answers from the private copy."""
    sandbox = await make_sandbox(
        members=members("ana", "carlos", bea=MemberSpec(roles=("participant",), dms=False))
    )
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))

    assert of_type(outcome, "dm_failed") == [{"type": "dm_failed", "to": "bea"}]
    [invitation] = await invitations(sandbox)
    expires = discord_ts(invitation.expires_at, "R")
    bea = mention_of(sandbox, "bea")
    [public] = messages(outcome)
    assert public["channel"] == "equipos"
    assert public["mentions"] == {"everyone": False, "roles": [], "users": ["bea"]}
    assert public["content"] == expected("teams.invite.waiting", member=bea)
    assert_reply(outcome, "teams.invite.sent_public", member=bea, expires=expires)

    ok(await sandbox.click("bea", index=0, where="#equipos"))
    accepted = ok(await sandbox.click("bea", label=accept_label(), where="#equipos"))

    assert of_type(accepted, "thread_member_added") == [
        {"type": "thread_member_added", "thread": "Los Tigres", "member": "bea"}
    ]
    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea"]


async def test_accepting_adds_the_invitee_to_thread_and_team(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))

    outcome = ok(await sandbox.click("bea", label=accept_label(), where="dm"))

    assert outcome.replies[0]["content"] == answered("Los Tigres", "accepted")
    assert outcome.replies[0]["buttons"] == []
    assert of_type(outcome, "thread_member_added") == [
        {"type": "thread_member_added", "thread": "Los Tigres", "member": "bea"}
    ]
    [joined] = messages(outcome, "thread:Los Tigres")
    assert joined["mentions"]["users"] == ["bea"]
    assert joined["content"] == expected(
        "teams.thread.joined", PUBLIC, member=mention_of(sandbox, "bea")
    )
    assert await team_state(sandbox) == [
        {"name": "Los Tigres", "captain": "ana", "members": ["ana", "bea"], "locked": False}
    ]
    [invitation] = await invitations(sandbox)
    assert invitation.status == "accepted"
    assert [e.action for e in await audit_log(sandbox, "team.invitation")] == [
        "team.invitation_accepted"
    ]


async def test_declining_leaves_the_team_unchanged(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))

    outcome = ok(await sandbox.click("bea", label=decline_label(), where="dm"))

    assert outcome.replies[0]["content"] == answered("Los Tigres", "declined")
    assert of_type(outcome, "thread_member_added") == []
    assert (await team_state(sandbox))[0]["members"] == ["ana"]
    assert [i.status for i in await invitations(sandbox)] == ["declined"]


async def test_someone_else_pressing_the_invitees_button_is_refused(sandbox: Sandbox) -> None:
    """carlos cannot see bea's DM; a modified client can still send its button's custom_id."""
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))
    [invitation] = await invitations(sandbox)

    outcome = ok(await sandbox.forge_click("carlos", f"team:inv:{invitation.id}:1", dm=True))

    assert_reply(outcome, "teams.errors.not_invitee")
    assert outcome.replies[-1]["ephemeral"] is True
    assert of_type(outcome, "thread_member_added", "message_edited") == []
    assert (await team_state(sandbox))[0]["members"] == ["ana"]
    assert [i.status for i in await invitations(sandbox)] == ["pending"]


async def test_invitation_is_single_use(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))
    [invitation] = await invitations(sandbox)
    custom_id = f"team:inv:{invitation.id}:1"

    # Two clicks on the same Accept (a double click) reach the bot before it answers either.
    outcome = await sandbox.step(
        lambda: asyncio.gather(
            *(sandbox.discord.click("bea", custom_id=custom_id, where="dm") for _ in range(2))
        )
    )

    ok(outcome)
    texts = [reply[-1]["content"] for reply in outcome.replies]
    accepted = answered("Los Tigres", "accepted")
    assert texts.count(accepted) == 1
    [refusal] = [text for text in texts if text != accepted]
    # The second click is refused: the invitation was answered, or (on PostgreSQL, when it
    # read the invitation before the first commit) bea is already in the team.
    assert refusal in (
        expected("teams.errors.invitation_closed"),
        expected("teams.errors.already_member", team="Los Tigres"),
    )
    assert len(of_type(outcome, "thread_member_added")) == 1
    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea"]
    # Afterwards the message has no button left to click.
    with pytest.raises(LookupError):
        await sandbox.click("bea", custom_id=custom_id, where="dm")


async def test_invitation_expires_after_48h_and_cannot_be_accepted(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))

    outcome = ok(await sandbox.advance(timedelta(hours=49)))

    [edited] = of_type(outcome, "message_edited")
    assert edited["channel"] == "dm:bea"
    assert edited["buttons"] == []
    assert edited["content"] == closed("Los Tigres", "expired")
    assert [i.status for i in await invitations(sandbox)] == ["expired"]
    with pytest.raises(LookupError):
        await sandbox.click("bea", label=accept_label(), where="dm")
    assert (await team_state(sandbox))[0]["members"] == ["ana"]


async def test_invitation_buttons_work_after_a_restart(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))

    await sandbox.restart()
    outcome = ok(await sandbox.click("bea", label=accept_label(), where="dm"))

    assert outcome.replies[0]["content"] == answered("Los Tigres", "accepted")
    assert of_type(outcome, "thread_member_added") == [
        {"type": "thread_member_added", "thread": "Los Tigres", "member": "bea"}
    ]
    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea"]


@pytest.mark.parametrize(
    ("invitee", "key", "params"),
    [
        ("@ana", "teams.errors.self_invite", {}),
        ("@carlos", "teams.errors.member_in_team", {"team": "Los Leones"}),
    ],
)
async def test_invite_refusals_say_what_is_wrong(
    sandbox: Sandbox, invitee: str, key: str, params: dict[str, object]
) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("carlos", "team create", {"name": "Los Leones"}))

    outcome = ok(await sandbox.run("ana", "team invite", {"member": invitee}))

    assert_reply(outcome, key, **params)
    assert messages(outcome) == []
    assert await invitations(sandbox) == []


async def test_invite_without_team_is_refused(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("bea", "team invite", {"member": "@carlos"}))

    assert_reply(outcome, "teams.errors.not_in_team")
    assert command_mention(sandbox, "team", "create") in reply_text(outcome)
    assert outcome.effects == []


async def test_joining_by_command_closes_the_invitation_message(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))

    outcome = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    assert_reply(outcome, "teams.join.joined", team="Los Tigres")
    [edited] = of_type(outcome, "message_edited")
    assert edited["channel"] == "dm:bea"
    assert edited["buttons"] == []
    assert edited["content"] == closed("Los Tigres", "accepted")
    assert [i.status for i in await invitations(sandbox)] == ["accepted"]
    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea"]
