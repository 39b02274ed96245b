"""The capacity rule under concurrency: 50 members racing for the last place of a team, by
`/team join` and by accepting invitations at the same moment. Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import asyncio

from sandbox.harness import Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import expected, status
from tests.integration.teams_support import (
    create_team,
    invitations,
    members,
    of_type,
    ok,
    team_state,
)

RACERS = [f"p{i:02d}" for i in range(50)]
ANSWER_TIMEOUT = 30.0


async def racing_sandbox(make_sandbox: MakeSandbox) -> Sandbox:
    # Fifty pending invitations for one free place: the overbooking setting has to allow them.
    sandbox = await make_sandbox(
        members=members("ana", "bea", "carlos", "dani", *RACERS),
        settings={"teams": {"invitation_overbooking": len(RACERS) - 1}},
    )
    return sandbox


def final_texts(replies: list[list[dict[str, object]]]) -> list[str]:
    return [str(reply[-1]["content"]) for reply in replies]


async def test_fifty_joins_for_the_last_place_admit_exactly_one(make_sandbox: MakeSandbox) -> None:
    sandbox = await racing_sandbox(make_sandbox)
    await create_team(sandbox, "ana", "Los Tigres", "bea", "carlos", "dani")

    outcome = await sandbox.step(
        lambda: asyncio.gather(
            *(
                sandbox.discord.run_command(
                    sandbox.guild_id, h, "team join", {"team": "Los Tigres"}
                )
                for h in RACERS
            )
        )
    )

    assert outcome.errors == []
    texts = final_texts(outcome.replies)
    welcome = expected("teams.join.joined", team="Los Tigres")
    full = expected("teams.errors.team_full", team="Los Tigres", count=5)
    joined = [h for h, text in zip(RACERS, texts, strict=True) if text == welcome]
    refused = [text for text in texts if text == full]
    assert len(joined) == 1, texts
    assert len(refused) == 49, texts
    [state] = await team_state(sandbox)
    assert state["members"] == ["ana", "bea", "carlos", "dani", joined[0]]
    assert of_type(outcome, "thread_member_added") == [
        {"type": "thread_member_added", "thread": "Los Tigres", "member": joined[0]}
    ]
    assert of_type(outcome, "tags_changed") == [
        {"type": "tags_changed", "thread": "Los Tigres", "tags": ["completo"]}
    ]


async def test_fifty_invitations_accepted_at_once_admit_exactly_one(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await racing_sandbox(make_sandbox)
    # Rate limits off: the race is tested, not the pacing; the 50 invitation DMs opened back to
    # back would wait about 45 s on the DM bucket (10 in 10 s).
    sandbox.discord.ratelimits.enabled = False
    await create_team(sandbox, "ana", "Los Tigres", "bea", "carlos", "dani")
    for handle in RACERS:
        ok(await sandbox.run("ana", "team invite", {"member": f"@{handle}"}))
    ids = {sandbox.handle_of(inv.invitee_id): inv.id for inv in await invitations(sandbox)}

    outcome = await sandbox.step(
        lambda: asyncio.gather(
            *(
                sandbox.discord.click(h, custom_id=f"team:inv:{ids[h]}:1", where="dm")
                for h in RACERS
            )
        )
    )

    assert outcome.errors == []
    texts = final_texts(outcome.replies)
    welcome = expected("teams.answered.invitation", team="Los Tigres", status=status("accepted"))
    accepted = [h for h, text in zip(RACERS, texts, strict=True) if text == welcome]
    assert len(accepted) == 1, texts
    refusals = [text for text in texts if text != welcome]
    # Each loser is told the team is full, whether its accept queued behind the winner's
    # (the invitation was already answered "full") or read the full team itself.
    assert len(refusals) == 49
    full = [
        expected("teams.errors.invitation_team_full"),
        expected("teams.errors.team_full", team="Los Tigres", count=5),
    ]
    # (compared one by one: hints are command mentions, equal whatever their ids)
    assert all(text in full for text in refusals), set(refusals)
    [state] = await team_state(sandbox)
    assert state["members"] == ["ana", "bea", "carlos", "dani", accepted[0]]
    statuses = sorted(inv.status for inv in await invitations(sandbox))
    assert statuses == ["accepted"] + ["full"] * 49
