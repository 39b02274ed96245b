"""Invitations, join requests, leaving, kicking, handover and the "full" transitions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db import Database
from bot.models import Invitation, JoinRequest, LftProfile, Team
from bot.services import teams
from bot.services.teams import TeamRules, lft
from tests.services import add, create, refused, rules_of


@pytest.fixture
def rules(settings) -> TeamRules:  # type: ignore[no-untyped-def]
    return rules_of(settings)


async def test_any_member_may_invite(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    team_id = await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.transaction() as session:
        invitation = await teams.invite(session, rules, actor_id=2, invitee_id=3, now=clock.now())
    assert (invitation.team.id, invitation.inviter_id, invitation.invitee_id) == (team_id, 2, 3)
    assert invitation.expires_at == clock.now() + timedelta(hours=48)


async def test_invite_refusals(db: Database, settings, clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    # One invitation beyond the free places, so the team can fill while 3's is pending.
    rules = rules_of(settings, max_size=3, invitation_overbooking=1)
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    await create(db, rules, clock.now(), 7, "Pumas")
    async with db.transaction() as session:
        await teams.invite(session, rules, actor_id=1, invitee_id=3, now=clock.now())
    cases = [
        (9, 3, "teams.errors.not_in_team"),
        (1, 1, "teams.errors.self_invite"),
        (1, 7, "teams.errors.member_in_team"),
        (2, 3, "teams.errors.already_invited"),
    ]
    for actor, invitee, key in cases:
        async with db.transaction() as session:
            await refused(
                teams.invite(session, rules, actor_id=actor, invitee_id=invitee, now=clock.now()),
                key,
            )
    await add(db, rules, clock.now(), 4, (await _team_id(db, "Los Tigres")))
    async with db.transaction() as session:
        await refused(
            teams.invite(session, rules, actor_id=1, invitee_id=5, now=clock.now()),
            # Told to the inviter, in their own full team: no advice to look for another one.
            "teams.errors.team_full_invite",
        )


async def _team_id(db: Database, name: str) -> int:
    async with db.read() as session:
        team_id = await session.scalar(select(Team.id).where(Team.name == name))
    assert team_id is not None
    return team_id


async def test_accepting_an_invitation_joins_and_retires_the_lft_profile(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        await lft.post_profile(
            session,
            user_id=2,
            skills=["python"],
            languages=["es"],
            note=None,
            utc_offset_minutes=None,
            now=clock.now(),
        )
        await lft.set_profile_post(session, 2, 999)
        invitation = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
    async with db.transaction() as session:
        change = await teams.answer_invitation(
            session, rules, invitation_id=invitation.id, user_id=2, accept=True, now=clock.now()
        )
    assert change is not None and change.added == 2 and change.team.member_ids == (1, 2)
    assert change.lft_post_removed == 999
    async with db.read() as session:
        stored = await session.get(Invitation, invitation.id)
        profile = await session.get(LftProfile, 2)
    assert stored is not None and stored.status == "accepted"
    assert profile is not None and not profile.looking and profile.post_id is None


async def test_declining_an_invitation(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        invitation = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
    async with db.transaction() as session:
        answer = await teams.answer_invitation(
            session, rules, invitation_id=invitation.id, user_id=2, accept=False, now=clock.now()
        )
    assert answer is None
    async with db.transaction() as session:
        await refused(
            teams.answer_invitation(
                session,
                rules,
                invitation_id=invitation.id,
                user_id=2,
                accept=True,
                now=clock.now(),
            ),
            "teams.errors.invitation_closed",
        )


async def test_invitation_answer_refusals(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        invitation = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
    later = clock.now() + timedelta(hours=48)
    for user, when, key in [
        (3, clock.now(), "teams.errors.not_invitee"),
        (2, later, "teams.errors.invitation_expired"),
    ]:
        async with db.transaction() as session:
            await refused(
                teams.answer_invitation(
                    session, rules, invitation_id=invitation.id, user_id=user, accept=True, now=when
                ),
                key,
            )
    async with db.transaction() as session:
        await refused(
            teams.answer_invitation(
                session, rules, invitation_id=404, user_id=2, accept=True, now=clock.now()
            ),
            "teams.errors.invitation_not_found",
        )


async def test_joining_an_open_team_is_immediate(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=True)
    async with db.transaction() as session:
        result = await teams.join(
            session, rules, user_id=2, team_name="los tigres", now=clock.now()
        )
    assert result.kind == "joined" and result.change is not None and result.request_id is None
    assert result.team.member_ids == (1, 2)


async def test_joining_a_closed_team_creates_a_request(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    async with db.transaction() as session:
        result = await teams.join(
            session, rules, user_id=2, team_name="Los Tigres", now=clock.now()
        )
        assert result.request_id is not None
        await teams.set_request_message(session, result.request_id, 60, 61)
    assert result.kind == "requested" and result.team.member_ids == (1,)
    async with db.transaction() as session:
        await refused(
            teams.join(session, rules, user_id=2, team_name="Los Tigres", now=clock.now()),
            "teams.errors.already_requested",
        )
    async with db.transaction() as session:
        change = await teams.answer_join_request(
            session, rules, request_id=result.request_id, actor_id=1, accept=True, now=clock.now()
        )
    assert change is not None and change.team.member_ids == (1, 2)
    async with db.read() as session:
        request = await session.get(JoinRequest, result.request_id)
    assert request is not None and (request.status, request.answered_by) == ("accepted", 1)


async def test_join_with_a_pending_invitation_counts_as_accepting(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    async with db.transaction() as session:
        invitation = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
    async with db.transaction() as session:
        result = await teams.join(
            session, rules, user_id=2, team_name="Los Tigres", now=clock.now()
        )
    assert result.kind == "joined"
    async with db.read() as session:
        stored = await session.get(Invitation, invitation.id)
    assert stored is not None and stored.status == "accepted"


async def test_join_request_declined_and_refusals(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False, members=(3,))
    async with db.transaction() as session:
        result = await teams.join(
            session, rules, user_id=2, team_name="Los Tigres", now=clock.now()
        )
    assert result.request_id is not None
    async with db.transaction() as session:
        await refused(
            teams.answer_join_request(
                session,
                rules,
                request_id=result.request_id,
                actor_id=3,
                accept=True,
                now=clock.now(),
            ),
            "teams.errors.not_captain",
        )
    async with db.transaction() as session:
        assert (
            await teams.answer_join_request(
                session,
                rules,
                request_id=result.request_id,
                actor_id=1,
                accept=False,
                now=clock.now(),
            )
            is None
        )
    async with db.transaction() as session:
        await refused(
            teams.answer_join_request(
                session,
                rules,
                request_id=result.request_id,
                actor_id=1,
                accept=True,
                now=clock.now(),
            ),
            "teams.errors.request_closed",
        )


async def test_join_refusals(db: Database, settings, clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    rules = rules_of(settings, max_size=2)
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    await create(db, rules, clock.now(), 3, "Pumas")
    for user, name, key in [
        (4, "Nadie", "teams.errors.team_not_found"),
        (2, "Los Tigres", "teams.errors.already_member"),
        (3, "Los Tigres", "teams.errors.already_in_team"),
        (4, "Los Tigres", "teams.errors.team_full"),
    ]:
        async with db.transaction() as session:
            await refused(
                teams.join(session, rules, user_id=user, team_name=name, now=clock.now()), key
            )


async def test_filling_a_team_answers_its_pending_items_full(
    db: Database,
    settings,
    clock: ManualClock,  # type: ignore[no-untyped-def]
) -> None:
    # Two invitations for one free place: what the overbooking setting allows.
    rules = rules_of(settings, max_size=2, invitation_overbooking=1)
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    async with db.transaction() as session:
        first = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
        second = await teams.invite(session, rules, actor_id=1, invitee_id=3, now=clock.now())
        await teams.set_invitation_message(session, second.id, 70, 71)
        request = await teams.join(
            session, rules, user_id=4, team_name="Los Tigres", now=clock.now()
        )
    async with db.transaction() as session:
        change = await teams.answer_invitation(
            session, rules, invitation_id=first.id, user_id=2, accept=True, now=clock.now()
        )
    assert change is not None and change.became_full and change.team.full
    assert [(c.kind, c.id, c.user_id, c.message_id, c.status) for c in change.closed] == [
        ("invitation", second.id, 3, 71, "full"),
        ("request", request.request_id, 4, None, "full"),
    ]
    async with db.transaction() as session:
        await refused(
            teams.answer_invitation(
                session, rules, invitation_id=second.id, user_id=3, accept=True, now=clock.now()
            ),
            "teams.errors.invitation_team_full",
        )


async def test_joining_cancels_the_members_other_pending_items(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=True)
    await create(db, rules, clock.now(), 5, "Pumas", open=False)
    async with db.transaction() as session:
        invitation = await teams.invite(session, rules, actor_id=5, invitee_id=2, now=clock.now())
    async with db.transaction() as session:
        result = await teams.join(
            session, rules, user_id=2, team_name="Los Tigres", now=clock.now()
        )
    assert result.change is not None
    assert [(c.id, c.status) for c in result.change.closed] == [(invitation.id, "cancelled")]


async def test_leave_hands_captaincy_to_longest_standing_member(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    team_id = await create(db, rules, clock.now(), 1, "Los Tigres")
    for member in (3, 2):
        clock.advance(timedelta(minutes=5))
        await add(db, rules, clock.now(), member, team_id)
    async with db.transaction() as session:
        change = await teams.leave(session, rules, user_id=1, now=clock.now())
    assert change.new_captain == 3 and change.team.captain_id == 3
    assert change.team.member_ids == (3, 2) and not change.disbanded


async def test_last_member_leaving_disbands(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        change = await teams.leave(session, rules, user_id=1, now=clock.now())
    assert change.disbanded and change.team.size == 0
    async with db.read() as session:
        assert await session.scalar(select(Team.id)) is None


async def test_leave_without_team(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    async with db.transaction() as session:
        await refused(
            teams.leave(session, rules, user_id=1, now=clock.now()), "teams.errors.not_in_team"
        )


async def test_a_freed_place_reopens_a_full_team(
    db: Database,
    settings,
    clock: ManualClock,  # type: ignore[no-untyped-def]
) -> None:
    rules = rules_of(settings, max_size=2)
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.transaction() as session:
        change = await teams.kick(session, rules, actor_id=1, member_id=2, now=clock.now())
    assert change.became_open and change.removed == 2 and change.team.free_places == 1


async def test_kick_refusals(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    for actor, member, key in [
        (2, 1, "teams.errors.not_captain"),
        (1, 1, "teams.errors.cannot_kick_self"),
        (1, 9, "teams.errors.member_not_in_team"),
    ]:
        async with db.transaction() as session:
            await refused(
                teams.kick(session, rules, actor_id=actor, member_id=member, now=clock.now()), key
            )


async def test_member_leaving_the_server_leaves_the_team_even_when_locked(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    team_id = await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.transaction() as session:
        await teams.set_lock(session, locked=True, actor_id=99, now=clock.now())
    async with db.transaction() as session:
        result = await teams.member_left_server(session, rules, user_id=1, now=clock.now())
    assert result.change is not None and result.change.new_captain == 2
    async with db.read() as session:
        team = await teams.get_team(session, team_id, rules=rules, now=clock.now())
    assert team.member_ids == (2,) and team.captain_id == 2


async def test_member_without_team_leaving_the_server(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        invitation = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
        await lft.post_profile(
            session,
            user_id=2,
            skills=["python"],
            languages=[],
            note=None,
            utc_offset_minutes=None,
            now=clock.now(),
        )
        await lft.set_profile_post(session, 2, 555)
    async with db.transaction() as session:
        result = await teams.member_left_server(session, rules, user_id=2, now=clock.now())
    assert result.change is None and result.lft_post_removed == 555
    assert [(c.id, c.status) for c in result.closed] == [(invitation.id, "cancelled")]
