"""A burst through the real bot under Discord's enforced rate limits: every interaction is
answered in time (callbacks and followups are exempt from the global limit), the bot paces its
own thread and post traffic by the headers, and the 429s it received are counted."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.app import DISCORD_CONNECTIONS
from bot.clock import ManualClock
from sandbox.discord import Interaction
from sandbox.harness import MemberSpec, Sandbox
from tests.conftest import CONFIG
from tests.integration.teams_support import ok, team_state

START = datetime(2024, 3, 20, 10, 0, tzinfo=UTC)
TEAMS = 10
JOINERS = 50  # 4 places left in each of 10 teams: 40 get in, 10 are refused


@dataclass(frozen=True)
class BurstResult:
    interactions: list[Interaction]
    answered_s: list[float]  # dispatch to the interaction's last answer (edit or followup)
    seconds: float
    received_429: int
    bot_requests: int


async def join_burst(sandbox: Sandbox, teams: int = TEAMS, joiners: int = JOINERS) -> BurstResult:
    """``joiners`` members run ``/team join`` at once on ``teams`` open teams."""
    captains = [f"cap{i}" for i in range(teams)]
    people = [f"joiner{i}" for i in range(joiners)]
    for handle in captains + people:
        sandbox.add_member(handle, MemberSpec(roles=("participant",)))
    await sandbox.settle()
    for i, captain in enumerate(captains):
        ok(await sandbox.run(captain, "team create", {"name": f"Equipo {i}", "open": True}))
    sandbox.discord.exchanges = []
    requests_before = len(sandbox.discord.requests)
    loop = asyncio.get_running_loop()
    started = loop.time()
    interactions = await asyncio.gather(
        *(
            sandbox.discord.run_command(
                sandbox.guild_id, handle, "team join", {"team": f"Equipo {i % teams}"}
            )
            for i, handle in enumerate(people)
        )
    )
    await sandbox.settle(limit=120.0)
    seconds = loop.time() - started
    last: dict[str, float] = {}
    for exchange in sandbox.discord.exchanges:
        if exchange.route.startswith("/webhooks/"):
            token = exchange.path.split("/")[3]
            last[token] = max(last.get(token, 0.0), exchange.at)
    answered = [last[ix.token] - ix.dispatched_at for ix in interactions if ix.token in last]
    burst = sandbox.discord.requests[requests_before:]
    return BurstResult(
        interactions=list(interactions),
        answered_s=answered,
        seconds=seconds,
        received_429=sum(1 for _, _, status in burst if status == 429),
        bot_requests=sum(1 for _, path, _ in burst if not path.startswith(("/webhooks/", "/int"))),
    )


async def test_a_join_burst_under_enforced_limits_fails_no_interaction(tmp_path: Path) -> None:
    sandbox = Sandbox(CONFIG, clock=ManualClock(START), workdir=tmp_path)
    await sandbox.start()
    try:
        assert sandbox.discord.ratelimits.enabled
        result = await join_burst(sandbox)
        assert [ix for ix in result.interactions if ix.failed or not ix.replies] == []
        assert len(result.answered_s) == JOINERS
        sizes = sorted(len(team["members"]) for team in await team_state(sandbox))
        assert sizes == [5] * TEAMS
        limits = sandbox.discord.ratelimits
        assert result.received_429 == sum(limits.limited.values())
        assert limits.limited.get("global", 0) == 0  # the bot paces itself (bot/discord/pacing.py)
        assert sandbox.errors.take() == []
        print(
            f"\n{JOINERS} joins: settled in {result.seconds:.1f} s, {result.bot_requests} "
            f"bot-token requests, {result.received_429} 429s ({dict(limits.limited)}), "
            f"slowest answer {max(result.answered_s):.2f} s"
        )
    finally:
        await sandbox.close()


async def test_the_bots_own_calls_stay_under_discords_global_limit(tmp_path: Path) -> None:
    """150 bot-token requests at once: the bot starts at most 45 a second (Discord allows 50),
    so the local Discord, which enforces the limit, never answers 429 and none is sent twice."""
    sandbox = Sandbox(CONFIG, clock=ManualClock(START), workdir=tmp_path)
    await sandbox.start()
    try:
        assert sandbox.discord.ratelimits.enabled and sandbox.bot is not None
        bot = sandbox.bot
        # Connections to Discord are bounded and reused (discord.py's own are not).
        assert bot.http.connector.limit == DISCORD_CONNECTIONS
        user_id = bot.user.id if bot.user is not None else 0
        requests_before = len(sandbox.discord.requests)
        loop = asyncio.get_running_loop()
        started = loop.time()
        users = await asyncio.gather(*(bot.fetch_user(user_id) for _ in range(150)))
        seconds = loop.time() - started
        assert {user.id for user in users} == {user_id}
        made = sandbox.discord.requests[requests_before:]
        assert len(made) == 150 and {status for _, _, status in made} == {200}
        assert dict(sandbox.discord.ratelimits.limited) == {}
        assert bot.pace.waited > 0
        assert seconds >= 2.0  # 150 at 45 a second: the last ones start after 3 windows
    finally:
        await sandbox.close()
