"""Trust, point 3 of issue #16: limits on what one member can make the bot do.

Each test replays, through the local Discord, the loop a member used to make the bot ping,
DM or post over and over, and shows the limit refusing it with a clear answer (when it may be
tried again), nothing changed, and the hit on the organizers' audit log.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.discord.timestamps import discord_ts
from bot.i18n import catalogs
from sandbox.harness import Sandbox, StepOutcome
from tests.integration.conftest import MakeSandbox
from tests.integration.teams_support import (
    audit_log,
    create_team,
    disband,
    invitations,
    join_requests,
    members,
    messages,
    of_type,
    ok,
    team_state,
)

NOBODY = members("ana", "bea", "carlos", "dani", "eva", "fede", "gema", olga=("organizer",))


def says(outcome: StepOutcome, key: str, **params: Any) -> None:
    """The last reply of the step is the catalog message ``key`` (Spanish), ephemeral."""
    reply = outcome.replies[-1]
    assert reply["content"] == catalogs().t("es-ES", key, **params), reply
    assert reply["ephemeral"] is True


async def hits(sandbox: Sandbox, limit: str) -> list[str | None]:
    """Who hit ``limit``, by handle, from the audit log."""
    return [sandbox.handle_of(e.actor_id) for e in await audit_log(sandbox, f"limit.{limit}")]


async def test_pending_invitations_stay_within_the_free_places(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=NOBODY)
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    for handle in ("bea", "carlos", "dani", "eva"):  # 4 free places: 4 invitations
        ok(await sandbox.run("ana", "team invite", {"member": f"@{handle}"}))

    outcome = ok(await sandbox.run("ana", "team invite", {"member": "@fede"}))

    says(outcome, "teams.errors.invitations_pending", team="Los Tigres", count=4)
    assert of_type(outcome, "message", "dm_failed") == []
    assert len(await invitations(sandbox)) == 4
    assert await hits(sandbox, "pending_invitations") == ["ana"]
    # A declined invitation frees its place for another one.
    ok(await sandbox.click("bea", index=1, where="dm"))
    ok(await sandbox.run("ana", "team invite", {"member": "@fede"}))
    assert len(await invitations(sandbox)) == 5


async def test_someone_who_declined_is_not_invited_again_before_the_cooldown(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=NOBODY)
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))
    ok(await sandbox.click("bea", index=1, where="dm"))  # Rechazar
    declined_at = sandbox.clock.now()

    outcome = ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))

    when = discord_ts(declined_at + timedelta(hours=24), "R")
    says(outcome, "teams.errors.reinvite_cooldown", team="Los Tigres", when=when)
    assert messages(outcome) == []  # no second DM reaches bea
    assert [i.status for i in await invitations(sandbox)] == ["declined"]
    assert await hits(sandbox, "reinvite_cooldown") == ["ana"]

    await sandbox.advance(timedelta(hours=24))
    again = ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))
    assert [m["channel"] for m in messages(again)] == ["dm:bea"]


async def test_a_join_request_loop_pings_the_captain_once(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=NOBODY)
    await create_team(sandbox, "ana", "Los Tigres", open=False)
    first = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
    assert len(messages(first, "thread:Los Tigres")) == 1
    # bea's own team cancels her request; disbanding it frees her to ask again...
    ok(await sandbox.run("bea", "team create", {"name": "Las Panteras"}))
    await disband(sandbox, "bea")

    outcome = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    # ...but not before the cooldown: the captain is not pinged a second time.
    when = discord_ts(sandbox.clock.now() + timedelta(hours=1), "R")
    says(outcome, "teams.errors.join_request_cooldown", team="Los Tigres", when=when)
    assert messages(outcome) == []
    assert [r.status for r in await join_requests(sandbox)] == ["cancelled"]
    assert await hits(sandbox, "join_request_cooldown") == ["bea"]


async def test_create_and_disband_cannot_loop(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=NOBODY)
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    await disband(sandbox, "ana")

    outcome = ok(await sandbox.run("ana", "team create", {"name": "Los Pumas"}))

    when = discord_ts(sandbox.clock.now() + timedelta(minutes=10), "R")
    says(outcome, "teams.errors.create_cooldown", when=when)
    assert outcome.effects == []  # no thread, no forum post
    assert await team_state(sandbox) == []
    assert await hits(sandbox, "create_cooldown") == ["ana"]

    await sandbox.advance(timedelta(minutes=10))
    created = ok(await sandbox.run("ana", "team create", {"name": "Los Pumas"}))
    assert len(of_type(created, "forum_post_created")) == 1


async def test_lft_post_cannot_loop_but_edits_are_free(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=NOBODY)
    ok(await sandbox.run("bea", "lft post", {"skills": "python"}))
    edited = ok(await sandbox.run("bea", "lft post", {"skills": "python, datasets"}))
    assert of_type(edited, "forum_post_created") == []
    ok(await sandbox.run("bea", "lft remove"))

    outcome = ok(await sandbox.run("bea", "lft post", {"skills": "python"}))

    when = discord_ts(sandbox.clock.now() + timedelta(minutes=5), "R")
    says(outcome, "teams.errors.lft_post_cooldown", when=when)
    assert outcome.effects == []
    assert await hits(sandbox, "lft_post_cooldown") == ["bea"]


async def test_a_member_runs_one_team_command_at_a_time(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=NOBODY)

    outcome = await sandbox.step(
        lambda: asyncio.gather(
            sandbox.discord.run_command(
                sandbox.guild_id, "ana", "team create", {"name": "Los Tigres"}
            ),
            sandbox.discord.run_command(sandbox.guild_id, "ana", "team create", {"name": "Pumas"}),
        )
    )

    assert outcome.errors == []
    texts = [replies[-1]["content"] for replies in outcome.replies]
    busy = catalogs().t("es-ES", "core.errors.busy")
    assert texts.count(busy) == 1, texts
    assert len(of_type(outcome, "forum_post_created")) == 1
    assert len(await team_state(sandbox)) == 1
    assert await hits(sandbox, "busy") == ["ana"]
    # The lock is given back however a command ends (here a refusal), and other members
    # were never held by it.
    ok(await sandbox.run("ana", "team join", {"team": "Nadie"}))
    ok(await sandbox.run("ana", "team info"))
    ok(await sandbox.run("bea", "team info"))


async def test_organizers_read_who_hit_a_limit(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=NOBODY)
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    await disband(sandbox, "ana")
    for _ in range(3):  # hammering a limit writes it once
        ok(await sandbox.run("ana", "team create", {"name": "Los Pumas"}))
    assert await hits(sandbox, "create_cooldown") == ["ana"]

    outcome = ok(await sandbox.run("olga", "teamadmin log"))

    [embed] = outcome.replies[-1]["embeds"]
    action = catalogs().t("es-ES", "teams.audit.limit_create_cooldown")
    lines = embed["description"].splitlines()
    assert any(action in line and str(sandbox.discord.user_id("ana")) in line for line in lines)
