"""How invitations and join requests end, and who hears it: what each closed item's message says
(:meth:`ClosedItem.notice`) and who waits on it (:meth:`ClosedItem.follow_up`); a member joining
a team closes their own pending answers of that team as joined; the audit log names the member
each change was about; a captain's disband confirmation names its team."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.i18n import Message
from bot.services import audit, teams
from bot.services.teams import ClosedItem, TeamRules
from tests.services import add, create, refused, rules_of


def mention(user_id: int) -> str:
    """What the Discord side passes in: here only visible, to compare."""
    return f"@{user_id}"


@pytest.fixture
def rules(settings) -> TeamRules:  # type: ignore[no-untyped-def]
    return rules_of(settings)


async def _request(db: Database, rules: TeamRules, clock: ManualClock, user_id: int) -> int:
    async with db.transaction() as session:
        result = await teams.join(
            session, rules, user_id=user_id, team_name="Los Tigres", now=clock.now()
        )
    assert result.request_id is not None
    return result.request_id


async def _answer_request(
    db: Database, rules: TeamRules, clock: ManualClock, request_id: int, *, accept: bool
) -> ClosedItem:
    async with db.transaction() as session:
        await teams.answer_join_request(
            session, rules, request_id=request_id, actor_id=1, accept=accept, now=clock.now()
        )
        item = await teams.closed_item(session, "request", request_id)
    assert item is not None
    return item


async def test_a_declined_request_is_reported_to_the_member_who_asked(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    request_id = await _request(db, rules, clock, 2)

    item = await _answer_request(db, rules, clock, request_id, accept=False)

    assert (item.status, item.reader_id) == ("declined", 1)  # the captain reads its message
    assert item.follow_up(mention) == (
        2,
        Message("teams.outcome.request_declined", team="Los Tigres"),
    )


async def test_an_accepted_request_is_reported_too(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    request_id = await _request(db, rules, clock, 2)

    item = await _answer_request(db, rules, clock, request_id, accept=True)

    assert item.follow_up(mention) == (
        2,
        Message("teams.outcome.request_accepted", team="Los Tigres"),
    )


async def test_expiry_tells_the_member_who_asked_and_the_inviter(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False, members=(3,))
    await _request(db, rules, clock, 2)
    async with db.transaction() as session:
        await teams.invite(session, rules, actor_id=3, invitee_id=4, now=clock.now())
    clock.advance(rules.invitation_ttl + timedelta(seconds=1))

    async with db.transaction() as session:
        invitation, request = await teams.expire_due(session, now=clock.now())

    assert (invitation.cause, invitation.reader_id, invitation.inviter_id) == ("expired", 4, 3)
    assert invitation.notice(mention) == Message(
        "teams.closed.invitation", team="Los Tigres", status=Message("teams.status.expired")
    )
    assert invitation.follow_up(mention) == (
        3,
        Message("teams.outcome.invitation_expired", member="@4", team="Los Tigres"),
    )
    assert request.reader_id == 1
    assert request.notice(mention) == Message(
        "teams.closed.request", member="@2", status=Message("teams.status.expired")
    )
    assert request.follow_up(mention) == (
        2,
        Message("teams.outcome.request_expired", team="Los Tigres"),
    )


async def test_a_declined_invitation_is_reported_to_the_inviter(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        invitation = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
    async with db.transaction() as session:
        await teams.answer_invitation(
            session, rules, invitation_id=invitation.id, user_id=2, accept=False, now=clock.now()
        )
        item = await teams.closed_item(session, "invitation", invitation.id)

    assert item is not None
    assert item.follow_up(mention) == (
        1,
        Message("teams.outcome.invitation_declined", member="@2", team="Los Tigres"),
    )


async def test_a_full_team_or_a_disband_tells_who_asked_to_join(
    db: Database,
    settings,
    clock: ManualClock,  # type: ignore[no-untyped-def]
) -> None:
    rules = rules_of(settings, max_size=2)
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    await _request(db, rules, clock, 2)
    await create(db, rules, clock.now(), 5, "Los Pumas", open=False)
    async with db.transaction() as session:
        pumas = await teams.join(session, rules, user_id=6, team_name="Los Pumas", now=clock.now())
    assert pumas.request_id is not None

    change = await add(db, rules, clock.now(), 3, (await _team(db, rules, clock, "Los Tigres")))
    async with db.transaction() as session:
        disbanded = await teams.disband(session, rules, actor_id=5, now=clock.now())

    [full] = change.closed
    assert (full.status, full.cause) == ("full", "full")
    assert full.follow_up(mention) == (2, Message("teams.outcome.request_full", team="Los Tigres"))
    [cancelled] = disbanded.closed
    assert cancelled.follow_up(mention) == (
        6,
        Message("teams.outcome.request_disbanded", team="Los Pumas"),
    )


async def test_an_invitee_who_joins_another_team_frees_the_inviter_from_waiting(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
    await create(db, rules, clock.now(), 5, "Los Pumas", open=True)

    async with db.transaction() as session:
        joined = await teams.join(session, rules, user_id=2, team_name="Los Pumas", now=clock.now())

    assert joined.change is not None
    [item] = joined.change.closed
    assert (item.status, item.cause) == ("cancelled", "joined_elsewhere")
    assert item.follow_up(mention) == (
        1,
        Message("teams.outcome.invitation_joined_elsewhere", member="@2", team="Los Tigres"),
    )


async def test_a_member_who_asked_herself_is_not_told_what_she_did(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    """Her own new team cancels her request: nobody else waits on it."""
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    await _request(db, rules, clock, 2)

    async with db.transaction() as session:
        created = await teams.create_team(
            session,
            rules,
            captain_id=2,
            name="Las Panteras",
            description=None,
            open=True,
            now=clock.now(),
        )

    [item] = created.closed
    assert item.follow_up(mention) is None


async def test_a_member_moved_in_by_an_organizer_has_joined_not_found_the_team_full(
    db: Database,
    settings,
    clock: ManualClock,  # type: ignore[no-untyped-def]
) -> None:
    """The move fills the team: bea's own invitation from it closes as joined, the others as
    full."""
    rules = rules_of(settings, max_size=2, invitation_overbooking=1)
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        mine = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
        other = await teams.invite(session, rules, actor_id=1, invitee_id=3, now=clock.now())

    async with db.transaction() as session:
        change = await teams.organizer_move(
            session, rules, actor_id=99, member_id=2, team_name="Los Tigres", now=clock.now()
        )

    by_id = {item.id: item for item in change.closed}
    assert (by_id[mine.id].status, by_id[mine.id].cause) == ("accepted", "joined")
    assert by_id[mine.id].notice(mention) == Message(
        "teams.closed.invitation_joined", team="Los Tigres"
    )
    assert by_id[mine.id].follow_up(mention) is None
    assert (by_id[other.id].status, by_id[other.id].cause) == ("full", "full")


async def test_the_audit_log_names_the_member_each_change_was_about(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    await create(db, rules, clock.now(), 5, "Los Pumas")
    async with db.transaction() as session:
        await teams.invite(session, rules, actor_id=1, invitee_id=3, now=clock.now())
        await teams.organizer_move(
            session, rules, actor_id=99, member_id=2, team_name="Los Pumas", now=clock.now()
        )
        await teams.member_left_server(session, rules, user_id=5, now=clock.now())

    async with db.read() as session:
        entries = await audit.recent(session, limit=4)

    assert [(e.action, e.actor_id, e.member_id) for e in entries] == [
        ("team.member_left_server", None, 5),
        ("organizer.member_moved_in", 99, 2),
        ("organizer.member_moved_out", 99, 2),
        ("team.invited", 1, 3),
    ]


async def test_a_disband_confirmation_is_refused_once_its_team_changed(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    team_id = await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.read() as session:
        team = await teams.check_can_disband(session, rules, actor_id=1, now=clock.now())
    stamp = teams.created_stamp(team)
    async with db.transaction() as session:
        await teams.transfer(session, rules, actor_id=1, member_id=2, now=clock.now())

    async with db.transaction() as session:
        await refused(
            teams.disband(
                session, rules, actor_id=1, now=clock.now(), team_id=team_id, created=stamp
            ),
            "teams.errors.disband_not_captain",
        )
        await refused(
            teams.disband(
                session, rules, actor_id=2, now=clock.now(), team_id=team_id, created=stamp + 1
            ),
            "teams.errors.disband_gone",
        )
        result = await teams.disband(
            session, rules, actor_id=2, now=clock.now(), team_id=team_id, created=stamp
        )
    assert result.team.name == "Los Tigres"
    async with db.transaction() as session:
        await refused(
            teams.disband(
                session, rules, actor_id=2, now=clock.now(), team_id=team_id, created=stamp
            ),
            "teams.errors.disband_gone",
        )


async def _team(db: Database, rules: TeamRules, clock: ManualClock, name: str) -> int:
    async with db.read() as session:
        return (await teams.find_team(session, name, rules=rules, now=clock.now())).id
