"""Members leaving a team: by choice, kicked by the captain, or by leaving the server."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, Forbidden, NotFound
from bot.models.teams import CANCELLED, LftProfile
from bot.services.teams.guards import read_member_team, refuse_if_locked
from bot.services.teams.membership import close_pending, remove_member
from bot.services.teams.queries import team_row_of
from bot.services.teams.views import DepartureResult, MembershipChange, TeamRules


async def leave(
    session: AsyncSession, rules: TeamRules, *, user_id: int, now: datetime
) -> MembershipChange:
    """Leave one's team. A captain hands over to the longest-standing member; the last
    member's departure disbands the team. Refuses: ``not_in_team``, locked."""
    read = await read_member_team(session, rules, user_id, now)
    refuse_if_locked(read.lock, read.row)
    return await remove_member(
        session, rules, read.row, user_id, now, actor_id=user_id, action="team.left", lock=read.lock
    )


async def kick(
    session: AsyncSession, rules: TeamRules, *, actor_id: int, member_id: int, now: datetime
) -> MembershipChange:
    """The captain removes a member. Refuses: ``not_captain``, locked, ``cannot_kick_self``,
    ``member_not_in_team``."""
    read = await read_member_team(session, rules, actor_id, now)
    team = read.row
    if team.captain_id != actor_id:
        raise Forbidden("teams.errors.not_captain", team=team.name)
    refuse_if_locked(read.lock, team)
    if member_id == actor_id:
        raise Conflict("teams.errors.cannot_kick_self")
    # The members as read; the removal itself refuses a member who left meanwhile.
    if member_id not in {member.user_id for member in read.members}:
        raise NotFound("teams.errors.member_not_in_team", team=team.name)
    return await remove_member(
        session,
        rules,
        team,
        member_id,
        now,
        actor_id=actor_id,
        action="team.kicked",
        lock=read.lock,
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
