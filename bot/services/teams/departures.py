"""Members leaving a team: by choice, kicked by the captain, or by leaving the server."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, NotFound
from bot.models.teams import CANCELLED, LftProfile
from bot.services.teams.guards import captain_team, ensure_unlocked, member_team
from bot.services.teams.membership import close_pending, remove_member
from bot.services.teams.queries import team_row_of
from bot.services.teams.views import DepartureResult, MembershipChange, TeamRules


async def leave(
    session: AsyncSession, rules: TeamRules, *, user_id: int, now: datetime
) -> MembershipChange:
    """Leave one's team. A captain hands over to the longest-standing member; the last
    member's departure disbands the team. Refuses: ``not_in_team``, locked."""
    team = await member_team(session, user_id)
    await ensure_unlocked(session, rules, now, team)
    return await remove_member(
        session, rules, team, user_id, now, actor_id=user_id, action="team.left"
    )


async def kick(
    session: AsyncSession, rules: TeamRules, *, actor_id: int, member_id: int, now: datetime
) -> MembershipChange:
    """The captain removes a member. Refuses: ``not_captain``, locked, ``cannot_kick_self``,
    ``member_not_in_team``."""
    team = await captain_team(session, actor_id)
    await ensure_unlocked(session, rules, now, team)
    if member_id == actor_id:
        raise Conflict("teams.errors.cannot_kick_self")
    target = await team_row_of(session, member_id)
    if target is None or target.id != team.id:
        raise NotFound("teams.errors.member_not_in_team", team=team.name)
    return await remove_member(
        session, rules, team, member_id, now, actor_id=actor_id, action="team.kicked"
    )


async def member_left_server(
    session: AsyncSession, rules: TeamRules, *, user_id: int, now: datetime
) -> DepartureResult:
    """A member left the server: leave the team whatever the lock, cancel their pending
    invitations and requests, and drop their LFT profile."""
    team = await team_row_of(session, user_id)
    change = None
    if team is not None:
        change = await remove_member(
            session, rules, team, user_id, now, actor_id=None, action="team.member_left_server"
        )
    closed = await close_pending(
        session, status=CANCELLED, now=now, cause="left_server", user_id=user_id
    )
    profile = await session.scalar(select(LftProfile).where(LftProfile.user_id == user_id))
    post_id = None
    if profile is not None:
        post_id = profile.post_id
        await session.delete(profile)
        await session.flush()
    return DepartureResult(change=change, closed=tuple(closed), lft_post_removed=post_id)
