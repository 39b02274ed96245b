"""Hostile input: names, descriptions and notes written to ping or format never ping anyone
and never store control characters."""

from __future__ import annotations

from bot.text import is_invisible
from sandbox.harness import Sandbox
from tests.integration.replies import accept_label, assert_reply, expected
from tests.integration.teams_support import (
    assert_no_pings,
    lft_profile,
    of_type,
    ok,
    team_state,
    team_view,
)

HOSTILE = "@everyone <@123456789> <@&42> **bold** [x](https://evil.example) @here"


async def test_hostile_description_pings_nobody(sandbox: Sandbox) -> None:
    outcome = ok(
        await sandbox.run("ana", "team create", {"name": "Los Tigres", "description": HOSTILE})
    )

    assert_no_pings(outcome, allowed={"ana"})
    team = await team_view(sandbox, "Los Tigres")
    assert team.description is not None and not any(is_invisible(ch) for ch in team.description)

    joined = ok(await sandbox.run("dani", "team info", {"team": "Los Tigres"}))
    [embed] = joined.replies[0]["embeds"]
    assert "@everyone" not in embed["description"]  # shown escaped, never as a live mention
    assert "<@123456789>" not in embed["description"]


async def test_hostile_team_names_are_refused_without_pinging(sandbox: Sandbox) -> None:
    for name, key, params in [
        ("@everyone", "teams.errors.name_mention", {}),
        ("<@123456789>", "teams.errors.name_mention", {}),
        ("**bold**", "teams.errors.name_markdown", {"chars": "*"}),
        ("Tigres @here", "teams.errors.name_mention", {}),
        ("Ti\u0000gres", "teams.errors.name_invisible", {}),
        ("Ti\u202egres", "teams.errors.name_invisible", {}),
    ]:
        outcome = ok(await sandbox.run("ana", "team create", {"name": name}))
        assert outcome.effects == [], name
        assert_reply(outcome, key, **params)
    assert await team_state(sandbox) == []


async def test_stored_names_have_no_control_characters(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "  Los\tTigres  "}))

    [team] = await team_state(sandbox)
    assert team["name"] == "Los Tigres"
    assert not any(is_invisible(ch) for ch in team["name"])


async def test_hostile_lft_note_pings_nobody(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("bea", "lft post", {"skills": "python", "note": HOSTILE}))

    assert_no_pings(outcome)
    assert len(of_type(outcome, "forum_post_created")) == 1
    guild = sandbox.discord.state.guild(sandbox.guild_id)
    starters = [
        m
        for m in sandbox.discord.state.messages.values()
        if m.guild_id == guild.id and "bold" in m.content
    ]
    assert starters, "the profile post shows the note"
    for message in starters:
        assert message.mention_everyone is False
        assert message.mentions == [] and message.mention_roles == []
        assert "**bold**" not in message.content
    profile = await lft_profile(sandbox, "bea")
    assert profile is not None and profile.note is not None
    assert not any(is_invisible(ch) for ch in profile.note)


async def test_hostile_skills_are_refused(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("bea", "lft post", {"skills": "python, @everyone"}))

    assert_reply(outcome, "teams.errors.skills_mention")
    assert outcome.effects == []
    assert await lft_profile(sandbox, "bea") is None


async def test_a_whole_team_life_with_hostile_text_never_pings_outside_its_members(
    sandbox: Sandbox,
) -> None:
    members = {"ana", "bea", "carlos"}
    for handle, command, options in [
        ("ana", "team create", {"name": "Los Tigres", "description": HOSTILE}),
        ("ana", "team invite", {"member": "@bea"}),
    ]:
        assert_no_pings(ok(await sandbox.run(handle, command, options)), allowed=members)
    assert_no_pings(
        ok(await sandbox.click("bea", label=accept_label(), where="dm")), allowed={"bea"}
    )
    for handle, command, options in [
        ("carlos", "team join", {"team": "Los Tigres"}),
        ("ana", "team rename", {"name": "Las Panteras"}),
        ("ana", "team leave", {}),
        ("bea", "team disband", {}),
    ]:
        assert_no_pings(ok(await sandbox.run(handle, command, options)), allowed=members)
    confirmed = ok(await sandbox.click("bea", label=expected("teams.buttons.disband")))
    assert_no_pings(confirmed, allowed=members)
    assert await team_state(sandbox) == []
