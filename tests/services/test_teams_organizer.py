"""Locks (organizer and deadline), organizer moves and disbands, expiry, the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db import Database
from bot.models import AuditEntry, Invitation, JoinRequest
from bot.services import teams
from bot.services.teams import TeamRules
from tests.services import create, refused, rules_of


@pytest.fixture
def rules(settings) -> TeamRules:  # type: ignore[no-untyped-def]
    return rules_of(settings)


async def _actions(db: Database) -> list[tuple[int | None, str]]:
    async with db.read() as session:
        rows = await session.execute(
            select(AuditEntry.actor_id, AuditEntry.action).order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_organizer_lock_refuses_changes_and_is_logged(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        await teams.set_lock(session, locked=True, actor_id=99, now=clock.now())
    async with db.transaction() as session:
        assert await teams.is_locked(session, rules, clock.now())
        await refused(
            teams.join(session, rules, user_id=2, team_name="Los Tigres", now=clock.now()),
            "teams.errors.locked",
        )
        await refused(
            teams.leave(session, rules, user_id=1, now=clock.now()), "teams.errors.locked"
        )
        await refused(
            teams.check_can_create(session, rules, captain_id=3, name="Pumas", now=clock.now()),
            "teams.errors.locked",
        )
        team = await teams.find_team(session, "Los Tigres", rules=rules, now=clock.now())
    assert team.locked
    async with db.transaction() as session:
        await teams.set_lock(session, locked=False, actor_id=98, now=clock.now())
    async with db.transaction() as session:
        await teams.join(session, rules, user_id=2, team_name="Los Tigres", now=clock.now())
    actions = await _actions(db)
    assert (99, "organizer.teams_locked") in actions and (98, "organizer.teams_unlocked") in actions


async def test_deadline_locks_automatically(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    after = rules.team_deadline
    async with db.transaction() as session:
        assert not await teams.is_locked(session, rules, after - timedelta(seconds=1))
        assert await teams.is_locked(session, rules, after)
        await refused(
            teams.join(session, rules, user_id=2, team_name="Los Tigres", now=after),
            "teams.errors.deadline_passed",
        )


async def test_unlock_after_deadline_reopens_and_unlock_before_does_not(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    deadline = rules.team_deadline
    async with db.transaction() as session:
        await teams.set_lock(session, locked=False, actor_id=99, now=clock.now())
        assert await teams.is_locked(session, rules, deadline)
        await teams.set_lock(session, locked=False, actor_id=99, now=deadline + timedelta(hours=1))
        assert not await teams.is_locked(session, rules, deadline + timedelta(hours=2))


async def test_team_lock(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    await create(db, rules, clock.now(), 5, "Pumas")
    async with db.transaction() as session:
        view = await teams.set_team_lock(
            session, rules, actor_id=99, team_name="Los Tigres", locked=True, now=clock.now()
        )
    assert view.locked
    async with db.transaction() as session:
        await refused(
            teams.join(session, rules, user_id=2, team_name="Los Tigres", now=clock.now()),
            "teams.errors.team_locked",
        )
        await teams.join(session, rules, user_id=2, team_name="Pumas", now=clock.now())


async def test_organizer_move_bypasses_lock_and_approval(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    await create(db, rules, clock.now(), 5, "Pumas", open=False)
    async with db.transaction() as session:
        await teams.set_lock(session, locked=True, actor_id=99, now=clock.now())
    async with db.transaction() as session:
        change = await teams.organizer_move(
            session, rules, actor_id=99, member_id=1, team_name="pumas", now=clock.now()
        )
    assert change.team.member_ids == (5, 1) and change.added == 1
    assert change.moved_from is not None and change.moved_from.new_captain == 2
    assert (99, "organizer.member_moved_in") in await _actions(db)


async def test_organizer_move_never_exceeds_max_size(
    db: Database,
    settings,
    clock: ManualClock,  # type: ignore[no-untyped-def]
) -> None:
    rules = rules_of(settings, max_size=2)
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    await create(db, rules, clock.now(), 5, "Pumas")
    async with db.transaction() as session:
        await refused(
            teams.organizer_move(
                session, rules, actor_id=99, member_id=5, team_name="Los Tigres", now=clock.now()
            ),
            # Told to an organizer: no advice to look for another team with /team list.
            "teams.errors.team_full_move",
        )
        await refused(
            teams.organizer_move(
                session, rules, actor_id=99, member_id=1, team_name="Los Tigres", now=clock.now()
            ),
            "teams.errors.move_same_team",
        )


async def test_organizer_disband_bypasses_lock(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.transaction() as session:
        await teams.set_lock(session, locked=True, actor_id=99, now=clock.now())
    async with db.transaction() as session:
        await refused(
            teams.disband(session, rules, actor_id=1, now=clock.now()), "teams.errors.locked"
        )
    async with db.transaction() as session:
        result = await teams.disband(
            session, rules, actor_id=99, now=clock.now(), by_organizer=True, team_name="los tigres"
        )
    assert result.by_organizer and result.member_ids == (1, 2)
    assert (99, "organizer.team_disbanded") in await _actions(db)


async def test_expire_due_and_next_expiry(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    async with db.transaction() as session:
        assert await teams.next_expiry(session) is None
        invitation = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
        await teams.set_invitation_message(session, invitation.id, 80, 81)
    clock.advance(timedelta(hours=1))
    async with db.transaction() as session:
        request = await teams.join(
            session, rules, user_id=3, team_name="Los Tigres", now=clock.now()
        )
        assert await teams.next_expiry(session) == invitation.expires_at
    async with db.transaction() as session:
        assert (
            await teams.expire_due(session, now=invitation.expires_at - timedelta(seconds=1)) == []
        )
        expired = await teams.expire_due(session, now=invitation.expires_at)
    assert [
        (e.kind, e.id, e.team_name, e.user_id, e.channel_id, e.message_id) for e in expired
    ] == [("invitation", invitation.id, "Los Tigres", 2, 80, 81)]
    async with db.transaction() as session:
        assert await teams.next_expiry(session) == clock.now() + rules.invitation_ttl
        later = await teams.expire_due(session, now=clock.now() + timedelta(days=3))
        stored = await session.get(Invitation, invitation.id)
        stored_request = await session.get(JoinRequest, request.request_id)
    assert [(e.kind, e.id) for e in later] == [("request", request.request_id)]
    assert stored is not None and stored.status == "expired"
    assert stored_request is not None and stored_request.status == "expired"


async def test_an_expired_invitation_can_be_renewed(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
    clock.advance(rules.invitation_ttl)
    async with db.transaction() as session:
        renewed = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
    assert renewed.expires_at == clock.now() + rules.invitation_ttl
