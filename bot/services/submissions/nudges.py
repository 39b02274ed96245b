"""Deadline nudges: at each configured offset before the submission deadline (48 h, 24 h, 3 h),
each team with a missing, failing or pending deliverable gets one message in its thread listing
exactly what is missing. A ``submission_nudges`` row per team and stage makes it exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.submissions import KINDS, PASSED, PENDING
from bot.services.submissions import store
from bot.services.submissions.store import TeamItems, TeamRef
from bot.settings import Config


@dataclass(frozen=True)
class NudgeItem:
    kind: str
    state: str  # missing | failing | pending
    repo_id: str | None = None
    failed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Nudge:
    team: TeamRef
    stage: str
    items: tuple[NudgeItem, ...]


def stage_label(offset: timedelta) -> str:
    """``48h``, ``3h``, ``90m``: the stage's name, stored with each nudge sent."""
    seconds = int(offset.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def stages(config: Config) -> list[tuple[str, datetime]]:
    """(label, when) of every nudge, earliest first."""
    deadline = config.event.submission_deadline
    found = [(stage_label(o), deadline - o) for o in config.submissions.nudges]
    return sorted(found, key=lambda s: s[1])


def current_stage(config: Config, now: datetime) -> tuple[str, datetime] | None:
    """The latest stage already due, while the deadline has not passed."""
    if now > config.event.submission_deadline:
        return None
    due = [s for s in stages(config) if s[1] <= now]
    return due[-1] if due else None


def next_stage_time(config: Config, last_run: datetime | None) -> datetime | None:
    """When the nudge job next has something to do: the first stage after its last run."""
    for _, when in stages(config):
        if last_run is None or when > last_run:
            return when
    return None


def items_of(team: TeamItems) -> tuple[NudgeItem, ...]:
    items = []
    for kind in KINDS:
        view = team.current.get(kind)
        if view is None:
            items.append(NudgeItem(kind, "missing"))
        elif view.status == PENDING:
            items.append(NudgeItem(kind, "pending", view.repo_id))
        elif view.status != PASSED:
            items.append(NudgeItem(kind, "failing", view.repo_id, tuple(view.failed_checks)))
    return tuple(items)


async def due(session: AsyncSession, config: Config, now: datetime) -> list[Nudge]:
    """The nudges of the current stage not sent yet (teams with nothing missing get none)."""
    stage = current_stage(config, now)
    if stage is None:
        return []
    label = stage[0]
    sent = await store.nudged(session, label)
    found = []
    for team in await store.teams_with_items(session):
        if team.team.id in sent or team.team.thread_id is None:
            continue
        items = items_of(team)
        if items:
            found.append(Nudge(team.team, label, items))
    return found
