"""Checks shared by team commands: the lock, captaincy, membership."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, Forbidden
from bot.models.teams import Team
from bot.services.teams.queries import (
    BY_MEMBER,
    TeamRead,
    TeamRow,
    lock_state,
    read_prepared,
    team_row_of,
)
from bot.services.teams.views import LockState, TeamRules


async def ensure_unlocked(
    session: AsyncSession, rules: TeamRules, now: datetime, team: Team | None = None
) -> LockState:
    """Refuse when team changes are locked: by the deadline, by organizers, or for ``team``;
    returns the lock state read."""
    state = await lock_state(session, rules, now)
    refuse_if_locked(state, team)
    return state


def refuse_if_locked(state: LockState, team: Team | TeamRow | None = None) -> None:
    """Refuse when ``state`` locks team changes, or when ``team`` is locked."""
    if state.by_deadline:
        raise Conflict("teams.errors.deadline_passed")
    if state.locked:
        raise Conflict("teams.errors.locked")
    if team is not None and team.locked:
        raise Conflict("teams.errors.team_locked", team=team.name)


async def member_team(session: AsyncSession, user_id: int) -> Team:
    """The team of ``user_id``, or ``Forbidden("teams.errors.not_in_team")``."""
    team = await team_row_of(session, user_id)
    if team is None:
        raise Forbidden("teams.errors.not_in_team")
    return team


async def captain_team(session: AsyncSession, user_id: int) -> Team:
    """The team ``user_id`` captains, or ``Forbidden`` (``not_in_team`` / ``not_captain``)."""
    team = await member_team(session, user_id)
    if team.captain_id != user_id:
        raise Forbidden("teams.errors.not_captain", team=team.name)
    return team


async def read_member_team(
    session: AsyncSession, rules: TeamRules, user_id: int, now: datetime
) -> TeamRead:
    """The team of ``user_id`` with the global lock and its members, in one statement, or
    ``Forbidden("teams.errors.not_in_team")``."""
    found = await read_prepared(session, rules, now, BY_MEMBER, p_user=user_id)
    if not found:
        raise Forbidden("teams.errors.not_in_team")
    return found[0]
