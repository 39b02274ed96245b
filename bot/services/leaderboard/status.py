"""The leaderboard field of `/admin status`: each board's schedule and its last post."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Message
from bot.services.leaderboard.posts import last_posts
from bot.services.status import StatusSection
from bot.settings import Config
from bot.settings.leaderboard import BOARDS


async def status_section(session: AsyncSession, config: Config) -> StatusSection | None:
    settings = config.leaderboard
    last = await last_posts(session)
    lines = []
    for board in BOARDS:
        name = Message(f"leaderboard.board.{board}")
        if not settings.board(board).enabled:
            lines.append(Message("leaderboard.status.disabled", board=name))
            continue
        when = last.get(board)
        lines.append(
            Message(
                "leaderboard.status.line",
                board=name,
                cron=settings.board(board).cron,
                last=when.strftime("%Y-%m-%d %H:%M UTC")
                if when is not None
                else Message("leaderboard.status.never"),
            )
        )
    if settings.publish_repo:
        lines.append(Message("leaderboard.status.publish", repo=settings.publish_repo))
    return StatusSection(title=Message("leaderboard.status.title"), lines=lines)
