"""Joining, requesting and creating as single passes: one read, conditional writes, and the
outcomes every earlier step gave (statuses, causes, their order, the LFT post), on both
databases, with concurrent twins losing cleanly."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import DomainError
from bot.models import Invitation, JoinRequest, LftProfile, Team, TeamMember
from bot.services import teams
from bot.services.teams import TeamRules, lft
from bot.settings import Settings
from tests.services import create, refused, rules_of


@pytest.fixture
def rules(settings) -> TeamRules:  # type: ignore[no-untyped-def]
    return rules_of(settings, max_size=2)


async def _statuses(
    session: AsyncSession, model: type[Invitation] | type[JoinRequest]
) -> dict[int, str]:
    return {row.id: row.status for row in await session.execute(select(model.id, model.status))}


async def _outcome(attempt: Awaitable[object]) -> str:
    try:
        await attempt
    except DomainError as error:
        return error.key
    return "ok"


async def test_joining_by_command_closes_each_kind_of_pending_item_in_order(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    now = clock.now()
    await create(db, rules, now, 1, "Los Tigres", open=False)
    await create(db, rules, now, 5, "Pumas", open=False)
    async with db.transaction() as session:
        own = await teams.join(session, rules, user_id=2, team_name="Los Tigres", now=now)
        other = await teams.join(session, rules, user_id=3, team_name="Los Tigres", now=now)
        invited = await teams.invite(session, rules, actor_id=1, invitee_id=4, now=now)
        elsewhere = await teams.join(session, rules, user_id=2, team_name="Pumas", now=now)
        await lft.post_profile(
            session,
            user_id=2,
            skills=["python"],
            languages=["es"],
            note=None,
            utc_offset_minutes=None,
            now=now,
        )
        await lft.set_profile_post(session, 2, 999)
        await teams.update_team_profile(session, rules, actor_id=1, now=now, open=True)
    async with db.transaction() as session:
        pumas_invitation = await teams.invite(session, rules, actor_id=5, invitee_id=2, now=now)
    async with db.transaction() as session:
        result = await teams.join(session, rules, user_id=2, team_name="Los Tigres", now=now)
    change = result.change
    assert result.kind == "joined" and change is not None
    assert change.added == 2 and change.became_full and change.team.member_ids == (1, 2)
    assert change.team.size == 2 and change.team.captain_id == 1
    assert change.lft_post_removed == 999
    assert [
        (c.kind, c.id, c.user_id, c.status, c.cause, c.team_name, c.captain_id)
        for c in change.closed
    ] == [
        ("request", own.request_id, 2, "accepted", "joined", "Los Tigres", 1),
        ("invitation", invited.id, 4, "full", "full", "Los Tigres", 1),
        ("request", other.request_id, 3, "full", "full", "Los Tigres", 1),
        ("invitation", pumas_invitation.id, 2, "cancelled", "joined_elsewhere", "Pumas", 5),
        ("request", elsewhere.request_id, 2, "cancelled", "joined_elsewhere", "Pumas", 5),
    ]
    async with db.read() as session:
        invitations = await _statuses(session, Invitation)
        requests = await _statuses(session, JoinRequest)
        profile = await session.get(LftProfile, 2)
        size = await session.scalar(select(Team.size).where(Team.name == "Los Tigres"))
    assert invitations == {invited.id: "full", pumas_invitation.id: "cancelled"}
    assert requests == {
        own.request_id: "accepted",
        other.request_id: "full",
        elsewhere.request_id: "cancelled",
    }
    assert profile is not None and not profile.looking and profile.post_id is None
    assert size == 2


async def test_joining_with_a_profile_not_looking_leaves_it_alone(
    db: Database, settings: Settings, clock: ManualClock
) -> None:
    rules = rules_of(settings, max_size=5)
    now = clock.now()
    await create(db, rules, now, 1, "Los Tigres", open=True, members=(3,))
    async with db.transaction() as session:
        await lft.post_profile(
            session,
            user_id=2,
            skills=["python"],
            languages=["es"],
            note=None,
            utc_offset_minutes=None,
            now=now,
        )
        await lft.set_profile_post(session, 2, 999)
        profile = await session.get(LftProfile, 2)
        assert profile is not None
        profile.looking = False  # kept, not looking: nothing to retire
    async with db.transaction() as session:
        result = await teams.join(session, rules, user_id=2, team_name="Los Tigres", now=now)
    assert result.change is not None and result.change.lft_post_removed is None
    assert result.change.team.member_ids == (1, 3, 2) and not result.change.became_full
    assert result.change.closed == ()
    async with db.read() as session:
        kept = await session.get(LftProfile, 2)
    assert kept is not None and not kept.looking and kept.post_id == 999


async def test_two_requests_to_one_team_at_once_make_one(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)

    async def attempt() -> object:
        async with db.transaction() as session:
            return await teams.join(
                session, rules, user_id=2, team_name="Los Tigres", now=clock.now()
            )

    outcomes = Counter(await asyncio.gather(_outcome(attempt()), _outcome(attempt())))
    assert outcomes == Counter({"ok": 1, "teams.errors.already_requested": 1})
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(JoinRequest)) == 1


async def test_a_request_after_an_expired_one_expires_it(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    async with db.transaction() as session:
        first = await teams.join(session, rules, user_id=2, team_name="Los Tigres", now=clock.now())
    clock.advance(rules.invitation_ttl + timedelta(minutes=1))
    async with db.transaction() as session:
        second = await teams.join(
            session, rules, user_id=2, team_name="Los Tigres", now=clock.now()
        )
    assert second.kind == "requested" and second.request_id != first.request_id
    async with db.read() as session:
        statuses = await _statuses(session, JoinRequest)
    assert statuses == {first.request_id: "expired", second.request_id: "pending"}


async def test_a_request_inside_the_cooldown_is_refused(
    db: Database, settings: Settings, clock: ManualClock
) -> None:
    rules = rules_of(settings, join_request_cooldown=timedelta(hours=1))
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    async with db.transaction() as session:
        first = await teams.join(session, rules, user_id=2, team_name="Los Tigres", now=clock.now())
        assert first.request_id is not None
        await teams.answer_join_request(
            session, rules, request_id=first.request_id, actor_id=1, accept=False, now=clock.now()
        )
    clock.advance(timedelta(minutes=30))
    async with db.transaction() as session:
        await refused(
            teams.join(session, rules, user_id=2, team_name="Los Tigres", now=clock.now()),
            "teams.errors.join_request_cooldown",
        )
    clock.advance(timedelta(minutes=31))
    async with db.transaction() as session:
        again = await teams.join(session, rules, user_id=2, team_name="Los Tigres", now=clock.now())
    assert again.kind == "requested"


async def test_one_captain_creating_two_teams_at_once_captains_one(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    async def attempt(name: str) -> object:
        async with db.transaction() as session:
            return await teams.create_team(
                session,
                rules,
                captain_id=1,
                name=name,
                description=None,
                open=True,
                now=clock.now(),
            )

    outcomes = Counter(
        await asyncio.gather(_outcome(attempt("Los Tigres")), _outcome(attempt("Pumas")))
    )
    assert outcomes == Counter({"ok": 1, "teams.errors.already_in_team": 1})
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Team)) == 1
        assert await session.scalar(select(func.count()).select_from(TeamMember)) == 1


async def test_leaving_reports_the_team_as_it_stays(
    db: Database, settings: Settings, clock: ManualClock
) -> None:
    rules = rules_of(settings, max_size=3)
    now = clock.now()
    await create(db, rules, now, 1, "Los Tigres", open=True, members=(2, 3))
    async with db.transaction() as session:
        change = await teams.leave(session, rules, user_id=1, now=now)
    assert change.removed == 1 and change.new_captain == 2 and change.became_open
    assert change.team.captain_id == 2 and change.team.member_ids == (2, 3)
    assert change.team.size == 2 and change.team.free_places == 1
    async with db.transaction() as session:
        change = await teams.kick(session, rules, actor_id=2, member_id=3, now=now)
    assert change.removed == 3 and change.new_captain is None and not change.became_open
    assert change.team.member_ids == (2,) and change.team.size == 1
    async with db.read() as session:
        team = await session.scalar(select(Team).where(Team.name == "Los Tigres"))
    assert team is not None and (team.captain_id, team.size) == (2, 1)


async def test_joining_by_command_with_an_invitation_closes_its_message(
    db: Database, settings: Settings, clock: ManualClock
) -> None:
    rules = rules_of(settings, max_size=5)
    now = clock.now()
    await create(db, rules, now, 1, "Los Tigres", open=False, members=(3,))
    async with db.transaction() as session:
        invitation = await teams.invite(session, rules, actor_id=3, invitee_id=2, now=now)
        await teams.set_invitation_message(session, invitation.id, 80, 81)
    async with db.transaction() as session:
        result = await teams.join(session, rules, user_id=2, team_name="Los Tigres", now=now)
    assert result.kind == "joined" and result.change is not None
    assert result.change.team.member_ids == (1, 3, 2)
    assert [
        (c.kind, c.id, c.user_id, (c.channel_id, c.message_id), c.status, c.cause)
        for c in result.change.closed
    ] == [
        ("invitation", invitation.id, 2, (80, 81), "accepted", "answered"),
    ]
    (closed,) = result.change.closed
    assert (closed.team_name, closed.inviter_id, closed.captain_id) == ("Los Tigres", 3, 1)
    async with db.read() as session:
        assert (await _statuses(session, Invitation))[invitation.id] == "accepted"
