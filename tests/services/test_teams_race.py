"""The capacity rule under concurrency: one free place, fifty members at the same moment."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import DomainError
from bot.models import Team, TeamMember
from bot.services import teams
from bot.services.teams import TeamRules
from tests.services import create, rules_of

RACERS = 50


@pytest.fixture
def rules(settings) -> TeamRules:  # type: ignore[no-untyped-def]
    return rules_of(settings, max_size=5)


async def _race(db: Database, attempts: list[Callable[[], Awaitable[object]]]) -> Counter[str]:
    async def one(attempt: Callable[[], Awaitable[object]]) -> str:
        try:
            await attempt()
        except DomainError as error:
            return error.key
        return "ok"

    return Counter(await asyncio.gather(*(one(attempt) for attempt in attempts)))


async def _assert_five(db: Database, team_id: int) -> None:
    async with db.read() as session:
        size = await session.scalar(select(Team.size).where(Team.id == team_id))
        members = await session.scalar(
            select(func.count()).select_from(TeamMember).where(TeamMember.team_id == team_id)
        )
    assert (size, members) == (5, 5)


async def test_fifty_joins_for_one_place(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    team_id = await create(db, rules, clock.now(), 1, "Los Tigres", open=True, members=(2, 3, 4))

    def attempt(user_id: int) -> Callable[[], Awaitable[object]]:
        async def run() -> object:
            async with db.transaction() as session:
                return await teams.join(
                    session, rules, user_id=user_id, team_name="Los Tigres", now=clock.now()
                )

        return run

    outcomes = await _race(db, [attempt(1000 + n) for n in range(RACERS)])
    assert outcomes == Counter({"ok": 1, "teams.errors.team_full": RACERS - 1})
    await _assert_five(db, team_id)


async def test_fifty_accepts_for_one_place(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    # Fifty pending invitations for one free place: the overbooking setting has to allow them.
    rules = replace(rules, invitation_overbooking=RACERS - 1)
    team_id = await create(db, rules, clock.now(), 1, "Los Tigres", open=False, members=(2, 3, 4))
    invitations = {}
    async with db.transaction() as session:
        for n in range(RACERS):
            invitation = await teams.invite(
                session, rules, actor_id=1, invitee_id=1000 + n, now=clock.now()
            )
            invitations[1000 + n] = invitation.id

    def attempt(user_id: int) -> Callable[[], Awaitable[object]]:
        async def run() -> object:
            async with db.transaction() as session:
                return await teams.answer_invitation(
                    session,
                    rules,
                    invitation_id=invitations[user_id],
                    user_id=user_id,
                    accept=True,
                    now=clock.now(),
                )

        return run

    outcomes = await _race(db, [attempt(user) for user in invitations])
    assert outcomes["ok"] == 1
    refusals = set(outcomes) - {"ok"}
    assert refusals <= {"teams.errors.team_full", "teams.errors.invitation_team_full"}
    assert sum(outcomes.values()) == RACERS
    await _assert_five(db, team_id)


async def test_one_member_racing_into_two_teams_joins_one(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=True)
    await create(db, rules, clock.now(), 2, "Pumas", open=True)

    def attempt(name: str) -> Callable[[], Awaitable[object]]:
        async def run() -> object:
            async with db.transaction() as session:
                return await teams.join(session, rules, user_id=7, team_name=name, now=clock.now())

        return run

    outcomes = await _race(db, [attempt("Los Tigres"), attempt("Pumas")])
    assert outcomes == Counter({"ok": 1, "teams.errors.already_in_team": 1})
    async with db.read() as session:
        assert await session.scalar(select(func.sum(Team.size))) == 3
