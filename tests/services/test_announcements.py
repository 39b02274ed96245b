"""Announcement rules on a real database: drafts, Confirm and Cancel acting once, scheduling
in the organizer's zone, and the text that reaches Discord."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.db import Database
from bot.errors import DomainError
from bot.services import announcements
from bot.services.announcements import Draft
from tests.services import assert_key

NOW = datetime(2024, 3, 20, 10, 0, tzinfo=UTC)


def draft(**changes: object) -> Draft:
    values: dict[str, object] = {"title": "Aviso", "body": "Texto", "channel_id": 900}
    values.update(changes)
    return Draft(**values)  # type: ignore[arg-type]


def test_a_time_is_read_in_the_organizers_zone() -> None:
    madrid = announcements.parse_when("2024-03-21 18:00", "Europe/Madrid", NOW)
    mexico = announcements.parse_when("21/03/2024 18:00", "America/Mexico_City", NOW)

    assert madrid == datetime(2024, 3, 21, 17, 0, tzinfo=UTC)
    assert mexico == datetime(2024, 3, 22, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "zone", "key"),
    [
        ("2024-03-20 10:59", "Europe/Madrid", "announcements.errors.past"),
        ("mañana a las 5", "Europe/Madrid", "announcements.errors.bad_time"),
        ("2024-03-21 18:00", "Marte/Olympus", "announcements.errors.bad_zone"),
        ("2024-03-21 18:00", "../../etc/passwd", "announcements.errors.bad_zone"),
    ],
)
def test_a_time_that_cannot_be_used_is_refused(text: str, zone: str, key: str) -> None:
    with pytest.raises(DomainError) as refused:
        announcements.parse_when(text, zone, NOW)
    assert_key(refused.value, key)


def test_the_text_shows_mass_mentions_as_text_and_keeps_markdown() -> None:
    body = "**Hoy** @everyone y @here\n```\n  código\n```\u200b"
    text = announcements.render("Título *raro* @everyone", body, None)

    title, *rest = text.split("\n")
    assert "@everyone" not in text and "@here" not in text
    assert title == "**Título \\*raro\\* @\u200beveryone**"
    assert rest[0] == "**Hoy** @\u200beveryone y @\u200bhere" and "  código" in rest


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"channel_id": None}, "announcements.errors.nowhere"),
        ({"title": " \u200b "}, "announcements.errors.empty"),
        ({"ping": "role"}, "announcements.errors.role_needed"),
        ({"dm_audience": "everybody"}, "announcements.errors.bad_audience"),
    ],
)
async def test_a_draft_that_cannot_be_sent_is_refused(
    db: Database, changes: dict[str, object], key: str
) -> None:
    with pytest.raises(DomainError) as refused:
        await db.write(
            lambda s: announcements.create_draft(s, draft(**changes), author_id=1, now=NOW)
        )
    assert_key(refused.value, key)


async def test_confirm_acts_once_even_when_pressed_twice_at_once(
    db: Database, clock: ManualClock
) -> None:
    stored = await db.write(lambda s: announcements.create_draft(s, draft(), author_id=1, now=NOW))
    other = Database(db.url)
    try:
        results = await asyncio.gather(
            db.write(lambda s: announcements.confirm(s, stored.id, actor_id=1, now=NOW)),
            other.write(lambda s: announcements.confirm(s, stored.id, actor_id=1, now=NOW)),
            return_exceptions=True,
        )
    finally:
        await other.dispose()

    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1, results
    assert_key(refused[0], "announcements.errors.already_answered")
    async with db.read() as session:
        [view] = await announcements.listing(session, limit=10)
    assert (view.status, view.publish_at) == ("scheduled", NOW)


async def test_only_the_author_answers_a_draft_and_only_while_it_is_fresh(db: Database) -> None:
    first = await db.write(lambda s: announcements.create_draft(s, draft(), author_id=1, now=NOW))
    later = NOW + timedelta(hours=2)

    with pytest.raises(DomainError) as stranger:
        await db.write(lambda s: announcements.confirm(s, first.id, actor_id=2, now=NOW))
    with pytest.raises(DomainError) as stale:
        await db.write(lambda s: announcements.confirm(s, first.id, actor_id=1, now=later))

    assert_key(stranger.value, "announcements.errors.not_yours")
    assert_key(stale.value, "announcements.errors.draft_expired")
    async with db.read() as session:
        assert await announcements.state_snapshot(session) == []


async def test_a_scheduled_time_that_passed_before_confirm_is_refused(db: Database) -> None:
    when = NOW + timedelta(minutes=5)
    stored = await db.write(
        lambda s: announcements.create_draft(s, draft(publish_at=when), author_id=1, now=NOW)
    )
    later = NOW + timedelta(minutes=30)

    with pytest.raises(DomainError) as refused:
        await db.write(lambda s: announcements.confirm(s, stored.id, actor_id=1, now=later))
    assert_key(refused.value, "announcements.errors.past")


async def test_only_scheduled_announcements_can_be_cancelled(db: Database) -> None:
    stored = await db.write(lambda s: announcements.create_draft(s, draft(), author_id=1, now=NOW))
    await db.write(lambda s: announcements.confirm(s, stored.id, actor_id=1, now=NOW))
    await db.write(lambda s: announcements.start(s, stored.id, [5, 6], NOW))

    with pytest.raises(DomainError) as refused:
        await db.write(lambda s: announcements.cancel(s, stored.id, actor_id=1, now=NOW))
    assert_key(refused.value, "announcements.errors.not_cancellable")
