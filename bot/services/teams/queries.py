"""Reading teams: views, lookups, autocomplete, pages, the lock state."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotFound
from bot.models.teams import (
    Invitation,
    JoinRequest,
    LftProfile,
    Team,
    TeamMember,
    TeamsControl,
)
from bot.services.teams.names import name_key
from bot.services.teams.views import ItemKind, LockState, TeamPage, TeamRules, TeamView
from bot.text import clean

CONTROL_ID = 1


async def lock_state(session: AsyncSession, rules: TeamRules, now: datetime) -> LockState:
    """The global lock: set by organizers, or automatic from the team deadline on.

    An organizer unlock made at or after the deadline reopens team changes until the next lock.
    """
    control = await session.get(TeamsControl, CONTROL_ID, populate_existing=True)
    by_deadline = now >= rules.team_deadline
    if control is None:
        return LockState(locked=by_deadline, by_deadline=by_deadline)
    reopened = (
        not control.locked
        and control.changed_at is not None
        and control.changed_at >= rules.team_deadline
    )
    deadline_applies = by_deadline and not reopened
    return LockState(
        locked=control.locked or deadline_applies,
        by_deadline=deadline_applies and not control.locked,
        changed_by=control.locked_by,
        changed_at=control.changed_at,
    )


async def is_locked(session: AsyncSession, rules: TeamRules, now: datetime) -> bool:
    """Whether team changes are locked for everyone (organizer lock or deadline)."""
    return (await lock_state(session, rules, now)).locked


async def member_ids_by_team(
    session: AsyncSession, team_ids: Iterable[int]
) -> dict[int, tuple[int, ...]]:
    """Member ids of each team, in join order (captain included)."""
    ids = list(team_ids)
    out: dict[int, list[int]] = {team_id: [] for team_id in ids}
    if not ids:
        return {}
    rows = await session.execute(
        select(TeamMember.team_id, TeamMember.user_id)
        .where(TeamMember.team_id.in_(ids))
        .order_by(TeamMember.joined_at, TeamMember.id)
    )
    for team_id, user_id in rows:
        out[team_id].append(user_id)
    return {team_id: tuple(members) for team_id, members in out.items()}


def build_view(
    team: Team, members: tuple[int, ...], rules: TeamRules, globally_locked: bool
) -> TeamView:
    """A :class:`TeamView` of a loaded team row."""
    return TeamView(
        id=team.id,
        name=team.name,
        description=team.description,
        captain_id=team.captain_id,
        open=team.open,
        locked=globally_locked or team.locked,
        member_ids=members,
        size=team.size,
        max_size=rules.max_size,
        min_size=rules.min_size,
        free_places=max(rules.max_size - team.size, 0),
        thread_id=team.thread_id,
        forum_post_id=team.forum_post_id,
        created_at=team.created_at,
        languages=tuple(team.languages or ()),
        looking_for=tuple(team.looking_for or ()),
    )


async def views_of(
    session: AsyncSession, teams: Sequence[Team], rules: TeamRules, now: datetime
) -> list[TeamView]:
    """Views of several loaded teams with two queries."""
    if not teams:
        return []
    locked = await is_locked(session, rules, now)
    members = await member_ids_by_team(session, [team.id for team in teams])
    return [build_view(team, members.get(team.id, ()), rules, locked) for team in teams]


async def load_team(session: AsyncSession, team_id: int) -> Team | None:
    """The team row, refreshed from the database."""
    return await session.get(Team, team_id, populate_existing=True)


async def view_of(session: AsyncSession, team: Team, rules: TeamRules, now: datetime) -> TeamView:
    """The view of one loaded team (refreshed)."""
    await session.refresh(team)
    return (await views_of(session, [team], rules, now))[0]


async def get_team(
    session: AsyncSession, team_id: int, *, rules: TeamRules, now: datetime
) -> TeamView:
    """The team with this id, or ``NotFound("teams.errors.team_id_not_found")``."""
    team = await load_team(session, team_id)
    if team is None:
        raise NotFound("teams.errors.team_id_not_found")
    return await view_of(session, team, rules, now)


async def team_row_by_name(session: AsyncSession, name: str) -> Team:
    """The team row whose folded name equals the folded ``name``, or ``NotFound``."""
    team = await session.scalar(
        select(Team)
        .where(Team.name_key == name_key(name))
        .execution_options(populate_existing=True)
    )
    if team is None:
        raise NotFound("teams.errors.team_not_found", name=clean(name)[:100])
    return team


async def find_team(
    session: AsyncSession, name: str, *, rules: TeamRules, now: datetime
) -> TeamView:
    """The team named ``name`` (case, accents and spacing ignored), or ``NotFound``."""
    team = await team_row_by_name(session, name)
    return await view_of(session, team, rules, now)


async def team_row_of(session: AsyncSession, user_id: int) -> Team | None:
    """The team row of a member, if any."""
    return await session.scalar(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user_id)
        .execution_options(populate_existing=True)
    )


async def team_of(
    session: AsyncSession, user_id: int, *, rules: TeamRules, now: datetime
) -> TeamView | None:
    """The team of a member, or None."""
    team = await team_row_of(session, user_id)
    return None if team is None else await view_of(session, team, rules, now)


async def search_team_names(
    session: AsyncSession,
    prefix: str,
    limit: int = 25,
    only_joinable: bool = False,
    *,
    rules: TeamRules,
    now: datetime,
) -> list[TeamView]:
    """Teams for autocomplete: folded-name prefix matches first, then names containing it.

    ``only_joinable`` keeps teams with a free place and no team lock.
    """
    key = name_key(prefix)
    conditions: list[Any] = []
    if only_joinable:
        conditions += [Team.size < rules.max_size, Team.locked.is_(False)]
    found = list(
        await session.scalars(
            select(Team)
            .where(Team.name_key.startswith(key, autoescape=True), *conditions)
            .order_by(Team.name_key)
            .limit(limit)
        )
    )
    if key and len(found) < limit:
        seen = [team.id for team in found]
        found += await session.scalars(
            select(Team)
            .where(
                Team.name_key.contains(key, autoescape=True),
                Team.id.not_in(seen),
                *conditions,
            )
            .order_by(Team.name_key)
            .limit(limit - len(found))
        )
    return await views_of(session, found, rules, now)


async def list_teams(
    session: AsyncSession, rules: TeamRules, *, page: int, page_size: int, now: datetime
) -> TeamPage:
    """One page of teams in creation order; ``page`` is 1-based and clamped to the range."""
    page_size = max(page_size, 1)
    total = await session.scalar(select(func.count()).select_from(Team)) or 0
    pages = max(math.ceil(total / page_size), 1)
    page = min(max(page, 1), pages)
    teams = list(
        await session.scalars(
            select(Team)
            .order_by(Team.created_at, Team.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    )
    items = await views_of(session, teams, rules, now)
    return TeamPage(items=tuple(items), page=page, pages=pages, total=total)


async def state_snapshot(
    session: AsyncSession, rules: TeamRules, now: datetime
) -> list[dict[str, Any]]:
    """Teams for the rehearsal state line, in creation order."""
    teams = list(await session.scalars(select(Team).order_by(Team.created_at, Team.id)))
    return [
        {
            "team_id": view.id,
            "name": view.name,
            "captain_id": view.captain_id,
            "member_ids": list(view.member_ids),
            "locked": view.locked,
        }
        for view in await views_of(session, teams, rules, now)
    ]


async def item_team_name(session: AsyncSession, kind: ItemKind, item_id: int) -> str | None:
    """The name of the team an invitation or join request is for (None when it is gone)."""
    model: type[Invitation] | type[JoinRequest] = (
        Invitation if kind == "invitation" else JoinRequest
    )
    return await session.scalar(
        select(Team.name).join(model, model.team_id == Team.id).where(model.id == item_id)
    )


async def known_member_ids(session: AsyncSession) -> set[int]:
    """Everyone the team feature holds state for: team members, looking-for-team profiles,
    and the people of pending invitations and join requests."""
    ids: set[int] = set(await session.scalars(select(TeamMember.user_id)))
    ids.update(await session.scalars(select(LftProfile.user_id)))
    ids.update(
        await session.scalars(select(Invitation.invitee_id).where(Invitation.status == "pending"))
    )
    ids.update(
        await session.scalars(select(JoinRequest.user_id).where(JoinRequest.status == "pending"))
    )
    return ids
