"""Leaving, kicking, handing over, renaming, disbanding, reading a team, the paginated list,
and members who leave the server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.discord.mentions import channel_mention
from bot.i18n import Message
from bot.services import teams
from sandbox.harness import Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import (
    PUBLIC,
    assert_reply,
    command_mention,
    english,
    expected,
    mention_of,
)
from tests.integration.teams_support import (
    create_team,
    members,
    messages,
    of_type,
    ok,
    reply_text,
    team_state,
    team_view,
    uid,
)


def new_captain(sandbox: Sandbox, handle: str) -> str:
    """What the team's thread reads when captaincy passes to ``handle``."""
    return expected("teams.thread.new_captain", PUBLIC, member=mention_of(sandbox, handle))


async def test_leave_removes_the_member_from_thread_and_team(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.run("bea", "team leave"))

    assert_reply(outcome, "teams.leave.done", team="Los Tigres")
    assert of_type(outcome, "thread_member_removed") == [
        {"type": "thread_member_removed", "thread": "Los Tigres", "member": "bea"}
    ]
    assert (await team_state(sandbox))[0]["members"] == ["ana"]


async def test_captain_leaving_hands_over_to_the_longest_standing_member(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "carlos", "bea")

    outcome = ok(await sandbox.run("ana", "team leave"))

    announcements = [m["content"] for m in messages(outcome, "thread:Los Tigres")]
    assert new_captain(sandbox, "carlos") in announcements
    assert await team_state(sandbox) == [
        {"name": "Los Tigres", "captain": "carlos", "members": ["carlos", "bea"], "locked": False}
    ]


async def test_last_member_leaving_disbands_the_team(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team leave"))

    assert_reply(outcome, "teams.leave.disbanded", team="Los Tigres")
    archived = of_type(outcome, "thread_archived")
    assert {effect["thread"] for effect in archived} == {"Los Tigres"}
    assert len(archived) == 2  # the team's thread and its forum post
    assert await team_state(sandbox) == []


async def test_leave_without_team_is_refused(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("bea", "team leave"))

    assert_reply(outcome, "teams.errors.not_in_team")
    assert command_mention(sandbox, "team", "create") in reply_text(outcome)
    assert outcome.effects == []


async def test_captain_kicks_a_member(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.run("ana", "team kick", {"member": "@bea"}))

    assert_reply(outcome, "teams.kick.done", member=mention_of(sandbox, "bea"), team="Los Tigres")
    assert of_type(outcome, "thread_member_removed") == [
        {"type": "thread_member_removed", "thread": "Los Tigres", "member": "bea"}
    ]
    assert (await team_state(sandbox))[0]["members"] == ["ana"]


async def test_only_the_captain_can_kick(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea", "carlos")

    outcome = ok(await sandbox.run("bea", "team kick", {"member": "@carlos"}))

    assert_reply(outcome, "teams.errors.not_captain", team="Los Tigres")
    assert outcome.effects == []
    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea", "carlos"]


async def test_kicking_someone_outside_the_team_is_refused(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team kick", {"member": "@bea"}))

    assert_reply(outcome, "teams.errors.member_not_in_team", team="Los Tigres")
    assert command_mention(sandbox, "team", "info") in reply_text(outcome)
    assert outcome.effects == []


async def test_transfer_makes_another_member_captain(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.run("ana", "team transfer", {"member": "@bea"}))

    assert_reply(
        outcome, "teams.transfer.done", member=mention_of(sandbox, "bea"), team="Los Tigres"
    )
    [notice] = messages(outcome, "thread:Los Tigres")
    assert notice["content"] == new_captain(sandbox, "bea")
    assert notice["mentions"]["users"] == ["bea"]
    assert (await team_state(sandbox))[0]["captain"] == "bea"


async def test_transfer_to_a_non_member_is_refused(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team transfer", {"member": "@bea"}))

    assert_reply(outcome, "teams.errors.member_not_in_team", team="Los Tigres")
    assert (await team_state(sandbox))[0]["captain"] == "ana"


async def test_rename_renames_thread_and_forum_post(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team rename", {"name": "Las Panteras"}))

    assert_reply(outcome, "teams.rename.done", old="Los Tigres", team="Las Panteras")
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

    assert_reply(outcome, "teams.errors.name_taken", name="LAS PANTERAS")
    assert of_type(outcome, "thread_renamed") == []
    assert [team["name"] for team in await team_state(sandbox)] == ["Los Tigres", "Las Panteras"]


async def test_disband_asks_the_captain_to_confirm_first(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.run("ana", "team disband"))

    assert_reply(outcome, "teams.disband.confirm", team="Los Tigres", count=2)
    assert outcome.replies[-1]["ephemeral"] is True
    assert outcome.replies[-1]["buttons"] == [expected("teams.buttons.disband")]
    assert outcome.effects == []
    assert len(await team_state(sandbox)) == 1


async def test_confirming_disbands_and_archives_the_thread_even_after_a_restart(
    sandbox: Sandbox,
) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")
    ok(await sandbox.run("ana", "team disband"))
    await sandbox.restart()

    outcome = ok(await sandbox.click("ana", label=expected("teams.buttons.disband")))

    assert outcome.replies[0]["content"] == expected("teams.disband.done", team="Los Tigres")
    assert outcome.replies[0]["buttons"] == []
    assert len(of_type(outcome, "thread_archived")) == 2
    thread = team_thread(sandbox)
    assert (thread.archived, thread.locked) == (True, True)
    assert await team_state(sandbox) == []


async def test_only_the_captain_who_asked_can_confirm(sandbox: Sandbox) -> None:
    """Nobody else sees the captain's confirmation; a modified client can still send its
    custom_id."""
    await create_team(sandbox, "ana", "Los Tigres", "bea")
    ok(await sandbox.run("ana", "team disband"))
    team = await team_view(sandbox, "Los Tigres")
    custom_id = f"team:disband:{team.id}:{uid(sandbox, 'ana')}:{teams.created_stamp(team)}"

    outcome = ok(await sandbox.forge_click("bea", custom_id))

    assert_reply(outcome, "teams.errors.not_for_you")
    assert outcome.effects == []
    assert len(await team_state(sandbox)) == 1


async def test_a_forged_disband_confirmation_is_invalid(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    for custom_id in ("team:disband:x:1:2", f"team:disband:1:{2**64}:3", "team:disband:1:2"):
        outcome = ok(await sandbox.forge_click("ana", custom_id))

        assert_reply(outcome, "core.errors.invalid_button")
        assert outcome.effects == []
    assert len(await team_state(sandbox)) == 1


async def test_confirming_after_handing_over_the_captaincy_is_refused(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")
    ok(await sandbox.run("ana", "team disband"))
    ok(await sandbox.run("ana", "team transfer", {"member": "@bea"}))

    outcome = ok(await sandbox.click("ana", label=expected("teams.buttons.disband")))

    assert_reply(outcome, "teams.errors.disband_not_captain", team="Los Tigres")
    assert of_type(outcome, "thread_archived") == []
    assert (await team_state(sandbox))[0]["captain"] == "bea"


async def test_confirming_a_team_already_disbanded_is_refused_and_spares_a_new_one(
    make_sandbox: MakeSandbox,
) -> None:
    """An organizer disbanded the team first; the captain's new team (which may even reuse the
    old one's id on SQLite) is not what the old confirmation was about."""
    sandbox = await make_sandbox(
        members=members("ana", olga=("organizer",)), settings={"teams": {"create_cooldown": "0s"}}
    )
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("ana", "team disband"))
    ok(await sandbox.run("olga", "teamadmin disband", {"team": "Los Tigres"}))
    sandbox.clock.advance(timedelta(seconds=5))
    ok(await sandbox.run("ana", "team create", {"name": "Los Pumas"}))

    outcome = ok(await sandbox.click("ana", label=expected("teams.buttons.disband")))

    assert_reply(outcome, "teams.errors.disband_gone")
    assert of_type(outcome, "thread_archived") == []
    assert [team["name"] for team in await team_state(sandbox)] == ["Los Pumas"]


async def test_only_the_captain_can_disband(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.run("bea", "team disband"))

    assert_reply(outcome, "teams.errors.not_captain", team="Los Tigres")
    assert outcome.effects == []
    assert len(await team_state(sandbox)) == 1


async def test_info_shows_a_team_in_the_members_language(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "dani", description="Un modelo de tigres")

    outcome = ok(await sandbox.run("dani", "team info"))

    [embed] = outcome.replies[0]["embeds"]
    assert embed["title"] == "Los Tigres"
    assert embed["description"] == "Un modelo de tigres"
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields[english("teams.info.captain")] == mention_of(sandbox, "ana")
    assert fields[english("teams.info.members", size=2, max=5)] == ", ".join(
        [mention_of(sandbox, "ana"), mention_of(sandbox, "dani")]
    )
    assert fields[english("teams.info.free")] == "3"
    thread_id = (await team_view(sandbox, "Los Tigres")).thread_id
    assert fields[english("teams.info.thread")] == channel_mention(thread_id)


async def test_info_of_another_team_by_name_hides_its_thread(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("bea", "team info", {"team": "los tigres"}))

    [embed] = outcome.replies[0]["embeds"]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert embed["title"] == "Los Tigres"
    assert expected("teams.info.thread") not in fields
    assert fields[expected("teams.info.free")] == "4"


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
    assert embed["title"] == expected("teams.list.title", total=3)
    assert [(f["name"], f["value"]) for f in embed["fields"]] == [
        ("Equipo Uno", listed(size=1, free=4)),
        ("Equipo Dos", listed(size=2, free=3)),
    ]
    assert embed["footer"] == expected("teams.list.page", page=1, pages=2)
    previous, next_ = expected("teams.buttons.previous"), expected("teams.buttons.next")
    assert first.replies[0]["buttons"] == [previous, next_]

    second = ok(await sandbox.click("eva", label=next_))

    [embed] = second.replies[-1]["embeds"]
    assert [(f["name"], f["value"]) for f in embed["fields"]] == [
        ("Equipo Tres", listed(size=1, free=4))
    ]
    assert embed["footer"] == expected("teams.list.page", page=2, pages=2)


def listed(size: int, free: int) -> str:
    """An open team's line in `/team list`."""
    return expected(
        "teams.list.free", size=size, max=5, count=free, joining=Message("teams.info.open")
    )


async def test_member_leaving_the_server_leaves_the_team(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea", "carlos")

    outcome = ok(await sandbox.leave("bea"))

    # Discord itself drops a departed member from the thread; the bot says so in the thread.
    assert [m["content"] for m in messages(outcome, "thread:Los Tigres")] == [
        expected("teams.thread.left", PUBLIC, member=mention_of(sandbox, "bea"))
    ]
    assert (await team_state(sandbox))[0]["members"] == ["ana", "carlos"]
    assert uid(sandbox, "bea") not in team_thread(sandbox).members


async def test_captain_leaving_the_server_hands_over_the_team(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    outcome = ok(await sandbox.leave("ana"))

    assert new_captain(sandbox, "bea") in [
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
