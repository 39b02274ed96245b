"""Looking-for-team profiles and matching."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.services import teams
from bot.services.teams import TeamRules, lft
from bot.services.teams.matching import (
    REASON_LANGUAGE,
    REASON_NEW,
    REASON_OPEN,
    REASON_TIME_ZONE,
    REASON_WANTED,
)
from tests.services import create, refused, rules_of


@pytest.fixture
def rules(settings) -> TeamRules:  # type: ignore[no-untyped-def]
    return rules_of(settings)


async def _post(
    db: Database,
    clock: ManualClock,
    user_id: int,
    skills: list[str],
    languages: tuple[str, ...] = (),
    *,
    offset: int | None = None,
) -> lft.LftView:
    async with db.transaction() as session:
        return await lft.post_profile(
            session,
            user_id=user_id,
            skills=skills,
            languages=list(languages),
            note=None,
            utc_offset_minutes=offset,
            now=clock.now(),
        )


async def test_post_cleans_and_dedupes(db: Database, clock: ManualClock) -> None:
    async with db.transaction() as session:
        profile = await lft.post_profile(
            session,
            user_id=1,
            skills=[" Python ", "python", "PYTHÓN", "data\u200bsets", ""],
            languages=["ES", "es", "ca"],
            note="  Hola\u200b,   busco   equipo  ",
            utc_offset_minutes=-360,
            now=clock.now(),
        )
    assert profile.skills == ("Python", "datasets")
    assert profile.languages == ("es", "ca")
    assert profile.note == "Hola, busco equipo" and profile.looking


async def test_post_replaces_and_keeps_the_forum_post(db: Database, clock: ManualClock) -> None:
    await _post(db, clock, 1, ["python"])
    async with db.transaction() as session:
        await lft.set_profile_post(session, 1, 321)
    profile = await _post(db, clock, 1, ["rust"])
    assert profile.skills == ("rust",) and profile.post_id == 321


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"skills": []}, "teams.errors.skills_required"),
        ({"skills": [f"s{n}" for n in range(11)]}, "teams.errors.skills_too_many"),
        ({"skills": ["x" * 31]}, "teams.errors.skills_too_long"),
        ({"skills": ["<@123>"]}, "teams.errors.skills_mention"),
        ({"languages": ["@everyone"]}, "teams.errors.languages_mention"),
        ({"note": "x" * 301}, "teams.errors.note_too_long"),
        ({"utc_offset_minutes": 15 * 60}, "teams.errors.bad_offset"),
    ],
)
async def test_post_refusals(db: Database, clock: ManualClock, changes: dict, key: str) -> None:  # type: ignore[type-arg]
    values = {"skills": ["python"], "languages": ["es"], "note": None, "utc_offset_minutes": 0}
    async with db.transaction() as session:
        await refused(
            lft.post_profile(session, user_id=1, now=clock.now(), **(values | changes)), key
        )


async def test_member_with_team_cannot_post(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        await refused(
            lft.post_profile(
                session,
                user_id=1,
                skills=["python"],
                languages=[],
                note=None,
                utc_offset_minutes=None,
                now=clock.now(),
            ),
            "teams.errors.lft_in_team",
        )


async def test_remove_returns_the_post_to_delete(db: Database, clock: ManualClock) -> None:
    await _post(db, clock, 1, ["python"])
    async with db.transaction() as session:
        await lft.set_profile_post(session, 1, 777)
        removed = await lft.remove_profile(session, 1)
        again = await lft.remove_profile(session, 1)
        await refused(lft.set_profile_post(session, 1, 1), "teams.errors.lft_not_found")
    assert removed is not None and removed.post_id == 777 and again is None


async def test_match_for_team_prefers_complementary_skills_language_and_time_zone(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await _post(db, clock, 1, ["python", "datasets"], ("es",), offset=60)
    team_id = await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        await teams.update_team_profile(
            session, rules, actor_id=1, now=clock.now(), looking_for=["evaluación"]
        )
    await _post(db, clock, 10, ["python", "datasets"], ("es",), offset=60)  # nothing new
    await _post(db, clock, 11, ["gradio"], ("es",), offset=-360)  # new skill, far away
    await _post(db, clock, 12, ["Evaluacion"], ("es",), offset=120)  # wanted skill, near
    await _post(db, clock, 13, ["gradio"], ("es",), offset=60)  # new skill, same zone
    await _post(db, clock, 14, ["gradio", "evaluación"], ("en",), offset=60)  # no shared language
    async with db.read() as session:
        matches = await lft.match_for_team(session, rules, captain_id=1)
    assert [m.user_id for m in matches] == [12, 13, 11, 10]
    assert matches[0].reasons == [REASON_WANTED, REASON_LANGUAGE, REASON_TIME_ZONE]
    assert matches[1].reasons == [REASON_NEW, REASON_LANGUAGE, REASON_TIME_ZONE]
    assert matches[0].fit.wanted_skills == ("Evaluacion",)
    assert team_id


async def test_match_ties_go_to_the_earlier_profile(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    await _post(db, clock, 21, ["gradio"])
    clock.advance(timedelta(minutes=1))
    await _post(db, clock, 20, ["gradio"])
    async with db.read() as session:
        matches = await lft.match_for_team(session, rules, captain_id=1, limit=1)
    assert [m.user_id for m in matches] == [21]


async def test_match_for_team_refusals(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.read() as session:
        await refused(lft.match_for_team(session, rules, captain_id=2), "teams.errors.not_captain")
        await refused(lft.match_for_team(session, rules, captain_id=3), "teams.errors.not_in_team")


async def test_a_full_team_is_told_it_needs_nobody_not_to_look_for_another(
    db: Database,
    settings,
    clock: ManualClock,  # type: ignore[no-untyped-def]
) -> None:
    rules = rules_of(settings, max_size=2)
    await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.read() as session:
        error = await refused(
            lft.match_for_team(session, rules, captain_id=1), "teams.errors.team_full_match"
        )
    assert error.params == {"team": "Los Tigres", "count": 2}


async def test_match_for_member_ranks_fitting_teams(
    db: Database,
    settings,
    clock: ManualClock,  # type: ignore[no-untyped-def]
) -> None:
    rules = rules_of(settings, max_size=2)
    await _post(db, clock, 1, ["python"], ("es",), offset=60)
    await create(db, rules, clock.now(), 1, "Pythonistas", open=False)
    await _post(db, clock, 2, ["gradio"], ("es",), offset=60)
    await create(db, rules, clock.now(), 2, "Abiertos", open=True)
    await _post(db, clock, 3, ["rust"], ("en",), offset=60)
    await create(db, rules, clock.now(), 3, "English", open=True)
    await create(db, rules, clock.now(), 4, "Completo", open=True, members=(5,))
    await _post(db, clock, 9, ["python", "gradio"], ("es",), offset=120)
    async with db.read() as session:
        found = await lft.match_for_member(session, rules, user_id=9, now=clock.now())
    assert [m.team.name for m in found] == ["Abiertos", "Pythonistas"]
    assert REASON_OPEN in found[0].reasons and found[0].score > found[1].score


async def test_match_for_member_refusals(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.read() as session:
        await refused(
            lft.match_for_member(session, rules, user_id=1, now=clock.now()),
            "teams.errors.already_in_team",
        )
        await refused(
            lft.match_for_member(session, rules, user_id=2, now=clock.now()),
            "teams.errors.lft_not_found",
        )
