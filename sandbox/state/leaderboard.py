"""The leaderboard section of the rehearsal's state line: how many boards were posted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.leaderboard.posts import posted_count

if TYPE_CHECKING:
    from sandbox.harness import Sandbox

SECTIONS = ("leaderboard_posts",)


async def sections(session: AsyncSession, sandbox: Sandbox) -> dict[str, Any]:
    return {"leaderboard_posts": await posted_count(session)}


def readable(state: dict[str, Any]) -> list[str]:
    return [f"leaderboard posts: {state.get('leaderboard_posts', 0)}"]
