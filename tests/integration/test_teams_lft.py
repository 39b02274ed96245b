"""`/lft`: looking-for-team profiles in the forum, their removal, and matching."""

from __future__ import annotations

from sandbox.harness import Sandbox
from tests.integration.teams_support import (
    lft_profile,
    of_type,
    ok,
    reply_text,
    uid,
)


def forum_threads(sandbox: Sandbox) -> list[str]:
    guild = sandbox.discord.state.guild(sandbox.guild_id)
    forum = sandbox.discord.channel_id(sandbox.guild_id, "encuentra-equipo")
    return sorted(c.name for c in guild.channels.values() if c.is_thread and c.parent_id == forum)


async def test_post_publishes_a_forum_post_tagged_looking(sandbox: Sandbox) -> None:
    outcome = ok(
        await sandbox.run(
            "bea",
            "lft post",
            {"skills": "python, datasets", "languages": "es, ca", "utc_offset": 1},
        )
    )

    [post] = of_type(outcome, "forum_post_created")
    assert post == {
        "type": "forum_post_created",
        "channel": "encuentra-equipo",
        "title": "bea",
        "tags": ["busco equipo"],
    }
    assert reply_text(outcome).startswith("Tu perfil está publicado:")
    assert "/busco-equipo sugerencias" in reply_text(outcome)
    profile = await lft_profile(sandbox, "bea")
    assert profile is not None
    assert (profile.skills, profile.languages, profile.utc_offset_minutes, profile.looking) == (
        ["python", "datasets"],
        ["es", "ca"],
        60,
        True,
    )
    assert profile.post_id is not None


async def test_posting_again_edits_the_same_post(sandbox: Sandbox) -> None:
    ok(await sandbox.run("bea", "lft post", {"skills": "python"}))

    outcome = ok(await sandbox.run("bea", "lft post", {"skills": "python, evaluación"}))

    assert of_type(outcome, "forum_post_created") == []
    [edited] = of_type(outcome, "message_edited")
    assert "evaluación" in edited["content"]
    assert forum_threads(sandbox) == ["bea"]


async def test_remove_deletes_the_profile_and_its_post(sandbox: Sandbox) -> None:
    ok(await sandbox.run("bea", "lft post", {"skills": "python"}))

    outcome = ok(await sandbox.run("bea", "lft remove"))

    assert reply_text(outcome) == "Tu perfil de búsqueda de equipo se ha eliminado."
    assert await lft_profile(sandbox, "bea") is None
    assert forum_threads(sandbox) == []


async def test_remove_without_profile_says_how_to_post_one(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("bea", "lft remove"))

    assert "/busco-equipo publicar" in reply_text(outcome)
    assert outcome.effects == []


async def test_member_of_a_team_cannot_post(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "lft post", {"skills": "python"}))

    assert reply_text(outcome).startswith("Ya estás en el equipo Los Tigres")
    assert "/equipo salir" in reply_text(outcome)
    assert of_type(outcome, "forum_post_created") == []


async def test_joining_a_team_removes_the_profile_post(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    ok(await sandbox.run("bea", "lft post", {"skills": "python"}))
    assert forum_threads(sandbox) == ["Los Tigres", "bea"]

    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    assert forum_threads(sandbox) == ["Los Tigres"]
    profile = await lft_profile(sandbox, "bea")
    assert profile is not None and profile.looking is False and profile.post_id is None


async def test_match_for_a_captain_lists_candidates(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("bea", "lft post", {"skills": "python, datasets", "languages": "es"}))
    ok(await sandbox.run("carlos", "lft post", {"skills": "diseño", "languages": "es"}))

    outcome = ok(await sandbox.run("ana", "lft match"))

    [embed] = outcome.replies[0]["embeds"]
    assert embed["title"] == "Candidaturas para Los Tigres"
    lines = embed["description"].splitlines()
    assert [line.split(". ")[0] for line in lines] == ["1", "2"]
    assert {line.split(". ")[1].split(":")[0] for line in lines} == {
        f"<@{uid(sandbox, 'bea')}>",
        f"<@{uid(sandbox, 'carlos')}>",
    }


async def test_match_for_a_member_without_team_lists_open_teams(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    ok(await sandbox.run("bea", "lft post", {"skills": "python"}))

    outcome = ok(await sandbox.run("bea", "lft match"))

    [embed] = outcome.replies[0]["embeds"]
    assert embed["title"] == "Equipos que encajan contigo"
    assert embed["description"].startswith("1. **Los Tigres** (4 plazas libres)")
