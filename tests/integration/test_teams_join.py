"""`/team join`: open teams at once, closed teams by a request the captain answers, and what
happens to the forum post and pending answers when a team fills up or frees a place."""

from __future__ import annotations

from sandbox.harness import Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import (
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
    create_team,
    invitations,
    join_requests,
    members,
    messages,
    of_type,
    ok,
    reply_text,
    team_state,
)


async def test_joining_an_open_team_is_immediate(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))

    outcome = ok(await sandbox.run("bea", "team join", {"team": "los tigres"}))

    assert_reply(outcome, "teams.join.joined", team="Los Tigres")
    assert of_type(outcome, "thread_member_added") == [
        {"type": "thread_member_added", "thread": "Los Tigres", "member": "bea"}
    ]
    assert await team_state(sandbox) == [
        {"name": "Los Tigres", "captain": "ana", "members": ["ana", "bea"], "locked": False}
    ]


async def test_joining_a_closed_team_posts_a_request_for_the_captain(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    assert_reply(outcome, "teams.join.requested", team="Los Tigres")
    [request] = messages(outcome)
    assert request["channel"] == "thread:Los Tigres"
    assert request["content"] == expected(
        "teams.join.request",
        member=mention_of(sandbox, "bea"),
        captain=mention_of(sandbox, "ana"),
        team="Los Tigres",
    )
    assert request["buttons"] == button_labels()
    assert request["mentions"] == {"everyone": False, "roles": [], "users": ["ana"]}
    assert of_type(outcome, "thread_member_added") == []
    assert (await team_state(sandbox))[0]["members"] == ["ana"]
    assert [r.status for r in await join_requests(sandbox)] == ["pending"]


async def test_captain_accepts_a_join_request(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    outcome = ok(await sandbox.click("ana", label=accept_label()))

    assert outcome.replies[0]["content"] == expected(
        "teams.answered.request", team="Los Tigres", status=status("accepted")
    )
    assert outcome.replies[0]["buttons"] == []
    assert of_type(outcome, "thread_member_added") == [
        {"type": "thread_member_added", "thread": "Los Tigres", "member": "bea"}
    ]
    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea"]
    assert [r.status for r in await join_requests(sandbox)] == ["accepted"]


async def test_captain_declines_a_join_request(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    outcome = ok(await sandbox.click("ana", label=decline_label()))

    assert outcome.replies[0]["content"] == expected(
        "teams.answered.request", team="Los Tigres", status=status("declined")
    )
    assert of_type(outcome, "thread_member_added") == []
    assert (await team_state(sandbox))[0]["members"] == ["ana"]
    assert [r.status for r in await join_requests(sandbox)] == ["declined"]


async def test_a_member_who_is_not_captain_cannot_answer_a_request(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "carlos", open=False)
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    outcome = ok(await sandbox.click("carlos", label=accept_label()))

    assert_reply(outcome, "teams.errors.not_captain", team="Los Tigres")
    assert outcome.replies[-1]["ephemeral"] is True
    assert of_type(outcome, "thread_member_added", "message_edited") == []
    assert (await team_state(sandbox))[0]["members"] == ["ana", "carlos"]
    assert [r.status for r in await join_requests(sandbox)] == ["pending"]


async def test_join_unknown_team_says_how_to_find_one(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("bea", "team join", {"team": "Nadie"}))

    assert_reply(outcome, "teams.errors.team_not_found", name="Nadie")
    assert command_mention(sandbox, "team", "list") in reply_text(outcome)
    assert outcome.effects == []


async def test_filling_the_team_tags_it_full_and_closes_pending_answers(
    make_sandbox: MakeSandbox,
) -> None:
    # More pending invitations than free places: what the overbooking setting allows.
    sandbox = await make_sandbox(
        members=members("ana", "bea", "carlos", "dani", "eva", "fede", "gema"),
        settings={"teams": {"invitation_overbooking": 2}},
    )
    await create_team(sandbox, "ana", "Los Tigres", "bea", "carlos")
    ok(await sandbox.run("ana", "team invite", {"member": "@fede"}))
    ok(await sandbox.run("dani", "team join", {"team": "Los Tigres"}))

    ok(await sandbox.run("ana", "team invite", {"member": "@gema"}))
    outcome = ok(await sandbox.run("eva", "team join", {"team": "Los Tigres"}))

    assert of_type(outcome, "tags_changed") == [
        {"type": "tags_changed", "thread": "Los Tigres", "tags": ["completo"]}
    ]
    closed = {m["channel"]: m for m in of_type(outcome, "message_edited")}
    assert set(closed) == {"dm:fede", "dm:gema"}
    assert all(
        m["content"]
        == expected("teams.closed.invitation", team="Los Tigres", status=status("full"))
        and m["buttons"] == []
        for m in closed.values()
    )
    assert [i.status for i in await invitations(sandbox)] == ["full", "full"]
    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea", "carlos", "dani", "eva"]

    refused = ok(await sandbox.run("fede", "team join", {"team": "Los Tigres"}))
    assert_reply(refused, "teams.errors.team_full", team="Los Tigres", count=5)
    assert command_mention(sandbox, "team", "list") in reply_text(refused)


async def test_a_full_closed_team_answers_its_join_requests_team_full(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(
        members=members("ana", "bea", "carlos", "dani", "eva", "fede"),
        settings={"teams": {"max_size": 3}},
    )
    await create_team(sandbox, "ana", "Los Tigres", "bea", open=False)
    ok(await sandbox.run("fede", "team join", {"team": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@carlos"}))

    outcome = ok(await sandbox.click("carlos", label=accept_label(), where="dm"))

    assert of_type(outcome, "tags_changed") == [
        {"type": "tags_changed", "thread": "Los Tigres", "tags": ["completo"]}
    ]
    [closed] = of_type(outcome, "message_edited")
    assert closed["channel"] == "thread:Los Tigres"
    # In the captain's language (ana's), naming who asked.
    assert closed["content"] == expected(
        "teams.closed.request", member=mention_of(sandbox, "fede"), status=status("full")
    )
    assert closed["buttons"] == []
    assert [r.status for r in await join_requests(sandbox)] == ["full"]


async def test_a_place_freed_in_a_full_team_tags_it_recruiting_again(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=members("ana", "bea", "carlos", "dani", "eva"))
    await create_team(sandbox, "ana", "Los Tigres", "bea", "carlos", "dani", "eva")

    outcome = ok(await sandbox.run("eva", "team leave"))

    assert of_type(outcome, "tags_changed") == [
        {"type": "tags_changed", "thread": "Los Tigres", "tags": ["buscamos gente"]}
    ]
    assert (await team_state(sandbox))[0]["members"] == ["ana", "bea", "carlos", "dani"]


async def test_team_name_autocomplete_suggests_teams(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("bea", "team create", {"name": "Las Panteras"}))

    outcome = ok(
        await sandbox.step(
            lambda: sandbox.discord.autocomplete(
                sandbox.guild_id, "carlos", "team join", {"team": "tig"}, focused="team"
            )
        )
    )

    assert outcome.replies[0]["choices"] == [{"name": "Los Tigres", "value": "Los Tigres"}]
