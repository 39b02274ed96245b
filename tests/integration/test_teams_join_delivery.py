"""A join request whose team thread is gone (deleted, never recorded, or refusing the post)
reaches the captain by DM with the same buttons; when the captain's DMs are closed too, it is
withdrawn and the member is told so: nothing is left pending that nobody can answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.models.teams import Team
from sandbox.harness import MemberSpec, Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import (
    ENGLISH,
    accept_label,
    assert_reply,
    button_labels,
    expected,
    mention_of,
    status,
)
from tests.integration.teams_support import (
    audit_log,
    create_team,
    join_requests,
    members,
    messages,
    of_type,
    ok,
    team_state,
)

HOW_GONE = ["deleted", "no_thread_id", "refused"]


def team_thread(sandbox: Sandbox) -> Any:
    """The team's private thread in the local Discord (not its forum post of the same name)."""
    guild = sandbox.discord.state.guild(sandbox.guild_id)
    teams_channel = sandbox.discord.channel_id(sandbox.guild_id, "equipos")
    [thread] = [c for c in guild.channels.values() if c.is_thread and c.parent_id == teams_channel]
    return thread


async def lose_the_thread(sandbox: Sandbox, how: str) -> None:
    """Take the team's thread away from the bot: a moderator deletes it in Discord (the bot
    hears THREAD_DELETE), the team has no thread on record, or Discord refuses posts in it."""
    thread = team_thread(sandbox)
    if how == "deleted":
        guild = sandbox.discord.state.guild(sandbox.guild_id)

        async def delete() -> None:
            del guild.channels[thread.id]
            sandbox.discord.gateway.dispatch(
                "THREAD_DELETE",
                {
                    "id": str(thread.id),
                    "guild_id": str(guild.id),
                    "parent_id": str(thread.parent_id),
                    "type": thread.type,
                },
                guild_id=guild.id,
            )

        ok(await sandbox.step(delete))
    elif how == "no_thread_id":
        assert sandbox.bot is not None
        await sandbox.bot.db.write(
            lambda session: session.execute(update(Team).values(thread_id=None))
        )
    else:
        sandbox.discord.inject_fault("POST", rf"^/channels/{thread.id}/messages$", 403, count=10)


@pytest.mark.parametrize("how", HOW_GONE)
async def test_a_request_whose_thread_is_gone_reaches_the_captain_by_dm(
    sandbox: Sandbox, how: str
) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    thread_id = team_thread(sandbox).id
    await lose_the_thread(sandbox, how)

    outcome = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    assert_reply(outcome, "teams.join.requested", team="Los Tigres")
    [request] = messages(outcome)
    assert request["channel"] == "dm:ana"
    assert request["content"] == expected(
        "teams.join.request",
        member=mention_of(sandbox, "bea"),
        captain=mention_of(sandbox, "ana"),
        team="Los Tigres",
    )
    assert request["buttons"] == button_labels()
    [row] = await join_requests(sandbox)
    assert row.status == "pending"
    assert row.message_id is not None
    assert row.channel_id not in (None, thread_id)

    accepted = ok(await sandbox.click("ana", label=accept_label(), where="dm"))

    assert accepted.replies[0]["content"] == expected(
        "teams.answered.request", team="Los Tigres", status=status("accepted")
    )
    assert accepted.replies[0]["buttons"] == []
    assert [m["content"] for m in messages(accepted, "dm:bea")] == [
        expected("teams.outcome.request_accepted", team="Los Tigres")
    ]
    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea"]
    assert [r.status for r in await join_requests(sandbox)] == ["accepted"]


async def test_a_request_delivered_by_dm_closes_there_in_the_captains_language(
    sandbox: Sandbox,
) -> None:
    """dani's Discord is in English: the request reaches her DMs in English and, when it
    expires, its message there is edited (in English) and its buttons removed."""
    ok(await sandbox.run("dani", "team create", {"name": "Los Tigres"}))
    await lose_the_thread(sandbox, "deleted")
    bea, dani = mention_of(sandbox, "bea"), mention_of(sandbox, "dani")
    asked = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
    [request] = messages(asked)
    assert request["channel"] == "dm:dani"
    assert request["content"] == expected(
        "teams.join.request", ENGLISH, member=bea, captain=dani, team="Los Tigres"
    )
    assert request["buttons"] == button_labels(ENGLISH)

    outcome = ok(await sandbox.advance(timedelta(hours=49)))

    [edited] = of_type(outcome, "message_edited")
    assert edited["channel"] == "dm:dani"
    assert edited["content"] == expected(
        "teams.closed.request", ENGLISH, member=bea, status=status("expired")
    )
    assert edited["buttons"] == []
    assert [r.status for r in await join_requests(sandbox)] == ["expired"]
    assert [m["content"] for m in messages(outcome, "dm:bea")] == [
        expected("teams.outcome.request_expired", team="Los Tigres")
    ]


async def test_a_request_nobody_can_deliver_is_withdrawn(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(
        members=members("bea", "carlos", ana=MemberSpec(roles=("participant",), dms=False))
    )
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    await lose_the_thread(sandbox, "deleted")

    outcome = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    assert_reply(
        outcome,
        "teams.join.request_undelivered",
        team="Los Tigres",
        captain=mention_of(sandbox, "ana"),
    )
    assert of_type(outcome, "dm_failed") == [{"type": "dm_failed", "to": "ana"}]
    assert messages(outcome) == []
    assert [r.status for r in await join_requests(sandbox)] == ["cancelled"]
    assert [e.action for e in await audit_log(sandbox, "team.request_")] == [
        "team.request_withdrawn"
    ]

    # Nothing pending, no cooldown: asking again is tried again (and still cannot be delivered).
    again = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    assert_reply(
        again,
        "teams.join.request_undelivered",
        team="Los Tigres",
        captain=mention_of(sandbox, "ana"),
    )
    assert [r.status for r in await join_requests(sandbox)] == ["cancelled", "cancelled"]
    assert (await team_state(sandbox))[0]["members"] == ["ana"]

    # Once the captain opens their DMs, the next request reaches them.
    sandbox.discord.state.users[sandbox.discord.user_id("ana")].dms = True
    delivered = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    assert_reply(delivered, "teams.join.requested", team="Los Tigres")
    assert [m["channel"] for m in messages(delivered)] == ["dm:ana"]
    assert [r.status for r in await join_requests(sandbox)] == [
        "cancelled",
        "cancelled",
        "pending",
    ]


@pytest.mark.parametrize("how", ["transfer", "leave"])
async def test_a_request_in_the_old_captains_dms_moves_to_the_new_captain(
    sandbox: Sandbox, how: str
) -> None:
    """Only the captain answers a join request, and a request sent by DM is seen by the captain
    who received it alone: when the captaincy passes, it goes to the new captain and the old
    message says where it went."""
    await create_team(sandbox, "ana", "Los Tigres", "carlos", open=False)
    await lose_the_thread(sandbox, "deleted")
    asked = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
    [first] = messages(asked)
    assert first["channel"] == "dm:ana"
    [before] = await join_requests(sandbox)
    bea, carlos = mention_of(sandbox, "bea"), mention_of(sandbox, "carlos")

    if how == "transfer":
        outcome = ok(await sandbox.run("ana", "team transfer", {"member": "@carlos"}))
    else:
        outcome = ok(await sandbox.run("ana", "team leave"))

    [moved] = messages(outcome, "dm:carlos")
    assert moved["content"] == expected(
        "teams.join.request", member=bea, captain=carlos, team="Los Tigres"
    )
    assert moved["buttons"] == button_labels()
    [edited] = of_type(outcome, "message_edited")
    assert edited["channel"] == "dm:ana"
    assert edited["content"] == expected(
        "teams.join.request_moved", member=bea, captain=carlos, team="Los Tigres"
    )
    assert edited["buttons"] == []
    [after] = await join_requests(sandbox)
    assert after.status == "pending" and after.id == before.id
    assert (after.channel_id, after.message_id) != (before.channel_id, before.message_id)

    accepted = ok(await sandbox.click("carlos", label=accept_label(), where="dm"))

    assert accepted.replies[0]["content"] == expected(
        "teams.answered.request", team="Los Tigres", status=status("accepted")
    )
    assert [r.status for r in await join_requests(sandbox)] == ["accepted"]
    expected_members = ["carlos", "bea"] if how == "leave" else ["ana", "carlos", "bea"]
    assert sorted((await team_state(sandbox))[0]["members"]) == sorted(expected_members)


async def test_a_request_in_the_teams_thread_stays_there_when_the_captaincy_passes(
    sandbox: Sandbox,
) -> None:
    """The thread is where every member, the new captain too, reads the request: it stays."""
    await create_team(sandbox, "ana", "Los Tigres", "carlos", open=False)
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team transfer", {"member": "@carlos"}))

    assert messages(outcome, "dm:carlos") == []
    assert of_type(outcome, "message_edited") == []
    accepted = ok(await sandbox.click("carlos", label=accept_label()))
    assert accepted.replies[0]["content"] == expected(
        "teams.answered.request", team="Los Tigres", status=status("accepted")
    )
