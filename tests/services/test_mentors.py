"""Mentoring rules on a real database, and the reading of local times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import DomainError
from bot.services import mentors
from bot.services.mentors import MentorRules
from bot.services.mentors.stats import percentile
from bot.services.mentors.times import parse_length, parse_local, weekly, zone, zone_names
from bot.settings import Settings
from tests.services import assert_key, create, refused, rules_of

MADRID = ZoneInfo("Europe/Madrid")
MENTOR, OTHER_MENTOR, CAPTAIN, MEMBER, STRANGER = 100, 101, 1, 2, 3


def key_of(call: object, *args: object) -> str:
    with pytest.raises(DomainError) as info:
        call(*args)  # type: ignore[operator]
    assert_key(info.value, info.value.key)
    return info.value.key


def test_local_times_are_read_in_the_mentors_zone() -> None:
    assert parse_local("2024-03-12 18:00", MADRID) == datetime(2024, 3, 12, 17, tzinfo=UTC)
    assert parse_local("2024-07-12T18:00", MADRID) == datetime(2024, 7, 12, 16, tzinfo=UTC)
    mexico = zone("America/Mexico_City")
    assert parse_local("2024-03-12 18:00", mexico) == datetime(2024, 3, 13, 0, tzinfo=UTC)


def test_bad_times_are_refused_precisely() -> None:
    assert key_of(parse_local, "2024-03-12 25:00", MADRID) == "mentors.errors.bad_clock"
    assert key_of(parse_local, "2024-03-12 18:60", MADRID) == "mentors.errors.bad_clock"
    assert key_of(parse_local, "2024-13-01 18:00", MADRID) == "mentors.errors.bad_date"
    assert key_of(parse_local, "12/03/2024 18:00", MADRID) == "mentors.errors.bad_start"
    assert key_of(parse_local, "2024-03-31 02:30", MADRID) == "mentors.errors.nonexistent_time"
    assert key_of(zone, "Europe/Atlantis") == "mentors.errors.unknown_timezone"
    assert key_of(zone, "../etc/passwd") == "mentors.errors.unknown_timezone"


def test_an_hour_that_happens_twice_is_read_as_the_first() -> None:
    """Spain goes back from 03:00 to 02:00 on 27 October 2024: 02:30 is read in summer time."""
    assert parse_local("2024-10-27 02:30", MADRID) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)


def test_lengths() -> None:
    four = timedelta(hours=4)
    assert parse_length(None, timedelta(minutes=30), four) == timedelta(minutes=30)
    assert parse_length("1h30m", timedelta(minutes=30), four) == timedelta(minutes=90)
    assert parse_length("4h", timedelta(minutes=30), four) == four
    assert key_of(parse_length, "0m", timedelta(minutes=30), four) == "mentors.errors.duration_zero"
    assert (
        key_of(parse_length, "4h1m", timedelta(minutes=30), four)
        == "mentors.errors.duration_too_long"
    )
    assert (
        key_of(parse_length, "soon", timedelta(minutes=30), four) == "mentors.errors.bad_duration"
    )


def test_weekly_keeps_the_wall_clock_across_the_change() -> None:
    first = parse_local("2024-03-28 18:00", MADRID)
    assert weekly(first, 2, MADRID) == [
        datetime(2024, 3, 28, 17, tzinfo=UTC),
        datetime(2024, 4, 4, 16, tzinfo=UTC),
        datetime(2024, 4, 11, 16, tzinfo=UTC),
    ]


def test_zone_autocomplete() -> None:
    assert zone_names("america/mex")[0] == "America/Mexico_City"
    assert "Europe/Madrid" in zone_names("madrid")
    assert len(zone_names("")) == 25


def test_percentiles_are_nearest_rank() -> None:
    minutes = [timedelta(minutes=m) for m in (4, 1, 3, 2, 10)]
    assert percentile(minutes, 0.5) == timedelta(minutes=3)
    assert percentile(minutes, 0.9) == timedelta(minutes=10)
    assert percentile([], 0.5) is None


def rules(settings: Settings) -> MentorRules:
    return MentorRules.from_settings(settings.config)


async def setup_request(settings: Settings, db: Database, clock: ManualClock) -> int:
    now = clock.now()
    await create(db, rules_of(settings), now, CAPTAIN, "Los Tigres", members=(MEMBER,))
    await create(db, rules_of(settings), now, STRANGER, "Las Águilas")
    async with db.transaction() as session:
        for mentor in (MENTOR, OTHER_MENTOR):
            await mentors.set_profile(
                session,
                rules(settings),
                user_id=mentor,
                expertise="rag, datasets",
                languages="es",
                timezone=None,
                bio=None,
                now=now,
            )
        info = await mentors.create_request(
            session,
            rules(settings),
            user_id=MEMBER,
            topic="rag",
            details="¿Qué índice usamos?",
            mentor_id=None,
            now=now,
        )
    assert info.position == 1 and info.estimate is None
    assert info.ping_ids == (MENTOR, OTHER_MENTOR)
    return info.request.id


async def test_claim_release_resolve_and_rate_rules(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    request_id = await setup_request(settings, db, clock)
    now = clock.now()
    async with db.transaction() as session:
        await refused(
            mentors.release(session, request_id=request_id, mentor_id=MENTOR, now=now),
            "mentors.errors.request_not_claimed",
        )
    async with db.transaction() as session:
        claimed = await mentors.claim(session, request_id=request_id, mentor_id=MENTOR, now=now)
    assert claimed.status == "claimed" and claimed.member_ids == (CAPTAIN, MEMBER)
    async with db.transaction() as session:
        await refused(
            mentors.claim(session, request_id=request_id, mentor_id=OTHER_MENTOR, now=now),
            "mentors.errors.already_claimed",
        )
    async with db.transaction() as session:
        await refused(
            mentors.release(session, request_id=request_id, mentor_id=OTHER_MENTOR, now=now),
            "mentors.errors.not_your_claim",
        )
    async with db.transaction() as session:
        await refused(
            mentors.resolve(session, request_id=request_id, actor_id=STRANGER, now=now),
            "mentors.errors.not_your_request",
        )
    async with db.transaction() as session:
        await refused(
            mentors.rate(session, request_id=request_id, user_id=MEMBER, rating=5, now=now),
            "mentors.errors.not_resolved",
        )
    async with db.transaction() as session:
        done = await mentors.resolve(session, request_id=request_id, actor_id=CAPTAIN, now=now)
    assert done.status == "resolved"
    async with db.transaction() as session:
        await refused(
            mentors.claim(session, request_id=request_id, mentor_id=OTHER_MENTOR, now=now),
            "mentors.errors.request_closed",
        )
    async with db.transaction() as session:
        await refused(
            mentors.rate(session, request_id=request_id, user_id=MEMBER, rating=6, now=now),
            "mentors.errors.bad_rating",
        )
    async with db.transaction() as session:
        rated = await mentors.rate(
            session, request_id=request_id, user_id=MEMBER, rating=5, now=now
        )
    assert rated.rating == 5
    async with db.read() as session:
        figures = await mentors.stats(session, now)
    assert (figures.requests, figures.claims, figures.resolved) == (1, 1, 1)
    [mentor, other] = figures.mentors
    assert (mentor.mentor_id, mentor.sessions, mentor.rating_avg) == (MENTOR, 1, 5.0)
    assert (other.mentor_id, other.claims) == (OTHER_MENTOR, 0)


async def test_profile_refusals(settings: Settings, db: Database, clock: ManualClock) -> None:
    cases = [
        ({"expertise": " , "}, "mentors.errors.expertise_required"),
        ({"expertise": "rag", "languages": "es, español"}, "mentors.errors.bad_language"),
        ({"expertise": "rag", "bio": "mira <@123>"}, "mentors.errors.bio_mention"),
        ({"expertise": "rag", "bio": "x" * 301}, "mentors.errors.bio_too_long"),
    ]
    for options, key in cases:
        values = {"languages": None, "timezone": None, "bio": None, **options}
        async with db.transaction() as session:
            await refused(
                mentors.set_profile(
                    session, rules(settings), user_id=MENTOR, now=clock.now(), **values
                ),
                key,
            )
    async with db.read() as session:
        assert await mentors.get_profile(session, MENTOR) is None


async def test_slots_to_book_reads_the_team_with_the_slots(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    """What `mentor book` lists: free slots to come, soonest first, at most ``limit``, of the
    topic's mentors; None for a member in no team, whatever the topic."""
    now, nobody = clock.now(), 7
    await create(db, rules_of(settings), now, CAPTAIN, "Los Tigres", members=(MEMBER,))
    offered = []
    async with db.transaction() as session:
        for mentor, expertise in ((MENTOR, "rag, datasets"), (OTHER_MENTOR, "datasets")):
            await mentors.set_profile(
                session,
                rules(settings),
                user_id=mentor,
                expertise=expertise,
                languages="es",
                timezone=None,
                bio=None,
                now=now,
            )
        for day, mentor in ((23, MENTOR), (21, OTHER_MENTOR), (22, MENTOR), (24, OTHER_MENTOR)):
            offered += await mentors.add_slots(
                session,
                rules(settings),
                mentor_id=mentor,
                start=f"2024-03-{day} 18:00",
                duration=None,
                repeat_weeks=0,
                now=now,
            )

    async def listed(viewer: int, topic: str | None, limit: int = 25, at: datetime = now) -> object:
        async with db.read() as session:
            found = await mentors.slots_to_book(
                session, viewer_id=viewer, topic=topic, rules=rules(settings), now=at, limit=limit
            )
        return None if found is None else [(s.mentor_id, s.starts_at.day) for s in found]

    soonest = sorted(offered, key=lambda s: s.starts_at)
    assert await listed(MEMBER, None) == [(s.mentor_id, s.starts_at.day) for s in soonest]
    assert await listed(MEMBER, None, limit=2) == [(OTHER_MENTOR, 21), (MENTOR, 22)]
    assert await listed(MEMBER, " RAG ") == [(MENTOR, 22), (MENTOR, 23)]
    assert await listed(MEMBER, "datasets", limit=3) == [
        (OTHER_MENTOR, 21),
        (MENTOR, 22),
        (MENTOR, 23),
    ]
    assert await listed(MENTOR, None) is None  # a mentor in no team
    assert await listed(nobody, "rag") is None
    assert await listed(nobody, "astrology") is None  # no team is said before a bad topic
    with pytest.raises(DomainError) as refusal:
        await listed(MEMBER, "astrology")
    assert refusal.value.key == "mentors.errors.unknown_tag"
    later = soonest[-1].starts_at
    assert await listed(MEMBER, None, at=later) == []
    assert await listed(nobody, None, at=later) is None
