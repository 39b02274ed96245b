"""Bodies as Discord's own OpenAPI description says: every REST request the bot sends and every
answer the local Discord gives during a team-formation run, validated against the spec kept in
``sandbox/discord/spec/openapi.json``."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import discord

from bot.clock import ManualClock
from sandbox.discord.http_core import Exchange
from sandbox.harness import MemberSpec, Sandbox, StepOutcome
from tests.conftest import CONFIG

from .conftest import World, make_bot, start_bot, text_channel
from .spec_check import SPEC, check_all, check_exchange, operations_used

START = datetime(2024, 3, 20, 10, 0, tzinfo=UTC)


def test_the_spec_is_kept_with_its_licence() -> None:
    assert SPEC.is_file() and SPEC.stat().st_size > 1_000_000
    licence = (SPEC.parent / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Discord" in licence


async def _team_run(sandbox: Sandbox) -> list[StepOutcome]:
    """Every team command, a DM that fails (403), a 429 the bot retries, the REST guild."""
    people = {
        "ana": ("participant",),
        "bea": ("participant",),
        "carlos": ("participant",),
        "dani": ("participant",),
        "fer": ("participant",),
        "olga": ("organizer",),
    }
    for handle, roles in people.items():
        sandbox.add_member(handle, MemberSpec(roles=roles))
    sandbox.add_member("eva", MemberSpec(roles=("participant",), dms=False))
    await sandbox.settle()
    run = sandbox.run
    steps = [
        await run("ana", "team create", {"name": "Los Tigres", "open": True, "description": "NLP"}),
        await run("bea", "team join", {"team": "Los Tigres"}),
        await run("carlos", "team create", {"name": "Los Leones"}),
        await run("carlos", "team invite", {"member": "@dani"}),
        await sandbox.click("dani", index=0, where="dm"),
        await run("carlos", "team invite", {"member": "@eva"}),
        await run("bea", "team info"),
        await run("bea", "team list"),
        await sandbox.step(
            lambda: sandbox.discord.autocomplete(
                sandbox.guild_id, "fer", "team join", {"team": "L"}
            )
        ),
        await run("fer", "lft post", {"skills": "python, datos", "languages": "es"}),
        await run("fer", "lft match"),
        await run("ana", "team rename", {"name": "Los Tigres Azules"}),
        await run("ana", "team transfer", {"member": "@bea"}),
        await run("bea", "team kick", {"member": "@ana"}),
        await run("olga", "teamadmin log"),
        await run("olga", "teamadmin move", {"member": "@fer", "team": "Los Leones"}),
        await run("olga", "teamadmin lock"),
        await run("olga", "teamadmin unlock"),
        await run("olga", "admin status"),
    ]
    # One 429 on the next message the bot posts: discord.py waits and retries.
    sandbox.discord.inject_fault("POST", r"^/channels/\d+/messages$", 429, retry_after=0.05)
    steps += [
        await run("ana", "team create", {"name": "Los Pumas"}),
        await sandbox.leave("dani"),
        await run("olga", "teamadmin disband", {"team": "Los Leones"}),
        await run("bea", "team disband"),
    ]
    assert sandbox.bot is not None
    guild = await sandbox.bot.fetch_guild(sandbox.guild_id, with_counts=True)
    assert guild.approximate_member_count == len(
        sandbox.discord.state.guild(sandbox.guild_id).members
    )
    return steps


async def test_every_rest_exchange_of_a_team_run_conforms_to_discords_spec(
    tmp_path: Path,
) -> None:
    sandbox = Sandbox(CONFIG, clock=ManualClock(START), workdir=tmp_path)
    sandbox.discord.exchanges = []
    await sandbox.start()
    try:
        await _team_run(sandbox)
    finally:
        await sandbox.close()
    exchanges = sandbox.discord.exchanges
    assert check_all(exchanges) == []
    statuses = {e.status for e in exchanges}
    assert {200, 204, 403, 429} <= statuses, statuses
    used = operations_used(exchanges)
    assert len(used) >= 14, sorted(used)
    assert {"get_guild", "create_interaction_response", "execute_webhook"} <= used


def _broken(exchanges: Sequence[Exchange], route: str, status: int) -> Exchange:
    found = next(e for e in exchanges if e.route == route and e.status == status)
    return copy.deepcopy(found)


async def test_a_deliberate_mismatch_fails_the_check(world: World) -> None:
    world.server.exchanges = []
    bot = await start_bot(world, make_bot())
    channel = text_channel(bot, world, "general")
    await channel.send("hola", view=discord.ui.View().add_item(discord.ui.Button(label="ok")))
    nodm = discord.utils.get(channel.guild.members, name="nodm")
    assert nodm is not None
    with contextlib.suppress(discord.Forbidden):  # DMs closed: a 403 to validate too
        await nodm.send("hola")
    exchanges = world.server.exchanges
    assert check_all(exchanges) == []

    sent = _broken(exchanges, "/channels/{channel_id}/messages", 200)
    del sent.response_body["author"]
    assert any("'author' is a required property" in p for p in check_exchange(sent))

    sent = _broken(exchanges, "/channels/{channel_id}/messages", 200)
    sent.response_body["components"][0]["components"][0].pop("id")
    assert check_exchange(sent) != []

    sent = _broken(exchanges, "/channels/{channel_id}/messages", 200)
    sent.request_body["content"] = 5
    assert any("request content" in p for p in check_exchange(sent))

    refused = _broken(exchanges, "/channels/{channel_id}/messages", 403)
    del refused.headers["X-RateLimit-Bucket"]
    assert check_exchange(refused) == [
        "POST /channels/{channel_id}/messages -> 403: header X-RateLimit-Bucket missing"
    ]

    me = _broken(exchanges, "/users/@me", 200)
    me.response_body["id"] = "not a snowflake"
    assert check_exchange(me) != []
