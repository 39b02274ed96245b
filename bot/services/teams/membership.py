"""The two membership primitives every team change goes through.

Both lock the team row first with a conditional update (``size = size + 1 WHERE size < :max``
or ``size = size - 1``), so that on PostgreSQL concurrent changes to one team queue on that row
and every later read in the transaction sees the winner's result; on SQLite, ``BEGIN
IMMEDIATE`` already serializes writers. The unique ``team_members.user_id`` backs "one team per
member" whatever happens between a check and the insert: the membership is inserted with ``ON
CONFLICT DO NOTHING``, so a member already in a team inserts nothing and the transaction stays
usable to name that team (no savepoint).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import Any, Literal, cast

from sqlalchemy import (
    BindParameter,
    CursorResult,
    Update,
    bindparam,
    case,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, NotFound
from bot.models.teams import (
    ACCEPTED,
    CANCELLED,
    FULL,
    PENDING,
    LftProfile,
    Team,
)
from bot.services import audit
from bot.services.teams.queries import (
    INVITATIONS,
    MEMBERS,
    PROFILES,
    REQUESTS,
    TEAM_COLUMNS,
    TEAMS,
    MemberRow,
    TeamRow,
    build_view,
    load_team,
    lock_state,
    team_row_of,
)
from bot.services.teams.views import (
    Cause,
    ClosedItem,
    ItemKind,
    LockState,
    MembershipChange,
    TeamRules,
)


def rowcount(result: Any) -> int:
    """Rows matched by an UPDATE or DELETE."""
    return cast(CursorResult[Any], result).rowcount


# What an update of pending items returns to build their closed items (:func:`_closed_item`).
_CLOSED_INVITATION = (
    INVITATIONS.c.id,
    INVITATIONS.c.team_id,
    INVITATIONS.c.invitee_id,
    INVITATIONS.c.channel_id,
    INVITATIONS.c.message_id,
    INVITATIONS.c.inviter_id,
)
_CLOSED_REQUEST = (
    REQUESTS.c.id,
    REQUESTS.c.team_id,
    REQUESTS.c.user_id,
    REQUESTS.c.channel_id,
    REQUESTS.c.message_id,
)


async def close_pending(
    session: AsyncSession,
    *,
    status: str,
    now: datetime,
    cause: Cause,
    team_id: int | None = None,
    user_id: int | None = None,
    keep_invitation: int | None = None,
    keep_request: int | None = None,
    team: TeamRow | None = None,
) -> list[ClosedItem]:
    """Answer pending invitations and join requests of a team or of a member (or of a member
    for one team: both given) with ``status``; ``cause`` says why, for the follow-ups.
    ``team``: the team of ``team_id`` as already read (its name and captain need no query)."""
    closed: list[ClosedItem] = []
    inv = update(INVITATIONS).where(INVITATIONS.c.status == PENDING)
    req = update(REQUESTS).where(REQUESTS.c.status == PENDING)
    if team_id is not None:
        inv = inv.where(INVITATIONS.c.team_id == team_id)
        req = req.where(REQUESTS.c.team_id == team_id)
    if user_id is not None:
        inv = inv.where(INVITATIONS.c.invitee_id == user_id)
        req = req.where(REQUESTS.c.user_id == user_id)
    if keep_invitation is not None:
        inv = inv.where(INVITATIONS.c.id != keep_invitation)
    if keep_request is not None:
        req = req.where(REQUESTS.c.id != keep_request)
    invitations = await session.execute(
        inv.values(status=status, answered_at=now).returning(*_CLOSED_INVITATION)
    )
    found_invitations = list(invitations)
    requests = await session.execute(
        req.values(status=status, answered_at=now).returning(*_CLOSED_REQUEST)
    )
    found_requests = list(requests)
    wanted = {row[1] for row in found_invitations} | {row[1] for row in found_requests}
    known = {} if team is None else {team.id: (team.name, team.captain_id)}
    teams = {**await teams_by_id(session, wanted - set(known)), **known}
    closed += [
        _closed_item("invitation", row, teams, status=status, cause=cause)
        for row in found_invitations
    ]
    closed += [
        _closed_item("request", row, teams, status=status, cause=cause) for row in found_requests
    ]
    return sorted(closed, key=lambda item: (item.kind, item.id))


def _closed_item(
    kind: ItemKind,
    row: Sequence[Any],
    teams: dict[int, tuple[str, int | None]],
    *,
    status: str,
    cause: Cause | None = None,
) -> ClosedItem:
    """The closed item of a row an update returned: an invitation's ``(id, team_id,
    invitee_id, channel_id, message_id, inviter_id, ...)`` or a request's ``(id, team_id,
    user_id, channel_id, message_id, ...)``; ``teams`` gives its team's name and captain.
    Without ``cause``, the one a join gives ``status``."""
    item_id, team_id, user_id, channel_id, message_id = row[:5]
    name, captain = teams.get(team_id, ("", None))
    return ClosedItem(
        kind,
        item_id,
        team_id,
        user_id,
        channel_id,
        message_id,
        status=status,
        team_name=name,
        inviter_id=row[5] if kind == "invitation" else None,
        captain_id=captain,
        cause=_JOIN_CAUSES[status] if cause is None else cause,
    )


async def teams_by_id(
    session: AsyncSession, team_ids: set[int]
) -> dict[int, tuple[str, int | None]]:
    """The name and captain of each team of ``team_ids`` that still exists."""
    if not team_ids:
        return {}
    rows = await session.execute(
        select(TEAMS.c.id, TEAMS.c.name, TEAMS.c.captain_id).where(TEAMS.c.id.in_(team_ids))
    )
    return {team_id: (name, captain) for team_id, name, captain in rows}


async def retire_lft_profile(session: AsyncSession, user_id: int, now: datetime) -> int | None:
    """Stop showing a member's looking-for-team profile; returns the forum post to delete."""
    profile = await session.get(LftProfile, user_id, populate_existing=True)
    if profile is None or not profile.looking:
        return None
    post_id = profile.post_id
    profile.looking = False
    profile.post_id = None
    profile.updated_at = now
    await session.flush()
    return post_id


# The statements of a join, built once (building and keying them cost more than running them).
_CLAIM_PLACE = (
    update(TEAMS)
    .where(TEAMS.c.id == bindparam("p_team"), TEAMS.c.size < bindparam("p_max"))
    .values(size=TEAMS.c.size + 1, updated_at=bindparam("p_now"))
    .returning(*TEAM_COLUMNS)
)
# The membership, by dialect: a member already in a team inserts nothing.
_ADD_MEMBER = {
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(MEMBERS)
    .values(user_id=bindparam("p_user"), team_id=bindparam("p_team"), joined_at=bindparam("p_now"))
    .on_conflict_do_nothing(index_elements=[MEMBERS.c.user_id])
    .returning(MEMBERS.c.id)
    for dialect in (postgresql, sqlite)
}
_RETIRE_READ_PROFILE = (
    update(PROFILES)
    .where(
        PROFILES.c.user_id == bindparam("p_user"),
        PROFILES.c.looking.is_(True),
        PROFILES.c.post_id.is_not_distinct_from(bindparam("p_post")),
    )
    .values(looking=False, post_id=None, updated_at=bindparam("p_now"))
)


# Who adds a member, for what the refusals say: the member themselves (by command, or accepting
# an invitation: they are looking for a team), the captain accepting a request, an organizer.
AddedBy = Literal["self", "captain", "organizer"]
_FULL_KEYS = {
    "self": "teams.errors.team_full",
    "captain": "teams.errors.team_full_accept",
    "organizer": "teams.errors.team_full_move",
}


async def add_member(
    session: AsyncSession,
    rules: TeamRules,
    team: Team | TeamRow,
    user_id: int,
    now: datetime,
    *,
    actor_id: int | None,
    action: str,
    by: AddedBy = "self",
    keep_invitation: int | None = None,
    keep_request: int | None = None,
    lock: LockState | None = None,
    members: Sequence[MemberRow] | None = None,
    lft: tuple[bool | None, int | None] | None = None,
    pending: tuple[bool, bool] | None = None,
) -> MembershipChange:
    """Add ``user_id`` to ``team`` if a place is free; the caller's transaction holds it all.

    Refuses with a ``team_full`` key for ``by`` (``team_full``, ``team_full_accept``,
    ``team_full_move``), ``team_gone`` / ``team_gone_now``, ``already_in_team`` (by the member)
    or ``member_in_team``. The member's other pending invitations and requests of this team
    close as joined; when the last place is taken, the team's others are answered "full"; the
    member's ones for other teams are "cancelled".

    What the caller already read in this transaction saves statements: the global ``lock``,
    the team's ``members`` (used when the claimed size shows nobody else changed them), the
    member's looking-for-team profile as ``lft`` (``looking``, ``post_id``) and ``pending``
    (whether the member has pending invitations or requests, whether the team has): with
    neither, nor the team's when the join does not fill it, nothing is closed without asking.
    """
    by_self = by == "self"
    claimed = (
        await session.execute(
            _CLAIM_PLACE, {"p_team": team.id, "p_max": rules.max_size, "p_now": now}
        )
    ).first()
    if claimed is None:
        current = await team_row_of(session, user_id)
        if current is not None:
            raise _in_team_error(current, team, by_self)
        if await load_team(session, team.id) is None:
            raise NotFound("teams.errors.team_gone" if by_self else "teams.errors.team_gone_now")
        raise Conflict(_FULL_KEYS[by], team=team.name, count=rules.max_size)
    row = TeamRow.of(claimed)
    # The unique user_id: a member already in a team (this one or another, even by a
    # transaction that committed a moment ago) inserts nothing, and the transaction stays usable.
    member_row = await session.scalar(
        _ADD_MEMBER[session.get_bind().dialect.name],
        {"p_user": user_id, "p_team": team.id, "p_now": now},
    )
    if member_row is None:
        current = await team_row_of(session, user_id)
        raise _in_team_error(current, team, by_self)
    became_full = row.size >= rules.max_size
    closed: list[ClosedItem] = []
    if pending is None or pending[0] or (became_full and pending[1]):
        closed = await close_on_join(
            session,
            row,
            user_id,
            full=became_full,
            now=now,
            keep_invitation=keep_invitation,
            keep_request=keep_request,
        )
    if lft is None:
        post_id = await retire_lft_profile(session, user_id, now)
    else:
        post_id = await retire_read_profile(session, user_id, now, *lft)
    await audit.record(
        session,
        actor_id=actor_id,
        action=action,
        subject=row.name,
        now=now,
        team_id=row.id,
        member_id=user_id,
    )
    if members is not None and len(members) + 1 == row.size:
        after = sorted(
            [*members, MemberRow(now, member_row, user_id)],
            key=lambda member: (member.joined_at, member.id),
        )
        member_ids = tuple(member.user_id for member in after)
    else:
        member_ids = tuple(
            await session.scalars(
                select(MEMBERS.c.user_id)
                .where(MEMBERS.c.team_id == row.id)
                .order_by(MEMBERS.c.joined_at, MEMBERS.c.id)
            )
        )
    if lock is None:
        lock = await lock_state(session, rules, now)
    return MembershipChange(
        team=build_view(row, member_ids, rules, lock.locked),
        added=user_id,
        became_full=became_full,
        closed=tuple(closed),
        lft_post_removed=post_id,
    )


async def retire_read_profile(
    session: AsyncSession, user_id: int, now: datetime, looking: bool | None, post_id: int | None
) -> int | None:
    """:func:`retire_lft_profile` for a profile already read in this transaction: nothing to
    do unless it was looking; then one update, made only if the profile is still as read."""
    if not looking:
        return None
    retired = await session.execute(
        _RETIRE_READ_PROFILE, {"p_user": user_id, "p_post": post_id, "p_now": now}
    )
    if rowcount(retired) == 1:
        return post_id
    return await retire_lft_profile(session, user_id, now)


# Why an item closed when its member joined a team, by the status it was given.
_JOIN_CAUSES: dict[str, Cause] = {
    ACCEPTED: "joined",
    FULL: "full",
    CANCELLED: "joined_elsewhere",
}
_JOIN_ORDER = {ACCEPTED: 0, FULL: 1, CANCELLED: 2}


@cache
def _close_on_join_statements(
    full: bool, keep_invitation: bool, keep_request: bool
) -> tuple[Update, Update]:
    """The two updates of :func:`close_on_join` for one shape of call, built once; their
    values are ``p_user``, ``p_team``, ``p_now`` and ``p_keep_invitation`` / ``p_keep_request``."""
    user: BindParameter[int] = bindparam("p_user")
    team: BindParameter[int] = bindparam("p_team")
    inv_where: Any = INVITATIONS.c.invitee_id == user
    req_where: Any = REQUESTS.c.user_id == user
    if full:
        inv_where = or_(inv_where, INVITATIONS.c.team_id == team)
        req_where = or_(req_where, REQUESTS.c.team_id == team)
    inv = update(INVITATIONS).where(INVITATIONS.c.status == PENDING, inv_where)
    req = update(REQUESTS).where(REQUESTS.c.status == PENDING, req_where)
    if keep_invitation:
        inv = inv.where(INVITATIONS.c.id != bindparam("p_keep_invitation"))
    if keep_request:
        req = req.where(REQUESTS.c.id != bindparam("p_keep_request"))
    inv_status = case(
        (INVITATIONS.c.invitee_id != user, FULL),
        (INVITATIONS.c.team_id == team, ACCEPTED),
        else_=CANCELLED,
    )
    req_status = case(
        (REQUESTS.c.user_id != user, FULL),
        (REQUESTS.c.team_id == team, ACCEPTED),
        else_=CANCELLED,
    )
    now: BindParameter[datetime] = bindparam("p_now")
    return (
        inv.values(status=inv_status, answered_at=now).returning(
            *_CLOSED_INVITATION, INVITATIONS.c.status
        ),
        req.values(status=req_status, answered_at=now).returning(
            *_CLOSED_REQUEST, REQUESTS.c.status
        ),
    )


async def close_on_join(
    session: AsyncSession,
    team: TeamRow,
    user_id: int,
    *,
    full: bool,
    now: datetime,
    keep_invitation: int | None = None,
    keep_request: int | None = None,
) -> list[ClosedItem]:
    """Close what a member's joining ``team`` ends, one update per table: their pending
    invitations and requests of this team ("accepted", cause ``joined``), the team's others
    when it became ``full`` ("full"), and theirs for other teams ("cancelled", cause
    ``joined_elsewhere``). The ``keep_*`` item stays pending (its caller answers it)."""
    inv, req = _close_on_join_statements(
        full, keep_invitation is not None, keep_request is not None
    )
    params = {
        "p_user": user_id,
        "p_team": team.id,
        "p_now": now,
        "p_keep_invitation": keep_invitation,
        "p_keep_request": keep_request,
    }
    invitations = list(await session.execute(inv, params))
    requests = list(await session.execute(req, params))
    others = {row[1] for row in invitations} | {row[1] for row in requests}
    teams = await teams_by_id(session, others - {team.id})
    teams[team.id] = (team.name, team.captain_id)
    by_kind: tuple[tuple[ItemKind, list[Any]], ...] = (
        ("invitation", invitations),
        ("request", requests),
    )
    closed = [
        (_JOIN_ORDER[row[-1]], _closed_item(kind, row, teams, status=row[-1]))
        for kind, rows in by_kind
        for row in rows
    ]
    closed.sort(key=lambda pair: (pair[0], pair[1].kind, pair[1].id))
    return [item for _, item in closed]


def _in_team_error(current: Team | None, target: Team | TeamRow, by_self: bool) -> Conflict:
    name = current.name if current is not None else target.name
    if current is not None and current.id == target.id:
        return Conflict(
            "teams.errors.already_member" if by_self else "teams.errors.member_already_member",
            team=name,
        )
    return Conflict(
        "teams.errors.already_in_team" if by_self else "teams.errors.member_in_team", team=name
    )


async def remove_member(
    session: AsyncSession,
    rules: TeamRules,
    team: Team | TeamRow,
    user_id: int,
    now: datetime,
    *,
    actor_id: int | None,
    action: str,
    lock: LockState | None = None,
) -> MembershipChange:
    """Remove ``user_id`` from ``team``: a leaving captain hands over to the longest-standing
    member, and a team left empty is disbanded (its pending items answered "cancelled").

    The team row comes back from the conditional update (no second read); the members are read
    after it, so a handover picks among the members as they are once the row is held. ``lock``
    is the global lock when the caller already read it."""
    returned = (
        await session.execute(
            update(TEAMS)
            .where(TEAMS.c.id == team.id, TEAMS.c.size > 0)
            .values(size=TEAMS.c.size - 1, updated_at=now)
            .returning(*TEAM_COLUMNS)
        )
    ).first()
    gone = await session.execute(
        delete(MEMBERS).where(MEMBERS.c.user_id == user_id, MEMBERS.c.team_id == team.id)
    )
    if returned is None or rowcount(gone) != 1:
        raise NotFound("teams.errors.member_not_in_team", team=team.name)
    row = TeamRow.of(returned)
    if lock is None:
        lock = await lock_state(session, rules, now)
    details: dict[str, Any] = {"team_id": row.id, "member_id": user_id}
    if row.size == 0:
        closed = await close_pending(
            session, status=CANCELLED, now=now, cause="disbanded", team_id=row.id, team=row
        )
        snapshot = build_view(row, (), rules, lock.locked)
        await session.execute(delete(TEAMS).where(TEAMS.c.id == row.id))
        if isinstance(team, Team) and team in session:
            session.expunge(team)
        await audit.record(
            session,
            actor_id=actor_id,
            action=action,
            subject=row.name,
            now=now,
            disbanded=True,
            **details,
        )
        return MembershipChange(
            team=snapshot, removed=user_id, disbanded=True, closed=tuple(closed)
        )
    member_ids = tuple(
        await session.scalars(
            select(MEMBERS.c.user_id)
            .where(MEMBERS.c.team_id == row.id)
            .order_by(MEMBERS.c.joined_at, MEMBERS.c.id)
        )
    )
    new_captain = None
    if row.captain_id == user_id:
        assert member_ids
        new_captain = member_ids[0]
        await session.execute(
            update(TEAMS).where(TEAMS.c.id == row.id).values(captain_id=new_captain)
        )
        row = replace(row, captain_id=new_captain)
        details["new_captain"] = new_captain
    await audit.record(
        session, actor_id=actor_id, action=action, subject=row.name, now=now, **details
    )
    view = build_view(row, member_ids, rules, lock.locked)
    return MembershipChange(
        team=view,
        removed=user_id,
        new_captain=new_captain,
        became_open=row.size + 1 >= rules.max_size and not view.full,
    )
