"""Reading teams: views, lookups, autocomplete, pages, the lock state."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, bindparam, func, select
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

# The tables behind the models, for Core statements on the hot paths: a statement built from
# table columns skips the ORM's compile and loading steps (no entity is needed to read a view).
TEAMS = cast(Table, Team.__table__)
MEMBERS = cast(Table, TeamMember.__table__)
CONTROL = cast(Table, TeamsControl.__table__)
INVITATIONS = cast(Table, Invitation.__table__)
REQUESTS = cast(Table, JoinRequest.__table__)
PROFILES = cast(Table, LftProfile.__table__)


async def lock_state(session: AsyncSession, rules: TeamRules, now: datetime) -> LockState:
    """The global lock: set by organizers, or automatic from the team deadline on.

    An organizer unlock made at or after the deadline reopens team changes until the next lock.
    """
    control = (
        await session.execute(select(*CONTROL_COLUMNS).where(CONTROL.c.id == CONTROL_ID))
    ).first()
    return lock_of(control, rules, now)


# The organizers' switch, as read beside a team (``LEFT JOIN teams_control``): no row yet reads
# as NULLs, which :func:`lock_of` takes as "never set".
CONTROL_COLUMNS = (
    CONTROL.c.id.label("control_id"),
    CONTROL.c.locked.label("control_locked"),
    CONTROL.c.locked_by.label("control_by"),
    CONTROL.c.changed_at.label("control_at"),
)


def lock_of(control: Any, rules: TeamRules, now: datetime) -> LockState:
    """The global lock from the columns of :data:`CONTROL_COLUMNS` (``None``: no row)."""
    by_deadline = now >= rules.team_deadline
    if control is None or control.control_id is None:
        return LockState(locked=by_deadline, by_deadline=by_deadline)
    locked = bool(control.control_locked)
    changed_at = control.control_at
    reopened = not locked and changed_at is not None and changed_at >= rules.team_deadline
    deadline_applies = by_deadline and not reopened
    return LockState(
        locked=locked or deadline_applies,
        by_deadline=deadline_applies and not locked,
        changed_by=control.control_by,
        changed_at=changed_at,
    )


async def is_locked(session: AsyncSession, rules: TeamRules, now: datetime) -> bool:
    """Whether team changes are locked for everyone (organizer lock or deadline)."""
    return (await lock_state(session, rules, now)).locked


def build_view(
    team: Team | TeamRow, members: tuple[int, ...], rules: TeamRules, globally_locked: bool
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
    """Views of several loaded teams, read again in one query (in the order given)."""
    if not teams:
        return []
    found = {
        read.row.id: read.view
        for read in await read_teams(session, rules, now, TEAMS.c.id.in_([t.id for t in teams]))
    }
    return [found[team.id] for team in teams if team.id in found]


# The columns of a team a view shows (a Core select: no ORM entity to build).
TEAM_COLUMNS = tuple(
    TEAMS.c[name]
    for name in (
        "id",
        "name",
        "description",
        "captain_id",
        "open",
        "size",
        "locked",
        "languages",
        "looking_for",
        "thread_id",
        "forum_post_id",
        "created_at",
    )
)


@dataclass(frozen=True)
class TeamRow:
    """A team as read by a Core select of :data:`TEAM_COLUMNS` (or returned by an update)."""

    id: int
    name: str
    description: str | None
    captain_id: int
    open: bool
    size: int
    locked: bool
    languages: list[str]
    looking_for: list[str]
    thread_id: int | None
    forum_post_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: Any) -> TeamRow:
        return cls(*(getattr(row, column.key) for column in TEAM_COLUMNS))


@dataclass(frozen=True)
class MemberRow:
    """A membership in join order (``joined_at``, then ``id``)."""

    joined_at: datetime
    id: int
    user_id: int


@dataclass
class TeamRead:
    """One team read with its lock state and members by :func:`read_teams`; ``extra`` is the
    first row (for the extra columns the caller asked for)."""

    row: TeamRow
    lock: LockState
    members: list[MemberRow]
    extra: Any
    rules: TeamRules = field(repr=False)

    @property
    def view(self) -> TeamView:
        members = tuple(member.user_id for member in self.members)
        return build_view(self.row, members, self.rules, self.lock.locked)


def teams_select(
    *where: ColumnElement[bool],
    extra: Sequence[Any] = (),
    order: Sequence[Any] = (TEAMS.c.created_at, TEAMS.c.id),
    limit: int | None = None,
    offset: int = 0,
) -> Select[Any]:
    """The statement of :func:`read_teams`: teams matching ``where`` joined with the single
    control row and with their members. Built with ``bindparam`` values, it is built once (see
    :func:`read_prepared`): building and keying a statement of this size costs more than
    running it on a hot path."""
    team_filter: list[ColumnElement[bool]] = list(where)
    if limit is not None:
        page = select(TEAMS.c.id).where(*where).order_by(*order).offset(offset).limit(limit)
        team_filter = [TEAMS.c.id.in_(page.scalar_subquery())]
    return (
        select(
            *TEAM_COLUMNS,
            *CONTROL_COLUMNS,
            MEMBERS.c.user_id.label("member_id"),
            MEMBERS.c.joined_at.label("member_joined"),
            MEMBERS.c.id.label("member_row"),
            *extra,
        )
        .select_from(
            TEAMS.outerjoin(CONTROL, CONTROL.c.id == CONTROL_ID).outerjoin(
                MEMBERS, MEMBERS.c.team_id == TEAMS.c.id
            )
        )
        .where(*team_filter)
        .order_by(*order, MEMBERS.c.joined_at, MEMBERS.c.id)
    )


async def read_teams(
    session: AsyncSession,
    rules: TeamRules,
    now: datetime,
    *where: ColumnElement[bool],
    extra: Sequence[Any] = (),
    order: Sequence[Any] = (TEAMS.c.created_at, TEAMS.c.id),
    limit: int | None = None,
    offset: int = 0,
) -> list[TeamRead]:
    """Teams matching ``where`` with the global lock and their members, in one statement
    (teams joined with the single control row and with their members). ``extra`` columns
    (scalar subqueries) come back on :attr:`TeamRead.extra`. ``limit`` and ``offset`` page
    over teams, not over member rows."""
    statement = teams_select(*where, extra=extra, order=order, limit=limit, offset=offset)
    return collect_teams(await session.execute(statement), rules, now)


async def read_prepared(
    session: AsyncSession,
    rules: TeamRules,
    now: datetime,
    statement: Select[Any],
    **params: Any,
) -> list[TeamRead]:
    """:func:`read_teams` with a statement built once by :func:`teams_select` and its
    ``bindparam`` values."""
    return collect_teams(await session.execute(statement, params), rules, now)


def collect_teams(rows: Iterable[Any], rules: TeamRules, now: datetime) -> list[TeamRead]:
    """The :class:`TeamRead` of each team in rows of :func:`teams_select`, in order."""
    out: dict[int, TeamRead] = {}
    lock: LockState | None = None
    for row in rows:
        read = out.get(row.id)
        if read is None:
            if lock is None:
                lock = lock_of(row, rules, now)
            read = out[row.id] = TeamRead(TeamRow.of(row), lock, [], row, rules)
        if row.member_id is not None:
            read.members.append(MemberRow(row.member_joined, row.member_row, row.member_id))
    return list(out.values())


# Lookups of one team on every team command, built once.
_BY_ID = teams_select(TEAMS.c.id == bindparam("p_team"))
_BY_NAME_KEY = teams_select(TEAMS.c.name_key == bindparam("p_name_key"))
# The team of the member ``p_user``.
BY_MEMBER = teams_select(
    TEAMS.c.id
    == select(MEMBERS.c.team_id)
    .where(MEMBERS.c.user_id == bindparam("p_user"))
    .correlate(None)
    .scalar_subquery()
)


async def load_team(session: AsyncSession, team_id: int) -> Team | None:
    """The team row, refreshed from the database."""
    return await session.get(Team, team_id, populate_existing=True)


async def view_of(
    session: AsyncSession, team: Team | TeamRow, rules: TeamRules, now: datetime
) -> TeamView:
    """The view of one loaded team, as the database has it now (one statement)."""
    return (await read_prepared(session, rules, now, _BY_ID, p_team=team.id))[0].view


async def get_team(
    session: AsyncSession, team_id: int, *, rules: TeamRules, now: datetime
) -> TeamView:
    """The team with this id, or ``NotFound("teams.errors.team_id_not_found")``."""
    found = await read_prepared(session, rules, now, _BY_ID, p_team=team_id)
    if not found:
        raise NotFound("teams.errors.team_id_not_found")
    return found[0].view


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
    found = await read_prepared(session, rules, now, _BY_NAME_KEY, p_name_key=name_key(name))
    if not found:
        raise NotFound("teams.errors.team_not_found", name=clean(name)[:100])
    return found[0].view


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
    found = await read_prepared(session, rules, now, BY_MEMBER, p_user=user_id)
    return found[0].view if found else None


def member_team_id(user_id: int) -> Any:
    """``SELECT team_id`` of a member's membership (to use as a subquery)."""
    return select(MEMBERS.c.team_id).where(MEMBERS.c.user_id == user_id).correlate(None)


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
        conditions += [TEAMS.c.size < rules.max_size, TEAMS.c.locked.is_(False)]
    by_name = (TEAMS.c.name_key,)
    found = await read_teams(
        session,
        rules,
        now,
        TEAMS.c.name_key.startswith(key, autoescape=True),
        *conditions,
        order=by_name,
        limit=limit,
    )
    if key and len(found) < limit:
        seen = [read.row.id for read in found]
        found += await read_teams(
            session,
            rules,
            now,
            TEAMS.c.name_key.contains(key, autoescape=True),
            TEAMS.c.id.not_in(seen),
            *conditions,
            order=by_name,
            limit=limit - len(found),
        )
    return [read.view for read in found]


async def list_teams(
    session: AsyncSession, rules: TeamRules, *, page: int, page_size: int, now: datetime
) -> TeamPage:
    """One page of teams in creation order; ``page`` is 1-based and clamped to the range."""
    page_size = max(page_size, 1)
    total = await session.scalar(select(func.count()).select_from(Team)) or 0
    pages = max(math.ceil(total / page_size), 1)
    page = min(max(page, 1), pages)
    reads = await read_teams(session, rules, now, limit=page_size, offset=(page - 1) * page_size)
    items = [read.view for read in reads]
    return TeamPage(items=tuple(items), page=page, pages=pages, total=total)


async def state_snapshot(
    session: AsyncSession, rules: TeamRules, now: datetime
) -> list[dict[str, Any]]:
    """Teams for the rehearsal state line, in creation order."""
    return [
        {
            "team_id": view.id,
            "name": view.name,
            "captain_id": view.captain_id,
            "member_ids": list(view.member_ids),
            "locked": view.locked,
        }
        for view in (read.view for read in await read_teams(session, rules, now))
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
