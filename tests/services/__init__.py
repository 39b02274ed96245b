"""Domain service tests on a real database (SQLite file, or PostgreSQL by TEST_DATABASE_URL).

Small helpers shared by the team and LFT tests live here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from bot.db import Database
from bot.errors import DomainError
from bot.i18n import Catalogs, parameters
from bot.services import teams
from bot.services.teams import MembershipChange, TeamRules
from bot.settings import Settings

_CATALOGS: Catalogs | None = None


def catalogs() -> Catalogs:
    global _CATALOGS  # noqa: PLW0603 - loaded once for the whole run
    if _CATALOGS is None:
        _CATALOGS = Catalogs()
    return _CATALOGS


def rules_of(settings: Settings, **changes: Any) -> TeamRules:
    """The configured team rules, with ``changes`` applied."""
    return replace(TeamRules.from_settings(settings.config), **changes)


def assert_key(error: DomainError, key: str) -> None:
    """The refusal has ``key``, and both catalogs can render it with its parameters."""
    assert error.key == key, error
    for language in ("es", "en"):
        forms = catalogs().forms(language, key)
        assert forms, f"{key} missing in {language}"
        # The catalog fills command placeholders ({cmd_team_leave}) itself.
        named = set().union(*(parameters(form) for form in forms))
        assert named == set(error.params), (key, error.params)
        assert not re.search(r"\{\w+\}", catalogs().t(language, key, **error.params))


async def create(
    db: Database,
    rules: TeamRules,
    now: datetime,
    captain: int,
    name: str,
    *,
    open: bool = True,
    members: tuple[int, ...] = (),
) -> int:
    """Create a team (open by default) with ``members`` joining in order; returns its id."""
    async with db.transaction() as session:
        change = await teams.create_team(
            session, rules, captain_id=captain, name=name, description=None, open=open, now=now
        )
    team_id = change.team.id
    for member in members:
        await add(db, rules, now, member, team_id)
    return team_id


async def add(
    db: Database, rules: TeamRules, now: datetime, user_id: int, team_id: int
) -> MembershipChange:
    """Add a member through an invitation from the captain, whatever the team's openness."""
    async with db.transaction() as session:
        team = await teams.get_team(session, team_id, rules=rules, now=now)
        invitation = await teams.invite(
            session, rules, actor_id=team.captain_id, invitee_id=user_id, now=now
        )
    async with db.transaction() as session:
        change = await teams.answer_invitation(
            session, rules, invitation_id=invitation.id, user_id=user_id, accept=True, now=now
        )
    assert change is not None
    return change


async def refused(coro: Any, key: str) -> DomainError:
    """Await ``coro`` expecting a refusal with ``key``."""
    with pytest.raises(DomainError) as info:
        await coro
    assert_key(info.value, key)
    return info.value
