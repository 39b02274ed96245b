"""Invitations (a member invites someone) and join requests (someone asks, the captain answers).

Both are single-use and expire after ``invitation_ttl``. Any member of a team may invite; the
captain's approval is not needed. Accepting locks the team row before the invitation or
request is claimed, so that concurrent accepts queue on the team and cannot deadlock with the
winner answering the others "full".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, bindparam, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, Forbidden, NotFound
from bot.models.teams import (
    ACCEPTED,
    CANCELLED,
    DECLINED,
    EXPIRED,
    PENDING,
    Invitation,
    JoinRequest,
    Team,
)
from bot.services import audit
from bot.services.teams import limits
from bot.services.teams.guards import ensure_unlocked, member_team, refuse_if_locked
from bot.services.teams.membership import add_member, rowcount, teams_by_id
from bot.services.teams.names import name_key
from bot.services.teams.queries import (
    INVITATIONS,
    MEMBERS,
    PROFILES,
    REQUESTS,
    TEAMS,
    TeamRead,
    load_team,
    read_prepared,
    team_row_of,
    teams_select,
    view_of,
)
from bot.services.teams.views import (
    ClosedItem,
    InvitationView,
    ItemKind,
    JoinResult,
    MembershipChange,
    RequestInDms,
    TeamRules,
    TeamView,
)
from bot.text import clean

_NO_SYNC = {"synchronize_session": False}


async def invite(
    session: AsyncSession, rules: TeamRules, *, actor_id: int, invitee_id: int, now: datetime
) -> InvitationView:
    """A member of a team invites ``invitee_id``.

    Refuses: ``not_in_team``, locked, ``self_invite``, ``member_in_team`` (invitee already in
    a team), ``team_full_invite``, ``already_invited`` (a pending, unexpired invitation exists); and
    the limits ``reinvite_cooldown`` (the invitee declined this team's invitation recently) and
    ``invitations_pending`` (as many pending invitations as free places).
    """
    team = await member_team(session, actor_id)
    await ensure_unlocked(session, rules, now, team)
    if invitee_id == actor_id:
        raise Conflict("teams.errors.self_invite")
    current = await team_row_of(session, invitee_id)
    if current is not None:
        raise Conflict("teams.errors.member_in_team", team=current.name)
    if team.size >= rules.max_size:
        raise Conflict("teams.errors.team_full_invite", team=team.name, count=rules.max_size)
    await _expire_stale(session, Invitation, team.id, Invitation.invitee_id == invitee_id, now)
    if await _pending_exists(session, Invitation, team.id, Invitation.invitee_id == invitee_id):
        raise Conflict("teams.errors.already_invited", team=team.name)
    await limits.ensure_reinvite_allowed(
        session, team, invitee_id, cooldown=rules.reinvite_cooldown, now=now
    )
    await limits.ensure_invitation_room(
        session,
        team,
        max_size=rules.max_size,
        overbooking=rules.invitation_overbooking,
        now=now,
    )
    invitation = Invitation(
        team_id=team.id,
        inviter_id=actor_id,
        invitee_id=invitee_id,
        created_at=now,
        expires_at=now + rules.invitation_ttl,
        status=PENDING,
    )
    await _add_pending(
        session, invitation, Conflict("teams.errors.already_invited", team=team.name)
    )
    await audit.record(
        session,
        actor_id=actor_id,
        action="team.invited",
        subject=team.name,
        now=now,
        team_id=team.id,
        invitee_id=invitee_id,
    )
    return InvitationView(
        id=invitation.id,
        team=await view_of(session, team, rules, now),
        inviter_id=actor_id,
        invitee_id=invitee_id,
        expires_at=invitation.expires_at,
    )


async def _add_pending(
    session: AsyncSession, item: Invitation | JoinRequest, duplicate: Conflict
) -> None:
    """Insert a pending item; the partial unique index turns a concurrent twin into
    ``duplicate`` (inside a savepoint, so the caller's transaction stays usable)."""
    try:
        async with session.begin_nested():
            session.add(item)
            await session.flush()
    except IntegrityError:
        raise duplicate from None


async def _pending_exists(
    session: AsyncSession,
    model: type[Invitation] | type[JoinRequest],
    team_id: int,
    who: object,
) -> bool:
    """A pending item of ``who`` for the team (expired ones were just marked expired)."""
    found = await session.scalar(
        select(model.id).where(model.team_id == team_id, who, model.status == PENDING).limit(1)  # type: ignore[arg-type]
    )
    return found is not None


async def _expire_stale(
    session: AsyncSession,
    model: type[Invitation] | type[JoinRequest],
    team_id: int,
    who: object,
    now: datetime,
) -> None:
    """Mark a pending but expired item as expired, so that a new one may be created."""
    await session.execute(
        update(model)
        .where(model.team_id == team_id, who, model.status == PENDING, model.expires_at <= now)  # type: ignore[arg-type]
        .values(status=EXPIRED, answered_at=now)
        .execution_options(**_NO_SYNC)
    )


async def set_invitation_message(
    session: AsyncSession, invitation_id: int, channel_id: int, message_id: int
) -> None:
    """Remember where the invitation's buttons live (a DM or a channel message)."""
    await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id)
        .values(channel_id=channel_id, message_id=message_id)
        .execution_options(**_NO_SYNC)
    )


async def set_request_message(
    session: AsyncSession, request_id: int, channel_id: int, message_id: int
) -> None:
    """Remember where the join request's buttons live: the team's thread, or the captain's DMs
    when the thread is gone or refused the post."""
    await session.execute(
        update(JoinRequest)
        .where(JoinRequest.id == request_id)
        .values(channel_id=channel_id, message_id=message_id)
        .execution_options(**_NO_SYNC)
    )


async def requests_in_dms(
    session: AsyncSession, team_id: int, thread_id: int | None
) -> list[RequestInDms]:
    """The team's pending join requests whose message is not in the team's thread: the ones a
    captain received by DM, which only that captain can see (oldest first)."""
    rows = await session.execute(
        select(REQUESTS.c.id, REQUESTS.c.user_id, REQUESTS.c.channel_id, REQUESTS.c.message_id)
        .where(
            REQUESTS.c.team_id == team_id,
            REQUESTS.c.status == PENDING,
            REQUESTS.c.channel_id.is_not(None),
            REQUESTS.c.message_id.is_not(None),
            *([REQUESTS.c.channel_id != thread_id] if thread_id is not None else []),
        )
        .order_by(REQUESTS.c.created_at, REQUESTS.c.id)
    )
    return [RequestInDms(row.id, row.user_id, row.channel_id, row.message_id) for row in rows]


# A request the bot could not deliver to the captain (neither in the team's thread nor by DM)
# is withdrawn: "cancelled", answered by the member who made it (a captain, who answers the
# others, never asks to join their own team). It never reached the captain, so it does not
# count for the join request cooldown either.
_WITHDRAW = (
    update(REQUESTS)
    .where(REQUESTS.c.id == bindparam("p_request"), REQUESTS.c.status == PENDING)
    .values(status=CANCELLED, answered_at=bindparam("p_now"), answered_by=REQUESTS.c.user_id)
    .returning(REQUESTS.c.team_id, REQUESTS.c.user_id)
)
_NOT_WITHDRAWN = or_(REQUESTS.c.answered_by.is_(None), REQUESTS.c.answered_by != REQUESTS.c.user_id)


async def withdraw_request(session: AsyncSession, request_id: int, now: datetime) -> bool:
    """Withdraw a join request that could not reach the captain: "cancelled" if it is still
    pending (False when it was answered or closed meanwhile), audited as the member's. The
    member may ask again at once: nothing stays pending and no cooldown starts."""
    row = (await session.execute(_WITHDRAW, {"p_request": request_id, "p_now": now})).first()
    if row is None:
        return False
    name, _ = (await teams_by_id(session, {row.team_id})).get(row.team_id, ("", None))
    await audit.record(
        session,
        actor_id=row.user_id,
        action="team.request_withdrawn",
        subject=name or None,
        now=now,
        team_id=row.team_id,
    )
    return True


def _closed_error(kind: str, status: str) -> Conflict:
    if status == EXPIRED:
        return Conflict(f"teams.errors.{kind}_expired")
    if status == "full":
        return Conflict(f"teams.errors.{kind}_team_full")
    return Conflict(f"teams.errors.{kind}_closed")


async def _pending_invitation(
    session: AsyncSession,
    invitation_id: int,
    user_id: int,
    now: datetime,
    *,
    not_yours: str,
    team_gone: str,
) -> tuple[Invitation, Team]:
    """The invitation ``user_id`` may still answer, and its team; each refusal by its key."""
    invitation = await session.get(Invitation, invitation_id, populate_existing=True)
    if invitation is None:
        raise NotFound("teams.errors.invitation_not_found")
    if invitation.invitee_id != user_id:
        raise Forbidden(not_yours)
    if invitation.status != PENDING:
        raise _closed_error("invitation", invitation.status)
    if invitation.expires_at <= now:
        raise Conflict("teams.errors.invitation_expired")
    team = await load_team(session, invitation.team_id)
    if team is None:
        # Disbanded (with its invitations) after the invitation was read: on PostgreSQL a
        # disband can commit between the two reads.
        raise NotFound(team_gone)
    return invitation, team


async def answer_invitation(
    session: AsyncSession,
    rules: TeamRules,
    *,
    invitation_id: int,
    user_id: int,
    accept: bool,
    now: datetime,
) -> MembershipChange | None:
    """The invitee accepts (joins the team) or declines (returns ``None``).

    Refuses: ``invitation_not_found``, ``not_invitee``, ``invitation_expired``,
    ``invitation_team_full``, ``invitation_closed``; on accept also locked, ``team_full``,
    ``already_in_team``.
    """
    _, team = await _pending_invitation(
        session,
        invitation_id,
        user_id,
        now,
        not_yours="teams.errors.not_invitee",
        team_gone="teams.errors.team_gone_now",
    )
    if not accept:
        await _claim(session, Invitation, invitation_id, status=DECLINED, now=now)
        await audit.record(
            session,
            actor_id=user_id,
            action="team.invitation_declined",
            subject=team.name,
            now=now,
            team_id=team.id,
        )
        return None
    lock = await ensure_unlocked(session, rules, now, team)
    change = await add_member(
        session,
        rules,
        team,
        user_id,
        now,
        actor_id=user_id,
        action="team.invitation_accepted",
        keep_invitation=invitation_id,
        lock=lock,
    )
    await _claim(session, Invitation, invitation_id, status=ACCEPTED, now=now)
    return change


async def open_invitation(
    session: AsyncSession, rules: TeamRules, *, invitation_id: int, user_id: int, now: datetime
) -> InvitationView:
    """A pending invitation, read by its invitee (from a public notice: DMs closed).

    Refuses: ``invitation_not_found``, ``not_for_you`` (someone else pressed the notice's
    button: it says nothing about the invitation), ``invitation_expired``,
    ``invitation_team_full``, ``invitation_closed``.
    """
    invitation, team = await _pending_invitation(
        session,
        invitation_id,
        user_id,
        now,
        not_yours="teams.errors.not_for_you",
        team_gone="teams.errors.invitation_not_found",
    )
    return InvitationView(
        id=invitation.id,
        team=await view_of(session, team, rules, now),
        inviter_id=invitation.inviter_id,
        invitee_id=invitation.invitee_id,
        expires_at=invitation.expires_at,
    )


async def _claim(
    session: AsyncSession,
    model: type[Invitation] | type[JoinRequest],
    item_id: int,
    *,
    status: str,
    now: datetime,
    answered_by: int | None = None,
) -> None:
    """Answer a pending item exactly once; a concurrent answer makes this one refuse."""
    values: dict[str, object] = {"status": status, "answered_at": now}
    if model is JoinRequest:
        values["answered_by"] = answered_by
    result = await session.execute(
        update(model)
        .where(model.id == item_id, model.status == PENDING)
        .values(**values)
        .execution_options(**_NO_SYNC)
    )
    if rowcount(result) != 1:
        current: Invitation | JoinRequest | None = await session.get(
            model, item_id, populate_existing=True
        )
        kind = "invitation" if model is Invitation else "request"
        raise _closed_error(kind, current.status if current is not None else "cancelled")


async def join(
    session: AsyncSession, rules: TeamRules, *, user_id: int, team_name: str, now: datetime
) -> JoinResult:
    """Join an open team at once, or ask to join a team that is not open.

    Refuses: ``team_not_found``, locked, ``already_member`` / ``already_in_team``,
    ``team_full``, ``already_requested``, and the limit ``join_request_cooldown`` (a request to
    this team made recently, whatever became of it, unless it was withdrawn undelivered:
    :func:`withdraw_request`). A pending invitation from that team counts as accepted.
    """
    read = await _read_for_join(session, rules, user_id, team_name, now)
    team, state = read.row, read.extra
    refuse_if_locked(read.lock, team)
    if state.current_team_id is not None:
        key = "already_member" if state.current_team_id == team.id else "already_in_team"
        raise Conflict(f"teams.errors.{key}", team=state.current_team_name)
    if team.size >= rules.max_size:
        raise Conflict("teams.errors.team_full", team=team.name, count=rules.max_size)
    invitation_id = state.invitation_id
    if team.open or invitation_id is not None:
        # On SQLite the read ran under the write lock (BEGIN IMMEDIATE): nothing can become
        # pending before the closing updates, which are skipped when it found nothing. On
        # PostgreSQL an invitation committed since the read must still be closed: they run.
        serialized = session.get_bind().dialect.name == "sqlite"
        change = await add_member(
            session,
            rules,
            team,
            user_id,
            now,
            actor_id=user_id,
            action="team.joined",
            keep_invitation=invitation_id,
            lock=read.lock,
            members=read.members,
            lft=(state.lft_looking, state.lft_post),
            pending=(bool(state.user_pending), bool(state.team_pending)) if serialized else None,
        )
        if invitation_id is not None:
            accepted = await _accept_by_command(session, invitation_id, change.team, now)
            change = replace(change, closed=(*change.closed, accepted))
        return JoinResult(kind="joined", team=change.team, change=change)
    return await _request(session, rules, read, user_id, now)


def _join_select() -> Any:
    """What joining reads, in one statement: the team named ``p_name_key`` with the global lock
    and its members and, beside it, the member ``p_user``'s current team, the team's pending
    invitation for them (unexpired at ``p_now``), their looking-for-team profile, and whether
    anything is pending that joining would close (``user_pending``: an invitation or request of
    theirs; ``team_pending``: one of the team's, closed if the join fills it)."""
    current = TEAMS.alias("current_team")
    membership = MEMBERS.alias("membership")
    user: BindParameter[int] = bindparam("p_user")
    current_team = (
        select(current.c.id)
        .join(membership, membership.c.team_id == current.c.id)
        .where(membership.c.user_id == user)
        .correlate(None)
    )
    profile = select(PROFILES.c.looking).where(PROFILES.c.user_id == user).correlate(None)
    return teams_select(
        TEAMS.c.name_key == bindparam("p_name_key"),
        extra=(
            current_team.scalar_subquery().label("current_team_id"),
            current_team.with_only_columns(current.c.name)
            .scalar_subquery()
            .label("current_team_name"),
            select(INVITATIONS.c.id)
            .where(
                INVITATIONS.c.team_id == TEAMS.c.id,
                INVITATIONS.c.invitee_id == user,
                INVITATIONS.c.status == PENDING,
                INVITATIONS.c.expires_at > bindparam("p_now"),
            )
            .limit(1)
            .correlate(TEAMS)
            .scalar_subquery()
            .label("invitation_id"),
            profile.scalar_subquery().label("lft_looking"),
            profile.with_only_columns(PROFILES.c.post_id).scalar_subquery().label("lft_post"),
            or_(
                exists().where(INVITATIONS.c.invitee_id == user, INVITATIONS.c.status == PENDING),
                exists().where(REQUESTS.c.user_id == user, REQUESTS.c.status == PENDING),
            ).label("user_pending"),
            or_(
                exists().where(
                    INVITATIONS.c.team_id == TEAMS.c.id, INVITATIONS.c.status == PENDING
                ),
                exists().where(REQUESTS.c.team_id == TEAMS.c.id, REQUESTS.c.status == PENDING),
            ).label("team_pending"),
        ),
    )


_JOIN_SELECT = _join_select()


async def _read_for_join(
    session: AsyncSession, rules: TeamRules, user_id: int, team_name: str, now: datetime
) -> TeamRead:
    """The read of :func:`_join_select` for ``user_id`` and ``team_name``; ``NotFound`` when no
    team has that name."""
    found = await read_prepared(
        session,
        rules,
        now,
        _JOIN_SELECT,
        p_user=user_id,
        p_name_key=name_key(team_name),
        p_now=now,
    )
    if not found:
        raise NotFound("teams.errors.team_not_found", name=clean(team_name)[:100])
    return found[0]


async def _accept_by_command(
    session: AsyncSession, invitation_id: int, team: TeamView, now: datetime
) -> ClosedItem:
    """Answer "accepted" the invitation of a member who joined its team by command, exactly
    once; it comes back as the closed item whose message must close too (``team``: the team
    it was for, as the join left it)."""
    row = (
        await session.execute(
            update(INVITATIONS)
            .where(INVITATIONS.c.id == invitation_id, INVITATIONS.c.status == PENDING)
            .values(status=ACCEPTED, answered_at=now)
            .returning(
                INVITATIONS.c.invitee_id,
                INVITATIONS.c.channel_id,
                INVITATIONS.c.message_id,
                INVITATIONS.c.inviter_id,
            )
        )
    ).first()
    if row is None:  # answered meanwhile: refuse as its buttons would
        status = await session.scalar(
            select(INVITATIONS.c.status).where(INVITATIONS.c.id == invitation_id)
        )
        raise _closed_error("invitation", status or "cancelled")
    return ClosedItem(
        kind="invitation",
        id=invitation_id,
        team_id=team.id,
        user_id=row.invitee_id,
        channel_id=row.channel_id,
        message_id=row.message_id,
        status=ACCEPTED,
        team_name=team.name,
        inviter_id=row.inviter_id,
        captain_id=team.captain_id,
    )


async def closed_item(session: AsyncSession, kind: ItemKind, item_id: int) -> ClosedItem | None:
    """An invitation or join request as it stands after an answer (its status, who waits on
    it), to close its message and tell whoever waits; None when it is gone."""
    item: Invitation | JoinRequest | None
    if kind == "invitation":
        item = await session.get(Invitation, item_id, populate_existing=True)
    else:
        item = await session.get(JoinRequest, item_id, populate_existing=True)
    if item is None:
        return None
    name, captain = (await teams_by_id(session, {item.team_id})).get(item.team_id, ("", None))
    if isinstance(item, Invitation):
        member, inviter = item.invitee_id, item.inviter_id
    else:
        member, inviter = item.user_id, None
    return ClosedItem(
        kind=kind,
        id=item.id,
        team_id=item.team_id,
        user_id=member,
        channel_id=item.channel_id,
        message_id=item.message_id,
        status=item.status,
        team_name=name,
        inviter_id=inviter,
        captain_id=captain,
    )


async def _request(
    session: AsyncSession, rules: TeamRules, read: TeamRead, user_id: int, now: datetime
) -> JoinResult:
    """Ask to join ``read``'s team: one read of the member's requests to it (one pending and
    unexpired, one pending but expired, the last one made), then one insert."""
    team = read.row
    mine = (REQUESTS.c.team_id == team.id, REQUESTS.c.user_id == user_id)
    pending = select(REQUESTS.c.id).where(*mine, REQUESTS.c.status == PENDING).limit(1)
    columns: list[Any] = [
        pending.where(REQUESTS.c.expires_at > now).scalar_subquery().label("pending"),
        pending.where(REQUESTS.c.expires_at <= now).scalar_subquery().label("stale"),
    ]
    cooldown = rules.join_request_cooldown
    if cooldown > timedelta(0):
        columns.append(
            select(func.max(REQUESTS.c.created_at))
            .where(*mine, _NOT_WITHDRAWN)
            .scalar_subquery()
            .label("last")
        )
    found = (await session.execute(select(*columns))).one()
    if found.pending is not None:
        raise Conflict("teams.errors.already_requested", team=team.name)
    if found.stale is not None:
        await _expire_stale(session, JoinRequest, team.id, JoinRequest.user_id == user_id, now)
    if cooldown > timedelta(0):
        limits.refuse_request_cooling(team, found.last, cooldown=cooldown, now=now)
    # The partial unique index (one pending request per member and team): a concurrent twin
    # makes this insert nothing, and the transaction stays usable.
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    request_id = await session.scalar(
        insert(REQUESTS)
        .values(
            team_id=team.id,
            user_id=user_id,
            created_at=now,
            expires_at=now + rules.invitation_ttl,
            status=PENDING,
        )
        .on_conflict_do_nothing(
            index_elements=[REQUESTS.c.team_id, REQUESTS.c.user_id],
            index_where=REQUESTS.c.status == PENDING,
        )
        .returning(REQUESTS.c.id)
    )
    if request_id is None:
        raise Conflict("teams.errors.already_requested", team=team.name)
    await audit.record(
        session,
        actor_id=user_id,
        action="team.join_requested",
        subject=team.name,
        now=now,
        team_id=team.id,
    )
    return JoinResult(kind="requested", team=read.view, request_id=request_id)


async def answer_join_request(
    session: AsyncSession,
    rules: TeamRules,
    *,
    request_id: int,
    actor_id: int,
    accept: bool,
    now: datetime,
) -> MembershipChange | None:
    """The captain accepts (the member joins) or declines (returns ``None``) a join request.

    Refuses: ``request_not_found``, ``not_captain``, ``request_expired``,
    ``request_team_full``, ``request_closed``; on accept also locked, ``team_full_accept``,
    ``member_in_team``.
    """
    request = await session.get(JoinRequest, request_id, populate_existing=True)
    if request is None:
        raise NotFound("teams.errors.request_not_found")
    team = await load_team(session, request.team_id)
    if team is None:  # disbanded (with its requests) after the request was read
        raise NotFound("teams.errors.request_not_found")
    if team.captain_id != actor_id:
        raise Forbidden("teams.errors.not_captain", team=team.name)
    if request.status != PENDING:
        raise _closed_error("request", request.status)
    if request.expires_at <= now:
        raise Conflict("teams.errors.request_expired")
    if not accept:
        await _claim(
            session, JoinRequest, request_id, status=DECLINED, now=now, answered_by=actor_id
        )
        await audit.record(
            session,
            actor_id=actor_id,
            action="team.request_declined",
            subject=team.name,
            now=now,
            team_id=team.id,
            member_id=request.user_id,
        )
        return None
    lock = await ensure_unlocked(session, rules, now, team)
    change = await add_member(
        session,
        rules,
        team,
        request.user_id,
        now,
        actor_id=actor_id,
        action="team.request_accepted",
        by="captain",
        keep_request=request_id,
        lock=lock,
    )
    await _claim(session, JoinRequest, request_id, status=ACCEPTED, now=now, answered_by=actor_id)
    return change


async def expire_due(session: AsyncSession, *, now: datetime) -> list[ClosedItem]:
    """Mark every pending invitation and request whose time is up as expired (periodic job);
    each comes back with its cause ``expired``, to close its message and tell who waited."""
    expired: list[ClosedItem] = []
    for kind, model, user in (
        ("invitation", Invitation, Invitation.invitee_id),
        ("request", JoinRequest, JoinRequest.user_id),
    ):
        inviter = Invitation.inviter_id if model is Invitation else JoinRequest.user_id
        rows = await session.execute(
            update(model)  # type: ignore[arg-type]
            .where(model.status == PENDING, model.expires_at <= now)
            .values(status=EXPIRED, answered_at=now)
            .returning(model.id, model.team_id, user, model.channel_id, model.message_id, inviter)
            .execution_options(**_NO_SYNC)
        )
        found = list(rows)
        teams = await teams_by_id(session, {row[1] for row in found})
        for item_id, team_id, member, channel, message, by in found:
            name, captain = teams.get(team_id, ("", None))
            expired.append(
                ClosedItem(
                    kind,  # type: ignore[arg-type]
                    item_id,
                    team_id,
                    member,
                    channel,
                    message,
                    status=EXPIRED,
                    team_name=name,
                    inviter_id=by if kind == "invitation" else None,
                    captain_id=captain,
                    cause="expired",
                )
            )
    return sorted(expired, key=lambda item: (item.kind, item.id))


async def next_expiry(session: AsyncSession) -> datetime | None:
    """When the next pending invitation or request expires (to schedule the job)."""
    first_invitation = await session.scalar(
        select(func.min(Invitation.expires_at)).where(Invitation.status == PENDING)
    )
    first_request = await session.scalar(
        select(func.min(JoinRequest.expires_at)).where(JoinRequest.status == PENDING)
    )
    times = [t for t in (first_invitation, first_request) if t is not None]
    return min(times) if times else None


async def count_pending(session: AsyncSession) -> int:
    """Invitations and join requests waiting for an answer (work waiting, for `admin status`)."""
    invitations = await session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.status == PENDING)
    )
    requests = await session.scalar(
        select(func.count()).select_from(JoinRequest).where(JoinRequest.status == PENDING)
    )
    return int(invitations or 0) + int(requests or 0)
