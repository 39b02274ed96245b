"""`/leaderboard` asked by many members at the same moment: one computation, one set of Hub
reads, and every member gets the same card."""

from __future__ import annotations

import asyncio

from tests.integration.conftest import MakeSandbox
from tests.integration.leaderboard_support import insert
from tests.integration.test_leaderboard import only

ASKERS = 8
REPOS = ("somosnlp/tigre-7b", "somosnlp/leon-7b", "somosnlp/lince-7b")


async def test_members_asking_at_once_share_one_computation(make_sandbox: MakeSandbox) -> None:
    members = {f"p{i}": ("participant",) for i in range(ASKERS)}
    sandbox = await make_sandbox(members=members, settings=only("likes"))
    assert sandbox.bot is not None
    for likes, repo in enumerate(REPOS, start=1):
        sandbox.hub.set(repo, {"likes": likes, "downloads": 1}, kind="model")
    await insert(
        sandbox.bot.db,
        *((n, f"Equipo {n}", {"repos": {"model": repo}}) for n, repo in enumerate(REPOS, 1)),
    )
    # Every Hub answer takes a while, so the first computation is still running when the
    # other members ask.
    sandbox.hub.latency = 0.2
    before = len(sandbox.hub.requests)

    asked = await asyncio.gather(
        *(
            sandbox.discord.run_command(sandbox.guild_id, f"p{i}", "leaderboard", {})
            for i in range(ASKERS)
        )
    )
    await sandbox.settle()

    assert [ix.failed for ix in asked] == [False] * ASKERS
    cards = [ix.replies[-1]["embeds"][0]["description"] for ix in asked]
    assert cards[0].startswith("🥇 **1.** Equipo 3")
    assert cards == [cards[0]] * ASKERS
    # One read per repo: the members who asked meanwhile waited for the first card.
    assert len(sandbox.hub.requests) - before == len(REPOS)
