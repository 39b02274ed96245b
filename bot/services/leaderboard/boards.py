"""What each board ranks, read from the database (and, for likes and evaluation, the Hub).

Places use competition ranking: entries equal on every ranking value share a place and the next
place skips (1, 2, 2, 4). Entries without a score yet (a model not evaluated) are listed after
the ranked ones, without a place. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import MemberProfile, Submission, Team, TeamMember
from bot.models.submissions import CHECK_PASSED
from bot.text import fold


@dataclass(frozen=True)
class Entry:
    """One line of a board. ``key`` is stable between posts (``team:12``, ``country:ES``);
    ``values`` are what it is ranked by, best first (None: pending)."""

    key: str
    name: str
    values: tuple[float, ...] | None
    detail: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Row:
    place: int | None  # None: pending, listed after the ranked entries
    entry: Entry


@dataclass(frozen=True)
class Board:
    kind: str
    rows: tuple[Row, ...]

    @property
    def ranked(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.place is not None)

    def places(self) -> dict[str, int]:
        return {row.entry.key: row.place for row in self.rows if row.place is not None}


def rank(kind: str, entries: Iterable[Entry]) -> Board:
    """Best first; ties share a place; pending entries last, by name."""
    scored = [e for e in entries if e.values is not None]
    pending = sorted((e for e in entries if e.values is None), key=lambda e: fold(e.name))
    scored.sort(key=lambda e: (tuple(-v for v in e.values or ()), fold(e.name), e.key))
    rows: list[Row] = []
    previous: tuple[float, ...] | None = None
    place = 0
    for index, entry in enumerate(scored, start=1):
        if entry.values != previous:
            place, previous = index, entry.values
        rows.append(Row(place, entry))
    rows.extend(Row(None, entry) for entry in pending)
    return Board(kind, tuple(rows))


def team_key(team_id: int) -> str:
    return f"team:{team_id}"


# -- what the database holds ------------------------------------------------------------------
@dataclass(frozen=True)
class TeamRepos:
    team_id: int
    name: str
    repos: tuple[tuple[str, str, str | None], ...]  # (kind, repo_id, sha), current only
    checks: tuple[dict[str, str], ...]


async def teams_with_submissions(session: AsyncSession, *, all_teams: bool) -> list[TeamRepos]:
    """Every team with its current submissions (``all_teams``: teams without any too)."""
    teams = (await session.execute(select(Team.id, Team.name).order_by(Team.id))).all()
    subs = (
        await session.execute(
            select(Submission.team_id, Submission.kind, Submission.repo_id, Submission.sha)
            .add_columns(Submission.checks)
            .where(Submission.is_current)
            .order_by(Submission.team_id, Submission.kind)
        )
    ).all()
    by_team: dict[int, list[Any]] = {}
    for sub in subs:
        by_team.setdefault(sub.team_id, []).append(sub)
    result = []
    for team_id, name in teams:
        rows = by_team.get(team_id, [])
        if not rows and not all_teams:
            continue
        result.append(
            TeamRepos(
                team_id=team_id,
                name=name,
                repos=tuple((r.kind, r.repo_id, r.sha) for r in rows),
                checks=tuple(dict(r.checks or {}) for r in rows),
            )
        )
    return result


def progress_board(teams: Sequence[TeamRepos]) -> Board:
    """Teams by the share of their checklist that passes (then by checks passed)."""
    entries = []
    for team in teams:
        total = sum(len(checks) for checks in team.checks)
        passed = sum(
            1 for checks in team.checks for outcome in checks.values() if outcome == CHECK_PASSED
        )
        share = passed / total if total else 0.0
        entries.append(
            Entry(
                team_key(team.team_id),
                team.name,
                (round(share, 6), float(passed)),
                {"passed": passed, "total": total, "share": share},
            )
        )
    return rank("progress", entries)


@dataclass(frozen=True)
class RepoStats:
    likes: int
    downloads: int


def likes_board(teams: Sequence[TeamRepos], stats: dict[tuple[str, str], RepoStats]) -> Board:
    """Teams by the likes of their submitted repos, downloads breaking ties."""
    entries = []
    for team in teams:
        found = [stats.get((kind, repo)) for kind, repo, _ in team.repos]
        likes = sum(s.likes for s in found if s is not None)
        downloads = sum(s.downloads for s in found if s is not None)
        entries.append(
            Entry(
                team_key(team.team_id),
                team.name,
                (float(likes), float(downloads)),
                {"likes": likes, "downloads": downloads, "repos": len(team.repos)},
            )
        )
    return rank("likes", entries)


def evaluation_board(teams: Sequence[TeamRepos], scores: dict[str, float | None]) -> Board:
    """Each team's submitted model by its average task score; not evaluated yet: pending."""
    entries = []
    for team in teams:
        for kind, repo, _sha in team.repos:
            if kind != "model":
                continue
            score = scores.get(repo)
            entries.append(
                Entry(
                    team_key(team.team_id),
                    team.name,
                    None if score is None else (round(score, 6),),
                    {"model": repo, "score": score},
                )
            )
    return rank("evaluation", entries)


async def countries_board(session: AsyncSession) -> Board:
    """Countries by participants who said they live there, then by teams with one of them."""
    members = (
        await session.execute(
            select(MemberProfile.country, func.count())
            .where(MemberProfile.country.is_not(None))
            .group_by(MemberProfile.country)
        )
    ).all()
    teams = (
        await session.execute(
            select(MemberProfile.country, func.count(func.distinct(TeamMember.team_id)))
            .join(TeamMember, TeamMember.user_id == MemberProfile.user_id)
            .where(MemberProfile.country.is_not(None))
            .group_by(MemberProfile.country)
        )
    ).all()
    team_counts = {country: count for country, count in teams}
    entries = [
        Entry(
            f"country:{country}",
            str(country).upper(),
            (float(count), float(team_counts.get(country, 0))),
            {"participants": int(count), "teams": int(team_counts.get(country, 0))},
        )
        for country, count in members
    ]
    return rank("countries", entries)
