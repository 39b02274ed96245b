"""The teams section of the rehearsal's state line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import teams
from bot.services.teams import TeamRules

if TYPE_CHECKING:
    from sandbox.harness import Sandbox

SECTIONS = ("teams",)


async def sections(session: AsyncSession, sandbox: Sandbox) -> dict[str, Any]:
    assert sandbox.settings is not None
    rules = TeamRules.from_settings(sandbox.settings.config)
    snapshot = await teams.state_snapshot(session, rules, sandbox.clock.now())
    return {
        "teams": [
            {
                "name": team["name"],
                "captain": sandbox.handle_of(team["captain_id"]),
                "members": [sandbox.handle_of(uid) for uid in team["member_ids"]],
                "locked": team["locked"],
            }
            for team in snapshot
        ]
    }


def readable(state: dict[str, Any]) -> list[str]:
    lines = []
    for team in state.get("teams", []):
        lock = " (locked)" if team.get("locked") else ""
        lines.append(
            f"team {team['name']}{lock}: captain {team['captain']}, "
            f"members {', '.join(team['members'])}"
        )
    return lines
