"""A leaderboard post Discord refuses (403: the bot lost Send Messages or Attach Files in the
leaderboard channel): the organizers hear of it, the slot is recorded as skipped, and the next
slot posts the board once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.i18n import Message
from bot.models import LeaderboardPost
from sandbox.harness import Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.leaderboard_support import insert
from tests.integration.replies import PUBLIC, expected
from tests.integration.teams_support import messages, ok

EIGHTEEN = datetime(2024, 3, 20, 18, 0, tzinfo=UTC)


def only(board: str) -> dict[str, Any]:
    """``board`` the one board enabled, posted at 18:00 UTC; hand-written submissions kept
    away from the re-verification job (as in test_leaderboard.py)."""
    boards = {
        name: {"enabled": name == board, "cron": "0 18 * * *"}
        for name in ("likes", "progress", "evaluation", "countries")
    }
    return {"leaderboard": boards, "submissions": {"reverify_every": "60d"}}


async def rows(sandbox: Sandbox) -> list[LeaderboardPost]:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return list(await session.scalars(select(LeaderboardPost).order_by(LeaderboardPost.id)))


async def test_a_refused_board_post_alerts_the_organizers_and_the_next_slot_posts_it(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(settings=only("likes"))
    assert sandbox.bot is not None
    sandbox.hub.set("somosnlp/tigre-7b", {"likes": 7}, kind="model")
    await insert(sandbox.bot.db, (1, "Tigres", {"repos": {"model": "somosnlp/tigre-7b"}}))
    board_channel = sandbox.discord.state.channel_id(sandbox.guild_id, "leaderboard")
    fault = sandbox.discord.inject_fault(
        "POST", rf"^/channels/{board_channel}/messages$", 403, count=1
    )

    outcome = ok(await sandbox.advance_until(EIGHTEEN))

    assert fault.hits == 1
    assert messages(outcome, "leaderboard") == []
    [alert] = messages(outcome, "organizacion")
    assert alert["content"] == expected(
        "leaderboard.alerts.discord_refused", PUBLIC, board=Message("leaderboard.board.likes")
    )
    [row] = await rows(sandbox)
    assert (row.status, row.reason) == ("skipped", "discord_refused")
    # Not retried within the slot (a later board supersedes it): the next slot posts, once.
    tomorrow = ok(await sandbox.advance(timedelta(days=1)))
    assert len(messages(tomorrow, "leaderboard")) == 1
    assert messages(tomorrow, "organizacion") == []
