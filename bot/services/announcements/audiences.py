"""Audiences the database knows: team captains, and members of teams missing a deliverable."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.submissions import KINDS, PASSED, Submission
from bot.models.teams import Team, TeamMember


async def captains(session: AsyncSession) -> list[int]:
    """The captain of every team."""
    return sorted(set(await session.scalars(select(Team.captain_id))))


async def missing_deliverable_members(session: AsyncSession) -> list[int]:
    """Members of every team that lacks a current, passed submission of some kind (dataset,
    model or space): a failed or pending check counts as missing."""
    complete: dict[int, set[str]] = {}
    rows = await session.execute(
        select(Submission.team_id, Submission.kind).where(
            Submission.is_current.is_(True), Submission.status == PASSED
        )
    )
    for team_id, kind in rows:
        complete.setdefault(team_id, set()).add(kind)
    members = await session.execute(select(TeamMember.team_id, TeamMember.user_id))
    wanted = set(KINDS)
    return sorted(
        user_id for team_id, user_id in members if not wanted <= complete.get(team_id, set())
    )
