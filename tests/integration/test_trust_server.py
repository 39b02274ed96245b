"""Trust, points 1 and 2 of issue #16: only the event's server, only its members.

Each test forges, through the local Discord, the payload a modified client sent: a command or a
button from another server the bot is in (with a role named like the organizers' role), from a
DM, from someone outside the event. Each is refused with a clear answer and changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import catalogs
from sandbox.harness import Sandbox, StepOutcome
from tests.integration.conftest import MakeSandbox
from tests.integration.teams_support import (
    audit_log,
    create_team,
    invitations,
    lft_profile,
    members,
    ok,
    team_state,
)

ORGANIZERS_ROLE = "organizacion"  # config.toml: roles.organizer
EVENT_SERVER = "SomosNLP"  # config.toml: discord.guild


def says(outcome: StepOutcome, key: str, locale: str = "es-ES", **params: Any) -> None:
    """The step's one reply is the catalog message ``key``, seen only by its sender."""
    [reply] = outcome.replies
    assert reply["content"] == catalogs().t(locale, key, **params), reply
    assert reply["ephemeral"] is True


def nothing_happened(outcome: StepOutcome) -> None:
    """Only the refusal: no message, thread, post, DM or edit anywhere."""
    assert outcome.errors == [], outcome.errors
    assert outcome.effects == [], outcome.effects


async def attacked(make_sandbox: MakeSandbox) -> tuple[Sandbox, int]:
    """The event with a team, and a second server (mallory's) where the bot also is, with a
    role named like the organizers' role that mallory holds."""
    sandbox = await make_sandbox(members=members("ana", "bea", "carlos", "olga"))
    ok(await sandbox.run("olga", "team create", {"name": "Los Tigres", "open": False}))
    other = sandbox.add_server(
        "Mallory's", roles=(ORGANIZERS_ROLE,), members={"mallory": (ORGANIZERS_ROLE,)}
    )
    await sandbox.settle()
    return sandbox, other


ORGANIZER_COMMANDS = [
    ("teamadmin lock", {}),
    ("teamadmin unlock", {}),
    ("teamadmin disband", {"team": "Los Tigres"}),
    ("teamadmin move", {"member": "@mallory", "team": "Los Tigres"}),
    ("teamadmin log", {}),
    ("admin status", {}),
]


@pytest.mark.parametrize(("command", "options"), ORGANIZER_COMMANDS)
async def test_a_look_alike_organizer_role_in_another_server_commands_nothing(
    make_sandbox: MakeSandbox, command: str, options: dict[str, Any]
) -> None:
    sandbox, other = await attacked(make_sandbox)
    before = (await team_state(sandbox), len(await audit_log(sandbox)))

    outcome = await sandbox.forge("mallory", command, options, server=other)

    says(outcome, "core.errors.wrong_guild")
    nothing_happened(outcome)
    assert (await team_state(sandbox), len(await audit_log(sandbox))) == before


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("team create", {"name": "Los Pumas"}),
        ("team join", {"team": "Los Tigres"}),
        ("team invite", {"member": "@mallory"}),
        ("lft post", {"skills": "python"}),
    ],
)
async def test_someone_outside_the_event_changes_nothing_from_another_server(
    make_sandbox: MakeSandbox, command: str, options: dict[str, Any]
) -> None:
    sandbox, other = await attacked(make_sandbox)

    outcome = await sandbox.forge("mallory", command, options, server=other)

    says(outcome, "core.errors.wrong_guild")
    nothing_happened(outcome)
    assert [t["members"] for t in await team_state(sandbox)] == [["olga"]]
    assert await invitations(sandbox) == []
    assert await lft_profile(sandbox, "mallory") is None


async def test_a_server_named_like_the_event_joining_later_changes_nothing(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=members("ana", olga=("organizer",)))
    twin = sandbox.add_server(
        EVENT_SERVER, roles=(ORGANIZERS_ROLE,), members={"mallory": (ORGANIZERS_ROLE,)}
    )
    await sandbox.settle()

    outcome = await sandbox.forge("mallory", "teamadmin lock", server=twin)

    says(outcome, "core.errors.wrong_guild")
    nothing_happened(outcome)
    locked = ok(await sandbox.run("olga", "teamadmin lock"))
    says(locked, "teams.admin.locked")


async def test_two_servers_named_like_the_event_at_start_are_not_guessed(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=members("ana"))
    sandbox.add_server(EVENT_SERVER, members={"mallory": ()})
    restarted = await sandbox.step(sandbox.restart)
    assert any("refusing to guess" in e.get("message", "") for e in restarted.errors)

    outcome = await sandbox.forge("ana", "team create", {"name": "Los Tigres"})

    says(outcome, "core.errors.not_ready")
    assert await team_state(sandbox) == []


DM_COMMANDS = [
    ("team create", {"name": "Los Pumas"}),
    ("team join", {"team": "Los Tigres"}),
    ("team leave", {}),
    ("team disband", {}),
    ("team rename", {"name": "Las Panteras"}),
    ("team list", {}),
    ("lft post", {"skills": "python"}),
    ("lft remove", {}),
    ("teamadmin lock", {}),
    ("admin status", {}),
]


@pytest.mark.parametrize(("command", "options"), DM_COMMANDS)
async def test_a_forged_command_from_a_dm_is_refused(
    make_sandbox: MakeSandbox, command: str, options: dict[str, Any]
) -> None:
    sandbox = await make_sandbox(members=members("ana", "bea", olga=("organizer",)))
    await create_team(sandbox, "ana", "Los Tigres", "bea")
    ok(await sandbox.run("bea", "team invite", {"member": "@olga"}))
    before = (await team_state(sandbox), len(await audit_log(sandbox)))

    # bea is in the event (and in a team); olga organizes it: from a DM, neither commands it.
    for handle in ("bea", "olga"):
        outcome = await sandbox.forge(handle, command, options, dm=True)

        says(outcome, "core.errors.not_in_guild")
        nothing_happened(outcome)
    assert (await team_state(sandbox), len(await audit_log(sandbox))) == before


async def test_someone_in_no_server_is_refused_in_a_dm(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=members("ana"))
    await create_team(sandbox, "ana", "Los Tigres")
    sandbox.discord.state.create_user("nadie")

    outcome = await sandbox.forge("nadie", "team join", {"team": "Los Tigres"}, dm=True)

    says(outcome, "core.errors.not_in_guild")
    nothing_happened(outcome)
    assert [t["members"] for t in await team_state(sandbox)] == [["ana"]]


async def test_autocomplete_outside_the_event_offers_nothing(make_sandbox: MakeSandbox) -> None:
    sandbox, other = await attacked(make_sandbox)

    for where in ({"server": other}, {"dm": True}):
        outcome = await sandbox.forge_autocomplete("mallory", "team join", "team", "Los", **where)

        assert outcome.errors == []
        assert outcome.replies == [{"choices": []}], where
    inside = await sandbox.forge_autocomplete("ana", "team join", "team", "Los")
    assert inside.replies == [{"choices": [{"name": "Los Tigres", "value": "Los Tigres"}]}]


async def test_an_invitation_button_pressed_from_another_server_is_refused(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox, other = await attacked(make_sandbox)
    ok(await sandbox.run("olga", "team invite", {"member": "@bea"}))
    [invitation] = await invitations(sandbox)

    outcome = await sandbox.forge_click("mallory", f"team:inv:{invitation.id}:1", server=other)

    says(outcome, "core.errors.wrong_guild")
    nothing_happened(outcome)
    assert [i.status for i in await invitations(sandbox)] == ["pending"]


async def test_a_button_in_a_dm_answers_only_members_of_the_event(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox, _ = await attacked(make_sandbox)
    ok(await sandbox.run("olga", "team invite", {"member": "@bea"}))
    [invitation] = await invitations(sandbox)
    custom_id = f"team:inv:{invitation.id}:1"

    outsider = await sandbox.forge_click("mallory", custom_id, dm=True)

    says(outsider, "core.errors.not_a_member")
    nothing_happened(outsider)
    # The invitee, a member of the event, still answers from the DM.
    accepted = ok(await sandbox.forge_click("bea", custom_id, dm=True))
    assert [t["members"] for t in await team_state(sandbox)] == [["olga", "bea"]]
    assert "aceptada" in accepted.replies[-1]["content"]


async def test_leaving_another_server_keeps_the_team(make_sandbox: MakeSandbox) -> None:
    sandbox, other = await attacked(make_sandbox)
    await create_team(sandbox, "ana", "Los Pumas", "bea")
    sandbox.discord.add_member(other, "bea")
    await sandbox.settle()

    outcome = await sandbox.step(lambda: _leave(sandbox, other, "bea"))

    assert outcome.errors == []
    assert [t["members"] for t in await team_state(sandbox)] == [["olga"], ["ana", "bea"]]


async def _leave(sandbox: Sandbox, server: int, handle: str) -> None:
    sandbox.discord.remove_member(server, handle)
