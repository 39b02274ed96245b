"""Who may form teams: the commands that change teams need the participant role (organizers may
act for participants); `/team info` and `/team list` only read what the forum shows anyway, so
everyone in the server may use them. The refusal names the missing role, in the member's
language."""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import Message
from sandbox.harness import MemberSpec
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import assert_reply, expected, mention_of
from tests.integration.teams_support import audit_log, create_team, members, ok, team_state

PARTICIPANTS_ONLY = {"role": Message("core.roles.participant")}
PARTICIPANT_COMMANDS = [
    ("team create", {"name": "Los Pumas"}),
    ("team invite", {"member": "@bea"}),
    ("team join", {"team": "Los Tigres"}),
    ("team leave", {}),
    ("team kick", {"member": "@bea"}),
    ("team transfer", {"member": "@bea"}),
    ("team rename", {"name": "Los Pumas"}),
    ("team disband", {}),
    ("lft post", {"skills": "python"}),
    ("lft remove", {}),
    ("lft match", {}),
]
WITHOUT_ROLE = members(
    "ana",
    "bea",
    nadie=MemberSpec(roles=()),
    marta=MemberSpec(roles=("mentor",)),
    mike=MemberSpec(roles=(), locale="en-US"),
    olga=MemberSpec(roles=("organizer",)),
)


@pytest.mark.parametrize(("command", "options"), PARTICIPANT_COMMANDS)
async def test_a_member_without_the_participant_role_changes_no_team(
    make_sandbox: MakeSandbox, command: str, options: dict[str, Any]
) -> None:
    sandbox = await make_sandbox(members=WITHOUT_ROLE)
    await create_team(sandbox, "ana", "Los Tigres", "bea")
    before = (await team_state(sandbox), len(await audit_log(sandbox)))

    for handle in ("nadie", "marta"):  # no role at all; a mentor
        outcome = ok(await sandbox.run(handle, command, options))

        assert_reply(outcome, "core.errors.missing_role", **PARTICIPANTS_ONLY)
        assert outcome.replies[-1]["ephemeral"] is True
        assert outcome.effects == []
    assert (await team_state(sandbox), len(await audit_log(sandbox))) == before


async def test_the_refusal_names_the_role_in_the_members_language(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=WITHOUT_ROLE)

    outcome = ok(await sandbox.run("mike", "team create", {"name": "Night Owls"}))

    assert_reply(outcome, "core.errors.missing_role", "en-US", **PARTICIPANTS_ONLY)
    assert expected("core.roles.participant", "en-US") in outcome.replies[-1]["content"]
    assert await team_state(sandbox) == []


async def test_reading_teams_is_open_to_everyone_in_the_server(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=WITHOUT_ROLE)
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    info = ok(await sandbox.run("marta", "team info", {"team": "Los Tigres"}))
    listed = ok(await sandbox.run("nadie", "team list"))

    assert info.replies[-1]["embeds"][0]["title"] == "Los Tigres"
    assert listed.replies[-1]["embeds"][0]["title"] == expected("teams.list.title", total=1)


async def test_organizers_may_act_for_participants(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=WITHOUT_ROLE)

    outcome = ok(await sandbox.run("olga", "team create", {"name": "Los Pumas"}))

    assert (await team_state(sandbox))[0]["captain"] == "olga"
    assert "Los Pumas" in outcome.replies[-1]["content"]


async def test_a_mentor_cannot_be_invited_into_a_team(make_sandbox: MakeSandbox) -> None:
    """The invitee answers with buttons, which check no role: the invitation itself is refused."""
    sandbox = await make_sandbox(members=WITHOUT_ROLE)
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team invite", {"member": "@marta"}))

    assert_reply(
        outcome,
        "teams.errors.invitee_not_participant",
        member=mention_of(sandbox, "marta"),
        role=Message("core.roles.participant"),
    )
    assert outcome.effects == []
