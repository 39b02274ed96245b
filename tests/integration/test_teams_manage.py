"""Leaving, kicking, handing over, renaming, disbanding, reading a team, the paginated list,
and members who leave the server."""

from __future__ import annotations

from typing import Any

from sandbox.harness import Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.teams_support import (
    create_team,
    members,
    messages,
    of_type,
    ok,
    reply_text,
    team_state,
    uid,
)


async def test_leave_removes_the_member_from_thread_and_team(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.run("bea", "team leave"))

    assert reply_text(outcome) == "Has dejado el equipo **Los Tigres**."
    assert of_type(outcome, "thread_member_removed") == [
        {"type": "thread_member_removed", "thread": "Los Tigres", "member": "bea"}
    ]
    assert (await team_state(sandbox))[0]["members"] == ["ana"]


async def test_captain_leaving_hands_over_to_the_longest_standing_member(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "carlos", "bea")

    outcome = ok(await sandbox.run("ana", "team leave"))

    announcements = [m["content"] for m in messages(outcome, "thread:Los Tigres")]
    assert f"<@{uid(sandbox, 'carlos')}> tiene ahora la capitanía del equipo." in announcements
    assert await team_state(sandbox) == [
        {"name": "Los Tigres", "captain": "carlos", "members": ["carlos", "bea"], "locked": False}
    ]


async def test_last_member_leaving_disbands_the_team(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team leave"))

    assert "como no quedaba nadie, el equipo se ha disuelto" in reply_text(outcome)
    archived = of_type(outcome, "thread_archived")
    assert {effect["thread"] for effect in archived} == {"Los Tigres"}
    assert len(archived) == 2  # the team's thread and its forum post
    assert await team_state(sandbox) == []


async def test_leave_without_team_is_refused(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("bea", "team leave"))

    assert reply_text(outcome).startswith("No estás en ningún equipo. Crea uno con /equipo crear")
    assert outcome.effects == []


async def test_captain_kicks_a_member(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.run("ana", "team kick", {"member": "@bea"}))

    assert reply_text(outcome) == f"<@{uid(sandbox, 'bea')}> ya no forma parte de **Los Tigres**."
    assert of_type(outcome, "thread_member_removed") == [
        {"type": "thread_member_removed", "thread": "Los Tigres", "member": "bea"}
    ]
    assert (await team_state(sandbox))[0]["members"] == ["ana"]


async def test_only_the_captain_can_kick(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea", "carlos")

    outcome = ok(await sandbox.run("bea", "team kick", {"member": "@carlos"}))

    assert reply_text(outcome).startswith("Solo la capitanía de Los Tigres puede hacer esto.")
    assert outcome.effects == []
    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea", "carlos"]


async def test_kicking_someone_outside_the_team_is_refused(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team kick", {"member": "@bea"}))

    assert "no es miembro de Los Tigres" in reply_text(outcome)
    assert "/equipo info" in reply_text(outcome)
    assert outcome.effects == []


async def test_transfer_makes_another_member_captain(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.run("ana", "team transfer", {"member": "@bea"}))

    assert (
        reply_text(outcome)
        == f"<@{uid(sandbox, 'bea')}> tiene ahora la capitanía de **Los Tigres**."
    )
    [notice] = messages(outcome, "thread:Los Tigres")
    assert notice["mentions"]["users"] == ["bea"]
    assert (await team_state(sandbox))[0]["captain"] == "bea"


async def test_transfer_to_a_non_member_is_refused(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team transfer", {"member": "@bea"}))

    assert "no es miembro de Los Tigres" in reply_text(outcome)
    assert (await team_state(sandbox))[0]["captain"] == "ana"


async def test_rename_renames_thread_and_forum_post(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team rename", {"name": "Las Panteras"}))

    assert reply_text(outcome) == "El equipo **Los Tigres** ahora se llama **Las Panteras**."
    renamed = of_type(outcome, "thread_renamed")
    assert len(renamed) == 2
    assert all(effect.get("name") == "Las Panteras" for effect in renamed), renamed
    assert [team["name"] for team in await team_state(sandbox)] == ["Las Panteras"]
    guild = sandbox.discord.state.guild(sandbox.guild_id)
    assert sorted(c.name for c in guild.channels.values() if c.is_thread) == [
        "Las Panteras",
        "Las Panteras",
    ]


async def test_rename_to_a_taken_name_is_refused(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("bea", "team create", {"name": "Las Panteras"}))

    outcome = ok(await sandbox.run("ana", "team rename", {"name": "LAS PANTERAS"}))

    assert "Ya existe un equipo llamado LAS PANTERAS" in reply_text(outcome)
    assert of_type(outcome, "thread_renamed") == []
    assert [team["name"] for team in await team_state(sandbox)] == ["Los Tigres", "Las Panteras"]


async def test_disband_archives_and_locks_the_thread(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.run("ana", "team disband"))

    assert (
        reply_text(outcome) == "El equipo **Los Tigres** se ha disuelto. Su hilo queda archivado."
    )
    assert len(of_type(outcome, "thread_archived")) == 2
    thread = team_thread(sandbox)
    assert (thread.archived, thread.locked) == (True, True)
    assert await team_state(sandbox) == []


async def test_only_the_captain_can_disband(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.run("bea", "team disband"))

    assert reply_text(outcome).startswith("Solo la capitanía de Los Tigres")
    assert outcome.effects == []
    assert len(await team_state(sandbox)) == 1


async def test_info_shows_a_team_in_the_members_language(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "dani", description="Un modelo de tigres")

    outcome = ok(await sandbox.run("dani", "team info"))

    [embed] = outcome.replies[0]["embeds"]
    assert embed["title"] == "Los Tigres"
    assert embed["description"] == "Un modelo de tigres"
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Captain"] == f"<@{uid(sandbox, 'ana')}>"
    assert fields["Members (2/5)"] == f"<@{uid(sandbox, 'ana')}>, <@{uid(sandbox, 'dani')}>"
    assert fields["Free places"] == "3"
    assert "Team thread" in fields


async def test_info_of_another_team_by_name_hides_its_thread(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("bea", "team info", {"team": "los tigres"}))

    [embed] = outcome.replies[0]["embeds"]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert embed["title"] == "Los Tigres"
    assert "Hilo del equipo" not in fields
    assert fields["Plazas libres"] == "4"


async def test_list_pages_through_teams(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(
        members=members("ana", "bea", "carlos", "dani", "eva"),
        settings={"teams": {"list_page_size": 2}},
    )
    for captain, name in [("ana", "Equipo Uno"), ("bea", "Equipo Dos"), ("carlos", "Equipo Tres")]:
        ok(await sandbox.run(captain, "team create", {"name": name, "open": True}))
    ok(await sandbox.run("dani", "team join", {"team": "Equipo Dos"}))

    first = ok(await sandbox.run("eva", "team list"))

    [embed] = first.replies[0]["embeds"]
    assert embed["title"] == "Equipos (3)"
    assert [(f["name"], f["value"]) for f in embed["fields"]] == [
        ("Equipo Uno", "1/5 miembros · 4 plazas libres · abierto, sin aprobación"),
        ("Equipo Dos", "2/5 miembros · 3 plazas libres · abierto, sin aprobación"),
    ]
    assert embed["footer"] == "Página 1 de 2"
    assert first.replies[0]["buttons"] == ["Anterior", "Siguiente"]

    second = ok(await sandbox.click("eva", label="Siguiente"))

    [embed] = second.replies[-1]["embeds"]
    assert [f["name"] for f in embed["fields"]] == ["Equipo Tres"]
    assert embed["footer"] == "Página 2 de 2"


async def test_member_leaving_the_server_leaves_the_team(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea", "carlos")

    outcome = ok(await sandbox.leave("bea"))

    # Discord itself drops a departed member from the thread; the bot says so in the thread.
    assert [m["content"] for m in messages(outcome, "thread:Los Tigres")] == [
        f"<@{uid(sandbox, 'bea')}> ha dejado el equipo."
    ]
    assert (await team_state(sandbox))[0]["members"] == ["ana", "carlos"]
    assert uid(sandbox, "bea") not in team_thread(sandbox).members


async def test_captain_leaving_the_server_hands_over_the_team(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.leave("ana"))

    assert f"<@{uid(sandbox, 'bea')}> tiene ahora la capitanía del equipo." in [
        m["content"] for m in messages(outcome, "thread:Los Tigres")
    ]
    assert await team_state(sandbox) == [
        {"name": "Los Tigres", "captain": "bea", "members": ["bea"], "locked": False}
    ]


def team_thread(sandbox: Sandbox) -> Any:
    """The team's private thread in the local Discord (not its forum post of the same name)."""
    guild = sandbox.discord.state.guild(sandbox.guild_id)
    teams_channel = sandbox.discord.channel_id(sandbox.guild_id, "equipos")
    [thread] = [c for c in guild.channels.values() if c.is_thread and c.parent_id == teams_channel]
    return thread


async def test_member_who_left_while_the_bot_was_down_leaves_the_team_at_start(
    sandbox: Sandbox,
) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea", "carlos")
    await sandbox.kill_bot()
    sandbox.discord.remove_member(sandbox.guild_id, "carlos")  # nobody is listening

    await sandbox.start_bot()

    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea"]
    await sandbox.settle()
    assert uid(sandbox, "carlos") not in team_thread(sandbox).members
