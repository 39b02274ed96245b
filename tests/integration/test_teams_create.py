"""`/team create`: the private thread, the recruiting post, and all-or-nothing creation."""

from __future__ import annotations

import pytest

from bot.discord.mentions import channel_mention
from sandbox.discord.permissions import (
    CREATE_PRIVATE_THREADS,
    FULL_PERMISSIONS,
)
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
    audit_log,
    members,
    of_type,
    ok,
    reply_text,
    team_state,
    team_view,
)


async def test_create_makes_private_thread_with_captain_and_recruiting_post(
    sandbox: Sandbox,
) -> None:
    outcome = ok(
        await sandbox.run("ana", "team create", {"name": "Los Tigres", "description": "Un modelo"})
    )

    assert of_type(outcome, "thread_created") == [
        {"type": "thread_created", "name": "Los Tigres", "parent": "equipos", "private": True}
    ]
    assert of_type(outcome, "thread_member_added") == [
        {"type": "thread_member_added", "thread": "Los Tigres", "member": "ana"}
    ]
    [post] = of_type(outcome, "forum_post_created")
    assert post == {
        "type": "forum_post_created",
        "channel": "encuentra-equipo",
        "title": "Los Tigres",
        "tags": ["buscamos gente"],
    }
    [welcome] = of_type(outcome, "message")
    assert welcome["channel"] == "thread:Los Tigres"
    assert welcome["mentions"] == {"everyone": False, "roles": [], "users": ["ana"]}
    assert welcome["content"] == expected(
        "teams.thread.welcome", PUBLIC, team="Los Tigres", captain=mention_of(sandbox, "ana")
    )
    assert outcome.replies[0]["ephemeral"] is True
    thread = channel_mention((await team_view(sandbox, "Los Tigres")).thread_id)
    assert_reply(outcome, "teams.create.done", team="Los Tigres", thread=thread, count=5)
    assert await team_state(sandbox) == [
        {"name": "Los Tigres", "captain": "ana", "members": ["ana"], "locked": False}
    ]
    assert [entry.action for entry in await audit_log(sandbox, "team.created")] == ["team.created"]


async def test_create_replies_in_the_members_language(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("dani", "team create", {"name": "Night Owls"}))

    thread = channel_mention((await team_view(sandbox, "Night Owls")).thread_id)
    assert reply_text(outcome) == english(
        "teams.create.done", team="Night Owls", thread=thread, count=5
    )
    assert await team_state(sandbox) == [
        {"name": "Night Owls", "captain": "dani", "members": ["dani"], "locked": False}
    ]


@pytest.mark.parametrize(
    ("name", "key", "params"),
    [
        ("@everyone", "teams.errors.name_mention", {}),
        ("<@123456789>", "teams.errors.name_mention", {}),
        ("Los\u200bTigres", "teams.errors.name_invisible", {}),
        ("Ab", "teams.errors.name_too_short", {"count": 3}),
        ("x" * 33, "teams.errors.name_too_long", {"count": 32}),
        ("**Tigres**", "teams.errors.name_markdown", {"chars": "*"}),
        ("[hola](https://x.y)", "teams.errors.name_mention", {}),
    ],
)
async def test_invalid_name_is_refused_and_nothing_is_created(
    sandbox: Sandbox, name: str, key: str, params: dict[str, object]
) -> None:
    outcome = ok(await sandbox.run("ana", "team create", {"name": name}))

    assert_reply(outcome, key, **params)
    assert outcome.replies[0]["ephemeral"] is True
    assert outcome.effects == []
    assert await team_state(sandbox) == []


async def test_name_taken_ignoring_case_accents_and_spacing(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres Ñandú"}))

    outcome = ok(await sandbox.run("bea", "team create", {"name": "  los   TIGRES  ñandu "}))

    assert_reply(outcome, "teams.errors.name_taken", name="los TIGRES ñandu")
    assert outcome.effects == []
    assert [team["name"] for team in await team_state(sandbox)] == ["Los Tigres Ñandú"]


async def test_member_of_a_team_cannot_create_another(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team create", {"name": "Los Leones"}))

    assert_reply(outcome, "teams.errors.already_in_team", team="Los Tigres")
    assert command_mention(sandbox, "team", "leave") in reply_text(outcome)
    assert outcome.effects == []
    assert [team["name"] for team in await team_state(sandbox)] == ["Los Tigres"]


async def test_missing_thread_permission_leaves_no_team_and_no_orphan(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=members("ana"))
    sandbox.discord.set_bot_permissions(
        sandbox.guild_id, FULL_PERMISSIONS & ~CREATE_PRIVATE_THREADS
    )
    await sandbox.settle()

    outcome = await sandbox.run("ana", "team create", {"name": "Los Tigres"})

    assert [e for e in outcome.errors if e["type"] == "interaction_failed"] == []
    assert_reply(outcome, "teams.create.discord_failed")
    assert of_type(outcome, "forum_post_created") == []
    _assert_no_live_team_spaces(sandbox)
    assert await team_state(sandbox) == []


async def test_thread_creation_refused_leaves_no_team_and_no_orphan(sandbox: Sandbox) -> None:
    sandbox.discord.inject_fault("POST", r"/channels/\d+/threads$", 403, count=10)

    outcome = await sandbox.run("ana", "team create", {"name": "Los Tigres"})

    assert [e for e in outcome.errors if e["type"] == "interaction_failed"] == []
    assert_reply(outcome, "teams.create.discord_failed")
    assert of_type(outcome, "forum_post_created") == []
    _assert_no_live_team_spaces(sandbox)
    assert await team_state(sandbox) == []


async def test_forum_post_failure_deletes_the_thread_just_created(sandbox: Sandbox) -> None:
    forum = sandbox.discord.channel_id(sandbox.guild_id, "encuentra-equipo")
    sandbox.discord.inject_fault("POST", rf"/channels/{forum}/threads$", 403, count=10)

    outcome = await sandbox.run("ana", "team create", {"name": "Los Tigres"})

    assert_reply(outcome, "teams.create.discord_failed")
    _assert_no_live_team_spaces(sandbox)
    assert await team_state(sandbox) == []


async def test_one_server_error_is_retried_and_makes_one_thread(sandbox: Sandbox) -> None:
    sandbox.discord.inject_fault("POST", r"/channels/\d+/threads$", 500, count=1)

    outcome = ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    assert len(of_type(outcome, "thread_created")) == 1
    assert len(of_type(outcome, "forum_post_created")) == 1
    assert [team["members"] for team in await team_state(sandbox)] == [["ana"]]


def _assert_no_live_team_spaces(sandbox: Sandbox) -> None:
    guild = sandbox.discord.state.guild(sandbox.guild_id)
    left = [c.name for c in guild.channels.values() if c.is_thread and c.name == "Los Tigres"]
    assert left == []
