"""Reading and writing submissions. Functions take the caller's session (they flush, never
commit) and plain values; the Hub is never called from here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Forbidden, NotFound
from bot.models import KeyValue
from bot.models.submissions import KINDS, PENDING, Submission, SubmissionNudge
from bot.models.teams import Team, TeamMember
from bot.services.submissions.checks import Checklist
from bot.services.submissions.refs import RepoRef
from bot.services.teams.names import name_key

TOKEN_ALERT_KEY = "submissions.token_alert_at"
TOKEN_ALERT_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class TeamRef:
    id: int
    name: str
    thread_id: int | None
    member_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class SubmissionView:
    id: int
    team_id: int
    kind: str
    repo_id: str
    revision: str | None
    sha: str | None
    committed_at: datetime | None
    status: str
    checks: dict[str, str]
    details: dict[str, Any]
    submitted_by: int
    submitted_at: datetime
    verified_at: datetime | None
    is_current: bool
    attempts: int = 0
    late_sha: str | None = None

    @property
    def failed_checks(self) -> list[str]:
        return [c for c, outcome in self.checks.items() if outcome == "failed"]

    @property
    def ref(self) -> RepoRef:
        return RepoRef(self.kind, self.repo_id, self.revision)


@dataclass(frozen=True)
class Verified:
    """What a verification found, ready to store: the pinned commit and the checklist."""

    sha: str | None
    committed_at: datetime | None
    checklist: Checklist


@dataclass(frozen=True)
class ExportRow:
    team: str
    member_ids: tuple[int, ...]
    submission: SubmissionView


@dataclass(frozen=True)
class TeamItems:
    """A team's current deliverables by kind (absent kinds: not submitted)."""

    team: TeamRef
    current: dict[str, SubmissionView] = field(default_factory=dict)


# Statements of /submit built once: building and keying a statement costs more CPU than
# running it.
_SUBMISSIONS: Final = cast(Table, Submission.__table__)
_TEAM_AND_CURRENT: Final = (
    select(Team.id, Team.name, Team.thread_id, Submission)
    .select_from(TeamMember)
    .join(Team, Team.id == TeamMember.team_id)
    .outerjoin(Submission, (Submission.team_id == Team.id) & Submission.is_current)
    .where(TeamMember.user_id == bindparam("user_id"))
)
_LOCK_TEAM: Final = select(Team.id).where(Team.id == bindparam("team_id")).with_for_update()
_RETIRE: Final = (
    update(_SUBMISSIONS)
    .where(
        _SUBMISSIONS.c.team_id == bindparam("retire_team"),
        _SUBMISSIONS.c.kind == bindparam("retire_kind"),
        _SUBMISSIONS.c.is_current,
    )
    .values(is_current=False)
)
_INSERT: Final = insert(_SUBMISSIONS).returning(_SUBMISSIONS.c.id)


def view_of(row: Submission) -> SubmissionView:
    return SubmissionView(
        id=row.id,
        team_id=row.team_id,
        kind=row.kind,
        repo_id=row.repo_id,
        revision=row.revision,
        sha=row.sha,
        committed_at=row.committed_at,
        status=row.status,
        checks=dict(row.checks or {}),
        details=dict(row.details or {}),
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
        verified_at=row.verified_at,
        is_current=row.is_current,
        attempts=row.attempts,
        late_sha=row.late_sha,
    )


async def _members(session: AsyncSession, team_ids: list[int]) -> dict[int, tuple[int, ...]]:
    rows = await session.execute(
        select(TeamMember.team_id, TeamMember.user_id)
        .where(TeamMember.team_id.in_(team_ids))
        .order_by(TeamMember.joined_at, TeamMember.id)
    )
    found: dict[int, list[int]] = {}
    for team_id, user_id in rows:
        found.setdefault(team_id, []).append(user_id)
    return {k: tuple(v) for k, v in found.items()}


async def team_of_member(session: AsyncSession, user_id: int) -> TeamRef:
    """The team of ``user_id``, or ``Forbidden("submissions.errors.not_in_team")``."""
    team = await session.scalar(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user_id)
    )
    if team is None:
        raise Forbidden("submissions.errors.not_in_team")
    members = await _members(session, [team.id])
    return TeamRef(team.id, team.name, team.thread_id, members.get(team.id, ()))


async def team_by_name(session: AsyncSession, name: str) -> TeamRef:
    team = await session.scalar(select(Team).where(Team.name_key == name_key(name)))
    if team is None:
        raise NotFound("submissions.errors.team_not_found", name=name)
    members = await _members(session, [team.id])
    return TeamRef(team.id, team.name, team.thread_id, members.get(team.id, ()))


async def team_and_current(
    session: AsyncSession, user_id: int
) -> tuple[TeamRef, dict[str, SubmissionView]]:
    """The member's team (without its members) and its current deliverables by kind, in one
    query; ``Forbidden("submissions.errors.not_in_team")`` when the member is in no team."""
    rows = (await session.execute(_TEAM_AND_CURRENT, {"user_id": user_id})).all()
    if not rows:
        raise Forbidden("submissions.errors.not_in_team")
    team_id, name, thread_id, _ = rows[0]
    found = {row.kind: view_of(row) for *_, row in rows if row is not None}
    return TeamRef(team_id, name, thread_id), {k: found[k] for k in KINDS if k in found}


async def current_of(session: AsyncSession, team_id: int) -> dict[str, SubmissionView]:
    rows = await session.scalars(
        select(Submission).where(Submission.team_id == team_id, Submission.is_current)
    )
    found = {row.kind: view_of(row) for row in rows}
    return {kind: found[kind] for kind in KINDS if kind in found}


async def record(
    session: AsyncSession,
    *,
    team_id: int,
    user_id: int,
    ref: RepoRef,
    verified: Verified | None,
    now: datetime,
    retry_at: datetime | None,
    retire: bool = True,
) -> SubmissionView:
    """Store a submission as the team's current one of its kind (the previous stays, not
    current). ``verified`` None: the Hub could not answer, the row is pending until
    ``retry_at``. Two submissions of one team queue: on PostgreSQL the team row is locked
    first; on SQLite the writing transaction (``BEGIN IMMEDIATE``) already excludes every other
    writer, so the lock would be one more statement for nothing.

    ``retire`` False skips retiring the current one of the kind, for a caller that read there
    was none: when one was stored since, the unique index of current deliverables refuses the
    INSERT (``IntegrityError``, the transaction is lost) and the caller writes again with
    ``retire``."""
    if session.get_bind().dialect.name != "sqlite":
        await session.execute(_LOCK_TEAM, {"team_id": team_id})
    if retire:
        await session.execute(_RETIRE, {"retire_team": team_id, "retire_kind": ref.kind})
    values: dict[str, Any] = {
        "team_id": team_id,
        "kind": ref.kind,
        "repo_id": ref.repo_id,
        "revision": ref.revision,
        "submitted_by": user_id,
        "submitted_at": now,
        "is_current": True,
        "attempts": 0,
        "late_sha": None,
        **_outcome(verified, now, retry_at),
    }
    new_id = (await session.execute(_INSERT, values)).scalar_one()
    values.pop("retry_at")
    return SubmissionView(id=new_id, **values)


def _outcome(verified: Verified | None, now: datetime, retry_at: datetime | None) -> dict[str, Any]:
    """The columns a verification sets (``_apply`` on a loaded row)."""
    if verified is None:
        return {
            "sha": None,
            "committed_at": None,
            "status": PENDING,
            "checks": {},
            "details": {},
            "verified_at": None,
            "retry_at": retry_at,
        }
    return {
        "sha": verified.sha,
        "committed_at": verified.committed_at,
        "status": verified.checklist.status,
        "checks": dict(verified.checklist.checks),
        "details": dict(verified.checklist.details),
        "verified_at": now,
        "retry_at": None,
    }


def _apply(
    row: Submission, verified: Verified | None, now: datetime, retry_at: datetime | None
) -> None:
    if verified is None:
        row.status = PENDING
        row.retry_at = retry_at
        return
    row.sha = verified.sha
    row.committed_at = verified.committed_at
    row.status = verified.checklist.status
    row.checks = dict(verified.checklist.checks)
    row.details = dict(verified.checklist.details)
    row.verified_at = now
    row.retry_at = None


async def store_result(
    session: AsyncSession,
    submission_id: int,
    verified: Verified,
    now: datetime,
    *,
    to_post: bool = False,
) -> SubmissionView | None:
    """Store a new verification of a submission still current (None when it was replaced).
    ``to_post``: the retry job posts this result in the team's thread (``results_to_post``)."""
    row = await session.get(Submission, submission_id, with_for_update=True)
    if row is None or not row.is_current:
        return None
    _apply(row, verified, now, None)
    if to_post:
        row.result_due = True
    await session.flush()
    return view_of(row)


async def results_to_post(session: AsyncSession) -> list[tuple[SubmissionView, int | None]]:
    """Retry results written and not yet posted, with the thread to post each in (None: none,
    or the submission was replaced since)."""
    rows = await session.execute(
        select(Submission, Team.thread_id)
        .join(Team, Team.id == Submission.team_id)
        .where(Submission.result_due)
        .order_by(Submission.id)
    )
    return [(view_of(row), thread if row.is_current else None) for row, thread in rows.all()]


async def result_posted(session: AsyncSession, submission_id: int) -> None:
    await session.execute(
        update(Submission).where(Submission.id == submission_id).values(result_due=False)
    )


async def has_results_to_post(session: AsyncSession) -> bool:
    found = await session.scalar(select(Submission.id).where(Submission.result_due).limit(1))
    return found is not None


async def postpone(
    session: AsyncSession, submission_id: int, retry_at: datetime
) -> SubmissionView | None:
    """A pending submission's retry failed again: try at ``retry_at``."""
    row = await session.get(Submission, submission_id, with_for_update=True)
    if row is None or not row.is_current or row.status != PENDING:
        return None
    row.attempts += 1
    row.retry_at = retry_at
    await session.flush()
    return view_of(row)


async def claim_late(session: AsyncSession, submission_id: int, late_sha: str) -> bool:
    """Remember that organizers were told about ``late_sha``; False when they already were."""
    result = await session.execute(
        update(Submission)
        .where(
            Submission.id == submission_id,
            (Submission.late_sha.is_(None)) | (Submission.late_sha != late_sha),
        )
        .values(late_sha=late_sha)
    )
    return bool(getattr(result, "rowcount", 0))


async def pending_due(
    session: AsyncSession, now: datetime, limit: int = 50
) -> list[SubmissionView]:
    rows = await session.scalars(
        select(Submission)
        .where(Submission.is_current, Submission.status == PENDING, Submission.retry_at <= now)
        .order_by(Submission.retry_at, Submission.id)
        .limit(limit)
    )
    return [view_of(row) for row in rows]


async def next_retry(session: AsyncSession) -> datetime | None:
    return await session.scalar(
        select(func.min(Submission.retry_at)).where(
            Submission.is_current, Submission.status == PENDING
        )
    )


async def count_pending(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.is_current, Submission.status == PENDING)
        )
        or 0
    )


async def all_current(
    session: AsyncSession, team_id: int | None = None, *, verified_only: bool = True
) -> list[SubmissionView]:
    query = select(Submission).where(Submission.is_current)
    if team_id is not None:
        query = query.where(Submission.team_id == team_id)
    if verified_only:
        query = query.where(Submission.status != PENDING)
    rows = await session.scalars(query.order_by(Submission.team_id, Submission.id))
    return [view_of(row) for row in rows]


async def teams_with_items(session: AsyncSession) -> list[TeamItems]:
    """Every team, with its current deliverables."""
    teams = list(await session.scalars(select(Team).order_by(Team.id)))
    members = await _members(session, [t.id for t in teams])
    current: dict[int, dict[str, SubmissionView]] = {}
    for row in await session.scalars(select(Submission).where(Submission.is_current)):
        current.setdefault(row.team_id, {})[row.kind] = view_of(row)
    return [
        TeamItems(
            TeamRef(t.id, t.name, t.thread_id, members.get(t.id, ())),
            {k: current[t.id][k] for k in KINDS if k in current.get(t.id, {})},
        )
        for t in teams
    ]


async def export_rows(session: AsyncSession) -> list[ExportRow]:
    """Every current submission with its team, for the jury's CSV (team name order)."""
    rows = await session.execute(
        select(Submission, Team.name)
        .join(Team, Team.id == Submission.team_id)
        .where(Submission.is_current)
        .order_by(Team.name_key, Submission.kind)
    )
    pairs = [(row, name) for row, name in rows]
    members = await _members(session, sorted({row.team_id for row, _ in pairs}))
    return [ExportRow(name, members.get(row.team_id, ()), view_of(row)) for row, name in pairs]


async def claim_nudge(session: AsyncSession, team_id: int, stage: str, now: datetime) -> bool:
    """Record the ``stage`` nudge of a team; False when it was sent already."""
    found = await session.scalar(
        select(SubmissionNudge.id).where(
            SubmissionNudge.team_id == team_id, SubmissionNudge.stage == stage
        )
    )
    if found is not None:
        return False
    session.add(SubmissionNudge(team_id=team_id, stage=stage, sent_at=now))
    await session.flush()
    return True


async def nudged(session: AsyncSession, stage: str) -> set[int]:
    return set(
        await session.scalars(select(SubmissionNudge.team_id).where(SubmissionNudge.stage == stage))
    )


async def claim_token_alert(session: AsyncSession, now: datetime) -> bool:
    """At most one "the Hub token was rejected" alert to organizers per hour."""
    row = await session.get(KeyValue, TOKEN_ALERT_KEY, with_for_update=True)
    if row is not None and datetime.fromisoformat(row.value) + TOKEN_ALERT_EVERY > now:
        return False
    if row is None:
        session.add(KeyValue(key=TOKEN_ALERT_KEY, value=now.isoformat()))
    else:
        row.value = now.isoformat()
    await session.flush()
    return True
