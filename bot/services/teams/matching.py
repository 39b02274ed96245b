"""Matching members looking for a team with teams looking for people.

Deterministic and explainable. A candidate scores against a team's context (the skills,
languages and time zones of its members' profiles, plus what the team says it looks for):

- each candidate skill the team lists as wanted and lacks: +4; any other skill the team
  lacks: +2; a skill the team already has: +0.25;
- a shared language: +2. When both sides name languages and share none, the candidate is
  not proposed at all;
- time zones: up to +1.5, falling linearly to 0 at a 12-hour gap to the nearest member;
- for a member, an open team (joinable without approval): +0.5.

Ties go to the earlier profile (for a captain) or the older team (for a member).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, NotFound
from bot.models.teams import LftProfile, Team, TeamMember
from bot.services.teams.guards import captain_team
from bot.services.teams.queries import team_row_of, views_of
from bot.services.teams.views import TeamRules, TeamView
from bot.text import fold

WANTED_SKILL = 4.0
NEW_SKILL = 2.0
SHARED_SKILL = 0.25
SHARED_LANGUAGE = 2.0
TIME_ZONE_MAX = 1.5
OPEN_TEAM = 0.5
DAY_MINUTES = 24 * 60
HALF_DAY_MINUTES = 12 * 60

REASON_WANTED = "teams.match.wanted_skills"
REASON_NEW = "teams.match.new_skills"
REASON_LANGUAGE = "teams.match.shared_language"
REASON_TIME_ZONE = "teams.match.time_zone"
REASON_OPEN = "teams.match.open_team"


@dataclass(frozen=True)
class Fit:
    """How a candidate fits a team, with the facts behind the score."""

    score: float
    reasons: list[str]
    wanted_skills: tuple[str, ...] = ()
    new_skills: tuple[str, ...] = ()
    shared_languages: tuple[str, ...] = ()
    offset_gap_minutes: int | None = None


@dataclass(frozen=True)
class Match:
    """A candidate for a captain's team."""

    user_id: int
    score: float
    reasons: list[str]
    fit: Fit = field(repr=False)


@dataclass(frozen=True)
class TeamMatch:
    """A team for a member without team."""

    team: TeamView
    score: float
    reasons: list[str]
    fit: Fit = field(repr=False)


@dataclass
class TeamContext:
    """What a team has and wants, gathered from its members' profiles."""

    skills: dict[str, str] = field(default_factory=dict)  # folded -> as written
    wanted: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    offsets: list[int] = field(default_factory=list)
    open: bool = False

    def absorb(self, profile: LftProfile) -> None:
        for skill in profile.skills or ():
            self.skills.setdefault(fold(skill), skill)
        self.languages |= {fold(language) for language in profile.languages or ()}
        if profile.utc_offset_minutes is not None:
            self.offsets.append(profile.utc_offset_minutes)


def context_of(team: Team, profiles: Iterable[LftProfile]) -> TeamContext:
    """The matching context of a team and its members' profiles."""
    context = TeamContext(
        wanted={fold(skill) for skill in team.looking_for or ()},
        languages={fold(language) for language in team.languages or ()},
        open=team.open,
    )
    for profile in profiles:
        context.absorb(profile)
    return context


def offset_gap(offset: int, others: Iterable[int]) -> int | None:
    """The smallest gap in minutes between ``offset`` and any of ``others`` (around the clock)."""
    gaps = [abs(offset - other) % DAY_MINUTES for other in others]
    gaps = [min(gap, DAY_MINUTES - gap) for gap in gaps]
    return min(gaps) if gaps else None


def score(candidate: LftProfile, context: TeamContext, *, for_member: bool = False) -> Fit | None:
    """The fit of ``candidate`` with a team, or ``None`` when they share no language."""
    languages = {fold(language) for language in candidate.languages or ()}
    shared_languages = languages & context.languages
    if languages and context.languages and not shared_languages:
        return None
    wanted: list[str] = []
    new: list[str] = []
    shared = 0
    for skill in candidate.skills or ():
        key = fold(skill)
        if key in context.skills:
            shared += 1
        elif key in context.wanted:
            wanted.append(skill)
        else:
            new.append(skill)
    total = WANTED_SKILL * len(wanted) + NEW_SKILL * len(new) + SHARED_SKILL * shared
    reasons: list[str] = []
    if wanted:
        reasons.append(REASON_WANTED)
    if new:
        reasons.append(REASON_NEW)
    if shared_languages:
        total += SHARED_LANGUAGE
        reasons.append(REASON_LANGUAGE)
    gap = None
    if candidate.utc_offset_minutes is not None:
        gap = offset_gap(candidate.utc_offset_minutes, context.offsets)
        if gap is not None:
            bonus = TIME_ZONE_MAX * max(0.0, 1 - gap / HALF_DAY_MINUTES)
            total += bonus
            if bonus >= TIME_ZONE_MAX / 2:
                reasons.append(REASON_TIME_ZONE)
    if for_member and context.open:
        total += OPEN_TEAM
        reasons.append(REASON_OPEN)
    return Fit(
        score=round(total, 3),
        reasons=reasons,
        wanted_skills=tuple(wanted),
        new_skills=tuple(new),
        shared_languages=tuple(sorted(shared_languages)),
        offset_gap_minutes=gap,
    )


async def _member_profiles(
    session: AsyncSession, team_ids: Iterable[int]
) -> dict[int, list[LftProfile]]:
    ids = list(team_ids)
    out: dict[int, list[LftProfile]] = {team_id: [] for team_id in ids}
    rows = await session.execute(
        select(TeamMember.team_id, LftProfile)
        .join(LftProfile, LftProfile.user_id == TeamMember.user_id)
        .where(TeamMember.team_id.in_(ids))
    )
    for team_id, profile in rows:
        out[team_id].append(profile)
    return out


async def match_for_team(
    session: AsyncSession, rules: TeamRules, *, captain_id: int, limit: int = 5
) -> list[Match]:
    """The best candidates looking for a team, for the captain's team.

    Refuses: ``not_in_team`` / ``not_captain``, ``team_full_match``."""
    team = await captain_team(session, captain_id)
    if team.size >= rules.max_size:
        raise Conflict("teams.errors.team_full_match", team=team.name, count=rules.max_size)
    context = context_of(team, (await _member_profiles(session, [team.id]))[team.id])
    candidates = await session.scalars(
        select(LftProfile)
        .outerjoin(TeamMember, TeamMember.user_id == LftProfile.user_id)
        .where(LftProfile.looking.is_(True), TeamMember.id.is_(None))
        .order_by(LftProfile.created_at, LftProfile.user_id)
    )
    ranked: list[tuple[float, datetime, int, Match]] = []
    for profile in candidates:
        fit = score(profile, context)
        if fit is not None:
            match = Match(profile.user_id, fit.score, fit.reasons, fit)
            ranked.append((-fit.score, profile.created_at, profile.user_id, match))
    ranked.sort(key=lambda item: item[:3])
    return [item[3] for item in ranked[:limit]]


async def match_for_member(
    session: AsyncSession, rules: TeamRules, *, user_id: int, now: datetime, limit: int = 5
) -> list[TeamMatch]:
    """The teams with a free place that fit a member without team best.

    Refuses: ``already_in_team``, ``lft_not_found`` (post a profile first)."""
    current = await team_row_of(session, user_id)
    if current is not None:
        raise Conflict("teams.errors.already_in_team", team=current.name)
    profile = await session.get(LftProfile, user_id, populate_existing=True)
    if profile is None:
        raise NotFound("teams.errors.lft_not_found")
    teams = list(
        await session.scalars(
            select(Team)
            .where(Team.size < rules.max_size, Team.locked.is_(False))
            .order_by(Team.created_at, Team.id)
        )
    )
    profiles = await _member_profiles(session, [team.id for team in teams])
    ranked: list[tuple[float, datetime, int, Team, Fit]] = []
    for team in teams:
        fit = score(profile, context_of(team, profiles[team.id]), for_member=True)
        if fit is not None:
            ranked.append((-fit.score, team.created_at, team.id, team, fit))
    ranked.sort(key=lambda item: item[:3])
    best = ranked[:limit]
    views = await views_of(session, [item[3] for item in best], rules, now)
    return [
        TeamMatch(view, item[4].score, item[4].reasons, item[4])
        for view, item in zip(views, best, strict=True)
    ]
