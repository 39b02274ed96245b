"""Verification rules on a real database (SQLite file, or PostgreSQL with TEST_DATABASE_URL):
one member per registration under concurrency, the attempt window, profiles."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.models.registration import MemberProfile
from bot.services import registration
from bot.services.limits import LimitReached
from bot.services.registration import Row, VerifyResult, VerifyRules

KEY = registration.registration_key("a-test-secret-of-enough-length")
RULES = VerifyRules(max_attempts=3, window=timedelta(minutes=30))


async def sign_up(db: Database, clock: ManualClock, *rows: Row, role: str = "participant") -> None:
    now = clock.now()
    await db.write(
        lambda session: registration.import_rows(
            session, KEY, list(rows), role=role, ticket_types=(), fmt="plain", now=now
        )
    )


async def verify(db: Database, clock: ManualClock, user_id: int, email: str) -> VerifyResult:
    now = clock.now()
    return await db.write(
        lambda session: registration.verify(
            session, KEY, RULES, user_id=user_id, email=email, now=now
        )
    )


async def test_two_members_racing_for_one_address_have_one_winner(
    db: Database, clock: ManualClock
) -> None:
    await sign_up(db, clock, *(Row(line=n, email=f"p{n}@example.org") for n in range(1, 9)))
    for n in range(1, 9):
        results = await asyncio.gather(
            *(verify(db, clock, 1000 * n + k, f"p{n}@example.org") for k in range(4))
        )
        outcomes = sorted(result.outcome for result in results)
        assert outcomes == ["taken", "taken", "taken", "verified"]
    async with db.read() as session:
        assert (await registration.counts(session))["verified"] == 8


async def test_attempts_count_per_window_and_the_limit_names_its_end(
    db: Database, clock: ManualClock
) -> None:
    await sign_up(db, clock, Row(line=1, email="ana@example.org"))
    start = clock.now()
    lefts = [(await verify(db, clock, 7, "nope@example.org")).attempts_left for _ in range(3)]
    assert lefts == [2, 1, 0]
    with pytest.raises(LimitReached) as caught:
        await verify(db, clock, 7, "ana@example.org")
    assert caught.value.params["when"] == start + RULES.window
    clock.advance(RULES.window)
    assert (await verify(db, clock, 7, "nope@example.org")).attempts_left == 2, "a new window"
    assert (await verify(db, clock, 7, "ana@example.org")).outcome == "verified"


async def test_verifying_fills_only_what_the_profile_lacks(
    db: Database, clock: ManualClock
) -> None:
    await sign_up(db, clock, Row(line=1, email="ana@example.org", country="MX", hub_user="ana"))
    now = clock.now()
    await db.write(
        lambda session: registration.update_profile(
            session, user_id=7, country="Perú", hub_user=None, now=now
        )
    )
    assert (await verify(db, clock, 7, "ana@example.org")).outcome == "verified"
    async with db.read() as session:
        profile = await session.get(MemberProfile, 7)
    assert profile is not None and (profile.country, profile.hub_user) == ("PE", "ana")


async def test_a_participant_who_is_also_a_mentor_gets_both_roles(
    db: Database, clock: ManualClock
) -> None:
    await sign_up(db, clock, Row(line=1, email="ana@example.org"))
    await sign_up(db, clock, Row(line=1, email="Ana@Example.org"), role="mentor")
    result = await verify(db, clock, 7, "ana@example.org")
    assert result.linked is not None and result.linked.roles == ("participant", "mentor")
