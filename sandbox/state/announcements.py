"""The announcements section of the rehearsal's state line: each announcement's status and
its DM counts (``failed`` counts closed DMs and other failures alike), oldest first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import announcements

if TYPE_CHECKING:
    from sandbox.harness import Sandbox

SECTIONS = ("announcements",)


async def sections(session: AsyncSession, sandbox: Sandbox) -> dict[str, Any]:
    return {"announcements": await announcements.state_snapshot(session)}


def readable(state: dict[str, Any]) -> list[str]:
    return [
        f"announcement {i}: {row['status']}, {row['delivered']} delivered, {row['failed']} failed"
        for i, row in enumerate(state.get("announcements", []), start=1)
    ]
