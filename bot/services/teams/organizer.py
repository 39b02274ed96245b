"""Organizer actions: the global lock, a team's lock, moving a member. All are audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict
from bot.models.teams import TeamsControl
from bot.services import audit
from bot.services.teams.membership import add_member, remove_member
from bot.services.teams.queries import (
    CONTROL_ID,
    lock_state,
    team_row_by_name,
    team_row_of,
    view_of,
)
from bot.services.teams.views import LockState, MembershipChange, TeamRules, TeamView


async def set_lock(session: AsyncSession, *, locked: bool, actor_id: int, now: datetime) -> None:
    """Lock or unlock every team change. An unlock at or after the team deadline reopens
    changes until the next lock; one before it leaves the deadline's automatic lock in place."""
    control = await session.get(TeamsControl, CONTROL_ID, populate_existing=True)
    if control is None:
        control = TeamsControl(id=CONTROL_ID)
        session.add(control)
    control.locked = locked
    control.locked_by = actor_id
    control.changed_at = now
    await session.flush()
    await audit.record(
        session,
        actor_id=actor_id,
        action="organizer.teams_locked" if locked else "organizer.teams_unlocked",
        subject=None,
        now=now,
    )


async def get_lock_state(session: AsyncSession, rules: TeamRules, now: datetime) -> LockState:
    """The global lock with who changed it last, for organizers."""
    return await lock_state(session, rules, now)


async def set_team_lock(
    session: AsyncSession,
    rules: TeamRules,
    *,
    actor_id: int,
    team_name: str,
    locked: bool,
    now: datetime,
) -> TeamView:
    """Lock or unlock the changes of one team."""
    team = await team_row_by_name(session, team_name)
    team.locked = locked
    team.updated_at = now
    await session.flush()
    await audit.record(
        session,
        actor_id=actor_id,
        action="organizer.team_locked" if locked else "organizer.team_unlocked",
        subject=team.name,
        now=now,
        team_id=team.id,
    )
    return await view_of(session, team, rules, now)


async def organizer_move(
    session: AsyncSession,
    rules: TeamRules,
    *,
    actor_id: int,
    member_id: int,
    team_name: str,
    now: datetime,
) -> MembershipChange:
    """Move a member (with or without a team) into ``team_name``, bypassing locks and
    approval but never the maximum size. The previous team's change is in ``moved_from``.
    Refuses: ``team_not_found``, ``move_same_team``, ``team_full_move``."""
    target = await team_row_by_name(session, team_name)
    source = await team_row_of(session, member_id)
    if source is not None and source.id == target.id:
        raise Conflict("teams.errors.move_same_team", team=target.name)
    if target.size >= rules.max_size:
        raise Conflict("teams.errors.team_full_move", team=target.name, count=rules.max_size)
    moved_from = None
    if source is not None:
        moved_from = await remove_member(
            session,
            rules,
            source,
            member_id,
            now,
            actor_id=actor_id,
            action="organizer.member_moved_out",
        )
    change = await add_member(
        session,
        rules,
        target,
        member_id,
        now,
        actor_id=actor_id,
        action="organizer.member_moved_in",
        by="organizer",
    )
    return MembershipChange(
        team=change.team,
        added=change.added,
        became_full=change.became_full,
        closed=change.closed,
        lft_post_removed=change.lft_post_removed,
        moved_from=moved_from,
    )
