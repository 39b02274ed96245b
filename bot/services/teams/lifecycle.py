"""Creating, describing, renaming, handing over and disbanding teams."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, Forbidden, InvalidInput, NotFound
from bot.models.ops import AuditEntry
from bot.models.teams import CANCELLED, Team
from bot.services import audit
from bot.services.teams import limits
from bot.services.teams.guards import captain_team, ensure_unlocked, refuse_if_locked
from bot.services.teams.membership import close_pending, retire_read_profile
from bot.services.teams.names import name_key, validate_team_name
from bot.services.teams.queries import (
    CONTROL,
    CONTROL_COLUMNS,
    CONTROL_ID,
    MEMBERS,
    PROFILES,
    TEAM_COLUMNS,
    TEAMS,
    TeamRow,
    build_view,
    load_team,
    lock_of,
    member_team_id,
    team_row_by_name,
    team_row_of,
    view_of,
)
from bot.services.teams.views import (
    DisbandResult,
    LockState,
    MembershipChange,
    RenameResult,
    TeamRules,
    TeamView,
)
from bot.text import clean, has_mention_or_link

_AUDIT = cast(Table, AuditEntry.__table__)
DESCRIPTION_MAX_LENGTH = 1000
TAGS_MAX = 10
TAG_MAX_LENGTH = 30


async def _name_taken(session: AsyncSession, key: str, except_team: int | None = None) -> bool:
    query = select(Team.id).where(Team.name_key == key)
    if except_team is not None:
        query = query.where(Team.id != except_team)
    return await session.scalar(query) is not None


def clean_description(raw: str | None) -> str | None:
    """The description as stored (multiline, invisible characters removed), or ``None``."""
    if raw is None:
        return None
    text = clean(raw, multiline=True)
    if len(text) > DESCRIPTION_MAX_LENGTH:
        raise InvalidInput("teams.errors.description_too_long", count=DESCRIPTION_MAX_LENGTH)
    return text or None


def clean_tags(raw: Sequence[str], *, error_prefix: str = "teams.errors.skills") -> list[str]:
    """Skills or languages as stored: cleaned, deduplicated (folded), length-limited."""
    from bot.text import fold

    tags: list[str] = []
    seen: set[str] = set()
    for item in raw:
        tag = clean(item)
        if not tag or fold(tag) in seen:
            continue
        if has_mention_or_link(tag) or "@" in tag:
            raise InvalidInput(f"{error_prefix}_mention")
        if len(tag) > TAG_MAX_LENGTH:
            raise InvalidInput(f"{error_prefix}_too_long", count=TAG_MAX_LENGTH)
        seen.add(fold(tag))
        tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise InvalidInput(f"{error_prefix}_too_many", count=TAGS_MAX)
    return tags


@dataclass(frozen=True)
class _CreateCheck:
    """What creating a team read: the display name and key, the lock, the captain's
    looking-for-team profile (``looking``, ``post_id``)."""

    display: str
    key: str
    lock: LockState
    lft: tuple[bool | None, int | None]


async def _check_create(
    session: AsyncSession, rules: TeamRules, *, captain_id: int, name: str, now: datetime
) -> _CreateCheck:
    """Every check of a creation from one statement (scalar subqueries, no table scanned
    twice), refusing in the documented order."""
    try:
        display, key = validate_team_name(name, rules)
        invalid: InvalidInput | None = None
    except InvalidInput as exc:
        display, key, invalid = name, name_key(name), exc
    control = select(CONTROL).where(CONTROL.c.id == CONTROL_ID).correlate(None)
    profile = select(PROFILES).where(PROFILES.c.user_id == captain_id).correlate(None)
    columns: list[Any] = [
        control.with_only_columns(column).scalar_subquery().label(column.key)
        for column in CONTROL_COLUMNS
    ]
    columns += [
        select(TEAMS.c.name)
        .where(TEAMS.c.id == member_team_id(captain_id).scalar_subquery())
        .correlate(None)
        .scalar_subquery()
        .label("current_team_name"),
        select(TEAMS.c.id).where(TEAMS.c.name_key == key).scalar_subquery().label("taken"),
        profile.with_only_columns(PROFILES.c.looking).scalar_subquery().label("lft_looking"),
        profile.with_only_columns(PROFILES.c.post_id).scalar_subquery().label("lft_post"),
    ]
    if rules.create_cooldown > timedelta(0):
        columns.append(
            select(func.max(_AUDIT.c.at))
            .where(_AUDIT.c.action == "team.created", _AUDIT.c.actor_id == captain_id)
            .scalar_subquery()
            .label("last_created")
        )
    found = (await session.execute(select(*columns))).one()
    lock = lock_of(found, rules, now)
    refuse_if_locked(lock)
    if found.current_team_name is not None:
        raise Conflict("teams.errors.already_in_team", team=found.current_team_name)
    if invalid is not None:
        raise invalid
    if rules.create_cooldown > timedelta(0):
        limits.refuse_if_cooling(
            found.last_created,
            limit="create_cooldown",
            key="teams.errors.create_cooldown",
            cooldown=rules.create_cooldown,
            now=now,
        )
    if found.taken is not None:
        raise Conflict("teams.errors.name_taken", name=display)
    return _CreateCheck(display, key, lock, (found.lft_looking, found.lft_post))


async def check_can_create(
    session: AsyncSession, rules: TeamRules, *, captain_id: int, name: str, now: datetime
) -> str:
    """Read-only pre-check before the Discord thread exists; returns the display name.

    Refuses: locked, ``already_in_team``, invalid name, ``name_taken``, and the limit
    ``create_cooldown`` (the member created a team recently: no create/disband loops).
    """
    checked = await _check_create(session, rules, captain_id=captain_id, name=name, now=now)
    return checked.display


async def create_team(
    session: AsyncSession,
    rules: TeamRules,
    *,
    captain_id: int,
    name: str,
    description: str | None,
    open: bool,
    now: datetime,
    thread_id: int | None = None,
    forum_post_id: int | None = None,
    languages: Sequence[str] = (),
    looking_for: Sequence[str] = (),
) -> MembershipChange:
    """Create a team with ``captain_id`` as captain and only member.

    Same refusals as :func:`check_can_create`; a concurrent creation of the same name or by
    the same captain loses cleanly with ``name_taken`` / ``already_in_team`` (the unique name
    key and member id: an insert that would break them inserts nothing). The captain's other
    pending invitations and requests are cancelled and their LFT profile retired.
    """
    checked = await _check_create(session, rules, captain_id=captain_id, name=name, now=now)
    display = checked.display
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    created = (
        await session.execute(
            insert(TEAMS)
            .values(
                name=display,
                name_key=checked.key,
                description=clean_description(description),
                captain_id=captain_id,
                open=open,
                size=1,
                locked=False,
                languages=clean_tags(languages, error_prefix="teams.errors.languages"),
                looking_for=clean_tags(looking_for, error_prefix="teams.errors.skills"),
                thread_id=thread_id,
                forum_post_id=forum_post_id,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=[TEAMS.c.name_key])
            .returning(*TEAM_COLUMNS)
        )
    ).first()
    if created is None:
        raise Conflict("teams.errors.name_taken", name=display)
    team = TeamRow.of(created)
    membership = await session.scalar(
        insert(MEMBERS)
        .values(user_id=captain_id, team_id=team.id, joined_at=now)
        .on_conflict_do_nothing(index_elements=[MEMBERS.c.user_id])
        .returning(MEMBERS.c.id)
    )
    if membership is None:
        current = await team_row_of(session, captain_id)
        raise Conflict("teams.errors.already_in_team", team=current.name if current else display)
    closed = await close_pending(
        session, status=CANCELLED, now=now, cause="joined_elsewhere", user_id=captain_id
    )
    post_id = await retire_read_profile(session, captain_id, now, *checked.lft)
    await audit.record(
        session,
        actor_id=captain_id,
        action="team.created",
        subject=display,
        now=now,
        team_id=team.id,
        open=open,
    )
    return MembershipChange(
        team=build_view(team, (captain_id,), rules, checked.lock.locked),
        added=captain_id,
        closed=tuple(closed),
        lft_post_removed=post_id,
    )


async def set_discord_refs(
    session: AsyncSession,
    team_id: int,
    *,
    thread_id: int | None = None,
    forum_post_id: int | None = None,
) -> None:
    """Record the team's private thread and forum post (``None`` leaves a value unchanged)."""
    team = await load_team(session, team_id)
    if team is None:
        raise NotFound("teams.errors.team_id_not_found")
    if thread_id is not None:
        team.thread_id = thread_id
    if forum_post_id is not None:
        team.forum_post_id = forum_post_id
    await session.flush()


async def update_team_profile(
    session: AsyncSession,
    rules: TeamRules,
    *,
    actor_id: int,
    now: datetime,
    description: str | None = None,
    open: bool | None = None,
    languages: Sequence[str] | None = None,
    looking_for: Sequence[str] | None = None,
) -> TeamView:
    """The captain changes what the team says about itself (``None`` keeps a value)."""
    team = await captain_team(session, actor_id)
    await ensure_unlocked(session, rules, now, team)
    if description is not None:
        team.description = clean_description(description)
    if open is not None:
        team.open = open
    if languages is not None:
        team.languages = clean_tags(languages, error_prefix="teams.errors.languages")
    if looking_for is not None:
        team.looking_for = clean_tags(looking_for, error_prefix="teams.errors.skills")
    team.updated_at = now
    await session.flush()
    await audit.record(
        session,
        actor_id=actor_id,
        action="team.profile_updated",
        subject=team.name,
        now=now,
        team_id=team.id,
    )
    return await view_of(session, team, rules, now)


async def rename(
    session: AsyncSession, rules: TeamRules, *, actor_id: int, name: str, now: datetime
) -> RenameResult:
    """The captain renames the team. Refuses: locked, invalid, ``same_name``, ``name_taken``."""
    team = await captain_team(session, actor_id)
    await ensure_unlocked(session, rules, now, team)
    display, key = validate_team_name(name, rules)
    if display == team.name:
        raise Conflict("teams.errors.same_name", name=display)
    if await _name_taken(session, key, except_team=team.id):
        raise Conflict("teams.errors.name_taken", name=display)
    old_name = team.name
    try:
        async with session.begin_nested():
            team.name, team.name_key, team.updated_at = display, key, now
            await session.flush()
    except IntegrityError:
        raise Conflict("teams.errors.name_taken", name=display) from None
    await audit.record(
        session,
        actor_id=actor_id,
        action="team.renamed",
        subject=display,
        now=now,
        team_id=team.id,
        old_name=old_name,
    )
    return RenameResult(team=await view_of(session, team, rules, now), old_name=old_name)


async def transfer(
    session: AsyncSession, rules: TeamRules, *, actor_id: int, member_id: int, now: datetime
) -> TeamView:
    """The captain hands the captaincy to another member of the team."""
    team = await captain_team(session, actor_id)
    await ensure_unlocked(session, rules, now, team)
    if member_id == actor_id:
        raise Conflict("teams.errors.already_captain")
    target = await team_row_of(session, member_id)
    if target is None or target.id != team.id:
        raise NotFound("teams.errors.member_not_in_team", team=team.name)
    team.captain_id = member_id
    team.updated_at = now
    await session.flush()
    await audit.record(
        session,
        actor_id=actor_id,
        action="team.transferred",
        subject=team.name,
        now=now,
        team_id=team.id,
        new_captain=member_id,
    )
    return await view_of(session, team, rules, now)


async def check_can_disband(
    session: AsyncSession, rules: TeamRules, *, actor_id: int, now: datetime
) -> TeamView:
    """Read-only check before the captain is asked to confirm: the team they would disband.
    Refuses: ``not_in_team``, ``not_captain``, locked."""
    team = await captain_team(session, actor_id)
    await ensure_unlocked(session, rules, now, team)
    return await view_of(session, team, rules, now)


def created_stamp(team: TeamView | Team) -> int:
    """The team's creation time in whole seconds: with its id, it tells a team from a later
    one that reused the id (SQLite reuses the highest id once deleted)."""
    return int(team.created_at.timestamp())


async def disband(
    session: AsyncSession,
    rules: TeamRules,
    *,
    actor_id: int,
    now: datetime,
    by_organizer: bool = False,
    team_name: str | None = None,
    team_id: int | None = None,
    created: int | None = None,
) -> DisbandResult:
    """Disband a team: the captain's own (refused when locked), or, by an organizer, the team
    named ``team_name`` whatever the lock (logged in the audit).

    A captain confirming an earlier question names the team it was about (``team_id`` and its
    ``created`` stamp): refused with ``disband_gone`` when that team no longer exists, and with
    ``disband_not_captain`` when they no longer captain it."""
    if by_organizer:
        if team_name is None:
            raise InvalidInput("teams.errors.team_name_required")
        team = await team_row_by_name(session, team_name)
    elif team_id is not None:
        found = await load_team(session, team_id)
        if found is None or (created is not None and created_stamp(found) != created):
            raise NotFound("teams.errors.disband_gone")
        if found.captain_id != actor_id:
            raise Forbidden("teams.errors.disband_not_captain", team=found.name)
        team = found
        await ensure_unlocked(session, rules, now, team)
    else:
        team = await captain_team(session, actor_id)
        await ensure_unlocked(session, rules, now, team)
    snapshot = await view_of(session, team, rules, now)
    closed = await close_pending(
        session, status=CANCELLED, now=now, cause="disbanded", team_id=team.id
    )
    await session.execute(
        delete(Team).where(Team.id == team.id).execution_options(synchronize_session=False)
    )
    session.expunge(team)
    await audit.record(
        session,
        actor_id=actor_id,
        action="organizer.team_disbanded" if by_organizer else "team.disbanded",
        subject=team.name,
        now=now,
        team_id=team.id,
        member_ids=list(snapshot.member_ids),
    )
    return DisbandResult(
        team=snapshot,
        member_ids=snapshot.member_ids,
        closed=tuple(closed),
        by_organizer=by_organizer,
    )
