"""Creating, finding, listing, renaming, handing over and disbanding teams."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import DomainError
from bot.models import AuditEntry, Invitation, Team, TeamMember
from bot.services import teams
from bot.services.teams import TeamRules
from tests.services import add, create, refused, rules_of


@pytest.fixture
def rules(settings) -> TeamRules:  # type: ignore[no-untyped-def]
    return rules_of(settings)


async def test_creator_becomes_captain_and_only_member(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    async with db.transaction() as session:
        change = await teams.create_team(
            session,
            rules,
            captain_id=1,
            name="  Los   Tigres ",
            description="NLP en español",
            open=True,
            now=clock.now(),
            thread_id=10,
            forum_post_id=20,
        )
    team = change.team
    assert (team.name, team.captain_id, team.member_ids, team.size) == ("Los Tigres", 1, (1,), 1)
    assert (team.open, team.locked, team.free_places, team.full) == (True, False, 4, False)
    assert (team.thread_id, team.forum_post_id, team.created_at) == (10, 20, clock.now())
    async with db.read() as session:
        assert (
            await session.scalar(select(TeamMember.team_id).where(TeamMember.user_id == 1))
            == team.id
        )
        audit = await session.scalar(select(AuditEntry.action))
    assert audit == "team.created"


async def test_check_can_create_returns_display_name(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    async with db.read() as session:
        name = await teams.check_can_create(
            session, rules, captain_id=1, name="los  tígres", now=clock.now()
        )
    assert name == "los tígres"


async def test_name_taken_after_folding(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    await create(db, rules, clock.now(), 1, "Los Tígres")
    async with db.transaction() as session:
        await refused(
            teams.create_team(
                session,
                rules,
                captain_id=2,
                name="los  TIGRES",
                description=None,
                open=False,
                now=clock.now(),
            ),
            "teams.errors.name_taken",
        )


async def test_captain_already_in_team_cannot_create(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.read() as session:
        await refused(
            teams.check_can_create(session, rules, captain_id=1, name="Otro", now=clock.now()),
            "teams.errors.already_in_team",
        )


async def test_concurrent_creation_of_one_name_has_one_winner(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    async def attempt(captain: int) -> str:
        try:
            async with db.transaction() as session:
                await teams.create_team(
                    session,
                    rules,
                    captain_id=captain,
                    name="Los Tigres",
                    description=None,
                    open=True,
                    now=clock.now(),
                )
        except DomainError as error:
            return error.key
        return "created"

    outcomes = await asyncio.gather(attempt(1), attempt(2))
    assert sorted(outcomes) == ["created", "teams.errors.name_taken"]
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Team)) == 1
        assert await session.scalar(select(func.count()).select_from(TeamMember)) == 1


async def test_set_discord_refs(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    team_id = await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        await teams.set_discord_refs(session, team_id, thread_id=111, forum_post_id=222)
    async with db.read() as session:
        team = await teams.get_team(session, team_id, rules=rules, now=clock.now())
    assert (team.thread_id, team.forum_post_id) == (111, 222)


async def test_find_team_and_team_of(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    team_id = await create(db, rules, clock.now(), 1, "Los Tígres", members=(2,))
    async with db.read() as session:
        found = await teams.find_team(session, "los tigres", rules=rules, now=clock.now())
        mine = await teams.team_of(session, 2, rules=rules, now=clock.now())
        nobody = await teams.team_of(session, 3, rules=rules, now=clock.now())
        await refused(
            teams.find_team(session, "Pumas", rules=rules, now=clock.now()),
            "teams.errors.team_not_found",
        )
    assert found.id == team_id and mine is not None and mine.id == team_id
    assert found.member_ids == (1, 2) and nobody is None


async def test_search_prefix_first_then_contains(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    await create(db, rules, clock.now(), 2, "Tigresas")
    await create(db, rules, clock.now(), 3, "Pumas")
    async with db.read() as session:
        found = await teams.search_team_names(session, "TIG", rules=rules, now=clock.now())
        every = await teams.search_team_names(session, "", rules=rules, now=clock.now())
    assert [team.name for team in found] == ["Tigresas", "Los Tigres"]
    assert [team.name for team in every] == ["Los Tigres", "Pumas", "Tigresas"]


async def test_search_only_joinable_skips_full_teams(
    db: Database,
    settings,
    clock: ManualClock,  # type: ignore[no-untyped-def]
) -> None:
    rules = rules_of(settings, max_size=2)
    await create(db, rules, clock.now(), 1, "Tigres", members=(2,))
    await create(db, rules, clock.now(), 3, "Tigrillos")
    async with db.read() as session:
        found = await teams.search_team_names(
            session, "tig", only_joinable=True, rules=rules, now=clock.now()
        )
    assert [team.name for team in found] == ["Tigrillos"]


async def test_list_pages_in_creation_order(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    for number in range(5):
        await create(db, rules, clock.now(), 100 + number, f"Equipo {number}")
        clock.advance(timedelta(minutes=1))
    async with db.read() as session:
        second = await teams.list_teams(session, rules, page=2, page_size=2, now=clock.now())
        beyond = await teams.list_teams(session, rules, page=9, page_size=2, now=clock.now())
    assert [team.name for team in second.items] == ["Equipo 2", "Equipo 3"]
    assert (second.page, second.pages, second.total) == (2, 3, 5)
    assert beyond.page == 3 and [team.name for team in beyond.items] == ["Equipo 4"]
    assert second.items[0].free_places == 4


async def test_state_snapshot(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    team_id = await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.read() as session:
        state = await teams.state_snapshot(session, rules, clock.now())
    assert state == [
        {
            "team_id": team_id,
            "name": "Los Tigres",
            "captain_id": 1,
            "member_ids": [1, 2],
            "locked": False,
        }
    ]


async def test_rename_by_captain(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        result = await teams.rename(session, rules, actor_id=1, name="Las Pumas", now=clock.now())
    assert (result.old_name, result.team.name) == ("Los Tigres", "Las Pumas")
    async with db.read() as session:
        await teams.find_team(session, "las pumas", rules=rules, now=clock.now())


async def test_rename_changing_only_case_is_allowed(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "los tigres")
    async with db.transaction() as session:
        result = await teams.rename(session, rules, actor_id=1, name="Los Tigres", now=clock.now())
    assert result.team.name == "Los Tigres"


async def test_rename_refusals(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    await create(db, rules, clock.now(), 3, "Pumas")
    async with db.transaction() as session:
        await refused(
            teams.rename(session, rules, actor_id=2, name="Otro", now=clock.now()),
            "teams.errors.not_captain",
        )
        await refused(
            teams.rename(session, rules, actor_id=1, name="PUMAS", now=clock.now()),
            "teams.errors.name_taken",
        )
        await refused(
            teams.rename(session, rules, actor_id=1, name="Los Tigres", now=clock.now()),
            "teams.errors.same_name",
        )
        await refused(
            teams.rename(session, rules, actor_id=9, name="Otro", now=clock.now()),
            "teams.errors.not_in_team",
        )


async def test_transfer_captaincy(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.transaction() as session:
        team = await teams.transfer(session, rules, actor_id=1, member_id=2, now=clock.now())
    assert team.captain_id == 2


async def test_transfer_refusals(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.transaction() as session:
        await refused(
            teams.transfer(session, rules, actor_id=1, member_id=1, now=clock.now()),
            "teams.errors.already_captain",
        )
        await refused(
            teams.transfer(session, rules, actor_id=1, member_id=7, now=clock.now()),
            "teams.errors.member_not_in_team",
        )
        await refused(
            teams.transfer(session, rules, actor_id=2, member_id=1, now=clock.now()),
            "teams.errors.not_captain",
        )


async def test_update_team_profile(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        team = await teams.update_team_profile(
            session,
            rules,
            actor_id=1,
            now=clock.now(),
            open=False,
            languages=["es", "ES", "ca"],
            looking_for=["evaluación"],
        )
    assert (team.open, team.languages, team.looking_for) == (False, ("es", "ca"), ("evaluación",))


async def test_disband_by_captain_closes_pending_items(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    team_id = await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.transaction() as session:
        invitation = await teams.invite(session, rules, actor_id=1, invitee_id=5, now=clock.now())
        await teams.set_invitation_message(session, invitation.id, 50, 51)
    async with db.transaction() as session:
        result = await teams.disband(session, rules, actor_id=1, now=clock.now())
    assert result.member_ids == (1, 2) and result.team.id == team_id and not result.by_organizer
    assert [
        (c.kind, c.id, c.user_id, c.channel_id, c.message_id, c.status) for c in result.closed
    ] == [("invitation", invitation.id, 5, 50, 51, "cancelled")]
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Team)) == 0
        assert await session.scalar(select(func.count()).select_from(TeamMember)) == 0
        assert await session.scalar(select(func.count()).select_from(Invitation)) == 0


async def test_disband_needs_the_captain(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.transaction() as session:
        await refused(
            teams.disband(session, rules, actor_id=2, now=clock.now()), "teams.errors.not_captain"
        )


async def test_disbanded_name_is_free_again(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        await teams.disband(session, rules, actor_id=1, now=clock.now())
    await create(db, rules, clock.now(), 2, "los tigres")


async def test_min_size_is_reported(db: Database, settings, clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    rules = rules_of(settings, min_size=2)
    team_id = await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.read() as session:
        alone = await teams.get_team(session, team_id, rules=rules, now=clock.now())
    change = await add(db, rules, clock.now(), 2, team_id)
    assert not alone.meets_minimum and change.team.meets_minimum
