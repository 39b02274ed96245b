"""Rows the leaderboards read, inserted directly: teams (any name, even one the team commands
would refuse), their current submissions with a checklist, and member countries. The features
that fill these tables in production are tested on their own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.models import MemberProfile, Submission, Team, TeamMember

WHEN = datetime(2024, 3, 20, 9, 0, tzinfo=UTC)


def add_team(
    session: AsyncSession,
    later: list[object],
    team_id: int,
    name: str,
    *,
    members: Sequence[int] = (),
    repos: Mapping[str, str] | None = None,
    checks: Mapping[str, str] | None = None,
) -> None:
    """A team with ``members`` (the first is captain) and a current submission per
    ``kind -> repo_id``, the first one carrying ``checks``. Members and submissions go to
    ``later``: they are added after the teams are flushed (no ORM relationship orders them)."""
    captain = members[0] if members else 10_000 + team_id
    session.add(
        Team(
            id=team_id,
            name=name,
            name_key=f"key-{team_id}",
            captain_id=captain,
            open=True,
            size=len(members),
            locked=False,
            languages=[],
            looking_for=[],
            created_at=WHEN,
            updated_at=WHEN,
        )
    )
    for user_id in members:
        later.append(TeamMember(user_id=user_id, team_id=team_id, joined_at=WHEN))
    for index, (kind, repo) in enumerate((repos or {}).items()):
        later.append(
            Submission(
                team_id=team_id,
                kind=kind,
                repo_id=repo,
                sha="0" * 40,
                status="passed",
                checks=dict(checks or {}) if index == 0 else {},
                details={},
                submitted_by=captain,
                submitted_at=WHEN,
                is_current=True,
            )
        )


def add_profile(session: AsyncSession, user_id: int, country: str | None) -> None:
    session.add(MemberProfile(user_id=user_id, country=country, hub_user=None, updated_at=WHEN))


async def insert(db: Database, *teams: tuple[int, str, dict[str, object]]) -> None:
    """``insert(db, (1, "Los Tigres", {"repos": {...}, "checks": {...}}), ...)``."""
    async with db.transaction() as session:
        later: list[object] = []
        for team_id, name, options in teams:
            add_team(session, later, team_id, name, **options)  # type: ignore[arg-type]
        await session.flush()
        session.add_all(later)


async def many_teams(db: Database, count: int, *, repo_prefix: str | None = None) -> None:
    """``count`` teams named ``Equipo 0001``..., each with a model whose checks pass more the
    lower its number, so ranks are spread and tied in places."""
    async with db.transaction() as session:
        later: list[object] = []
        for n in range(1, count + 1):
            passed = n % 7
            checks = {f"c{i}": "passed" if i < passed else "failed" for i in range(6)}
            repos = {"model": f"{repo_prefix or 'org'}/model-{n:04d}"}
            add_team(session, later, n, f"Equipo {n:04d}", repos=repos, checks=checks)
        await session.flush()
        session.add_all(later)
