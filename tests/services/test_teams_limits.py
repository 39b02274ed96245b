"""Limits per member (issue #16), in the services: the rules with ids, values and ``now``.

Every refusal is a ``LimitReached`` naming its limit (for the audit log) with a catalog key
whose placeholders its parameters fill, in both languages. Also the pieces of text hygiene the
issue asked for: look-alike letters folded into team-name keys, and plain post titles.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.clock import ManualClock
from bot.db import Database
from bot.migrate import upgrade
from bot.models import AuditEntry, JoinRequest
from bot.services import teams
from bot.services.limits import record_hit
from bot.services.teams import LimitReached, TeamRules, lft
from bot.services.teams.limits import LIMITS
from bot.services.teams.names import CONFUSABLES, name_key
from bot.settings import Settings
from bot.text import fold
from tests.services import create, refused, rules_of


@pytest.fixture
def rules(settings: Settings) -> TeamRules:
    return rules_of(settings)


def test_the_configured_limits_are_sane(rules: TeamRules, settings: Settings) -> None:
    assert rules.invitation_overbooking == 0
    assert rules.reinvite_cooldown == timedelta(hours=24)
    assert rules.join_request_cooldown == timedelta(hours=1)
    assert rules.create_cooldown == timedelta(minutes=10)
    assert rules.lft_post_cooldown == timedelta(minutes=5)
    for limit, key in LIMITS.items():
        if key is not None:
            section, name = key.split(".")
            assert hasattr(getattr(settings.config, section), name), limit


# -- pending invitations within the free places --------------------------------------------------
async def test_pending_invitations_stay_within_free_places(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    rules = rules_of_size(rules, 3)
    team_id = await create(db, rules, clock.now(), 1, "Los Tigres", members=(2,))
    async with db.transaction() as session:
        await teams.invite(session, rules, actor_id=1, invitee_id=3, now=clock.now())

    async with db.transaction() as session:
        error = await refused(
            teams.invite(session, rules, actor_id=2, invitee_id=4, now=clock.now()),
            "teams.errors.invitations_pending",
        )
    assert isinstance(error, LimitReached) and error.limit == "pending_invitations"
    assert (error.subject, error.params) == ("Los Tigres", {"team": "Los Tigres", "count": 1})
    # An expired invitation no longer holds its place.
    later = clock.now() + rules.invitation_ttl
    async with db.transaction() as session:
        await teams.invite(session, rules, actor_id=2, invitee_id=4, now=later)
    assert team_id


async def test_overbooking_allows_more_pending_invitations(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    rules = rules_of_size(rules, 2, invitation_overbooking=1)
    await create(db, rules, clock.now(), 1, "Los Tigres")
    for invitee in (2, 3):
        async with db.transaction() as session:
            await teams.invite(session, rules, actor_id=1, invitee_id=invitee, now=clock.now())
    async with db.transaction() as session:
        await refused(
            teams.invite(session, rules, actor_id=1, invitee_id=4, now=clock.now()),
            "teams.errors.invitations_pending",
        )


# -- re-inviting someone who declined ------------------------------------------------------------
async def test_reinviting_someone_who_declined_waits_for_the_cooldown(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        invitation = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
    declined_at = clock.now() + timedelta(minutes=1)
    async with db.transaction() as session:
        await teams.answer_invitation(
            session, rules, invitation_id=invitation.id, user_id=2, accept=False, now=declined_at
        )

    just_before = declined_at + rules.reinvite_cooldown - timedelta(seconds=1)
    async with db.transaction() as session:
        error = await refused(
            teams.invite(session, rules, actor_id=1, invitee_id=2, now=just_before),
            "teams.errors.reinvite_cooldown",
        )
    assert error.params["when"] == declined_at + rules.reinvite_cooldown
    # Another team may invite them at once; this one once the cooldown is over.
    await create(db, rules, clock.now(), 5, "Los Pumas")
    async with db.transaction() as session:
        await teams.invite(session, rules, actor_id=5, invitee_id=2, now=just_before)
    async with db.transaction() as session:
        await teams.invite(
            session, rules, actor_id=1, invitee_id=2, now=declined_at + rules.reinvite_cooldown
        )


async def test_a_zero_cooldown_is_off(db: Database, rules: TeamRules, clock: ManualClock) -> None:
    rules = rules_of_size(rules, 5, reinvite_cooldown=timedelta(0))
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        invitation = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
    async with db.transaction() as session:
        await teams.answer_invitation(
            session, rules, invitation_id=invitation.id, user_id=2, accept=False, now=clock.now()
        )
    async with db.transaction() as session:
        await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())


# -- repeating a join request --------------------------------------------------------------------
async def test_a_join_request_is_repeated_only_after_the_cooldown(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    now = clock.now()
    async with db.transaction() as session:
        await teams.join(session, rules, user_id=2, team_name="Los Tigres", now=now)
    async with db.transaction() as session:  # still pending: the usual refusal comes first
        await refused(
            teams.join(session, rules, user_id=2, team_name="Los Tigres", now=now),
            "teams.errors.already_requested",
        )
    # Her own team cancels the request; disbanding it does not let her ask again at once.
    await create(db, rules, now, 2, "Las Panteras")
    async with db.transaction() as session:
        await teams.disband(session, rules, actor_id=2, now=now)
    async with db.transaction() as session:
        error = await refused(
            teams.join(session, rules, user_id=2, team_name="Los Tigres", now=now),
            "teams.errors.join_request_cooldown",
        )
    assert isinstance(error, LimitReached) and error.subject == "Los Tigres"
    async with db.transaction() as session:
        result = await teams.join(
            session,
            rules,
            user_id=2,
            team_name="Los Tigres",
            now=now + rules.join_request_cooldown,
        )
    assert result.kind == "requested"


async def test_a_withdrawn_request_starts_no_cooldown_and_closes_only_once(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    """A request the bot could not deliver is withdrawn: cancelled, answered by its member,
    audited; asking again is allowed at once. A request answered meanwhile stays answered."""
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    now = clock.now()
    async with db.transaction() as session:
        first = await teams.join(session, rules, user_id=2, team_name="Los Tigres", now=now)
    assert first.request_id is not None
    async with db.transaction() as session:
        assert await teams.withdraw_request(session, first.request_id, now) is True
    async with db.transaction() as session:
        assert await teams.withdraw_request(session, first.request_id, now) is False
    async with db.read() as session:
        row = await session.get(JoinRequest, first.request_id)
        assert row is not None
        assert (row.status, row.answered_by, row.answered_at) == ("cancelled", 2, now)
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("team.request%"))
            )
        )
    assert actions == ["team.request_withdrawn"]

    async with db.transaction() as session:
        again = await teams.join(session, rules, user_id=2, team_name="Los Tigres", now=now)
    assert again.kind == "requested" and again.request_id is not None
    async with db.transaction() as session:
        await teams.answer_join_request(
            session, rules, request_id=again.request_id, actor_id=1, accept=False, now=now
        )
        assert await teams.withdraw_request(session, again.request_id, now) is False
    async with db.read() as session:
        answered = await session.get(JoinRequest, again.request_id)
    assert answered is not None and (answered.status, answered.answered_by) == ("declined", 1)
    # A request the captain answered does start the cooldown.
    async with db.transaction() as session:
        await refused(
            teams.join(session, rules, user_id=2, team_name="Los Tigres", now=now),
            "teams.errors.join_request_cooldown",
        )


# -- creating teams, posting profiles ------------------------------------------------------------
async def test_a_member_creates_one_team_per_cooldown(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    now = clock.now()
    await create(db, rules, now, 1, "Los Tigres")
    async with db.transaction() as session:
        await teams.disband(session, rules, actor_id=1, now=now)
    async with db.read() as session:
        error = await refused(
            teams.check_can_create(session, rules, captain_id=1, name="Los Pumas", now=now),
            "teams.errors.create_cooldown",
        )
    assert error.params == {"when": now + rules.create_cooldown}
    await create(db, rules, now, 2, "Los Pumas")  # others are not held back
    await create(db, rules, now + rules.create_cooldown, 1, "Las Panteras")


async def test_a_new_lft_post_waits_for_the_cooldown_an_edit_does_not(
    db: Database, clock: ManualClock, rules: TeamRules
) -> None:
    cooldown = rules.lft_post_cooldown
    now = clock.now()

    async def post(at: datetime, skills: str = "python") -> lft.LftView:
        async with db.transaction() as session:
            view = await lft.post_profile(
                session,
                user_id=7,
                skills=[skills],
                languages=[],
                note=None,
                utc_offset_minutes=None,
                now=at,
                cooldown=cooldown,
            )
            await lft.set_profile_post(session, 7, 700)
            return view

    await post(now)
    await post(now, "datasets")  # the shown post is edited: free
    async with db.transaction() as session:
        await lft.remove_profile(session, 7)
    async with db.transaction() as session:
        await refused(
            lft.post_profile(
                session,
                user_id=7,
                skills=["python"],
                languages=[],
                note=None,
                utc_offset_minutes=None,
                now=now,
                cooldown=cooldown,
            ),
            "teams.errors.lft_post_cooldown",
        )
    await post(now + cooldown)
    async with db.read() as session:
        posted = list(
            await session.scalars(select(AuditEntry.at).where(AuditEntry.action == "lft.posted"))
        )
    assert posted == [now, now + cooldown]


async def test_a_hit_is_recorded_for_organizers(db: Database, clock: ManualClock) -> None:
    async with db.transaction() as session:
        await record_hit(session, actor_id=9, limit="busy", subject=None, now=clock.now())
    async with db.read() as session:
        [entry] = await session.scalars(select(AuditEntry))
    assert (entry.actor_id, entry.action, entry.subject) == (9, "limit.busy", None)


# -- look-alike letters and plain titles ---------------------------------------------------------
def test_every_confusable_maps_a_letter_of_another_script_to_a_latin_one() -> None:
    for source, target in CONFUSABLES.items():
        assert not source.isascii() and unicodedata.category(source).startswith("L"), source
        assert target.isascii() and target.isalpha(), source
        # A capital stands for a capital, a small letter for a small one.
        assert source.isupper() == target.isupper(), source
        # NFKC leaves it alone (else ``clean`` would already fold it).
        assert unicodedata.normalize("NFKC", source) == source, source


@pytest.mark.parametrize(
    "look_alike",
    [
        "L\u043es Tigres",
        "\u041c\u0410\u0420\u0415",  # Cyrillic МАРЕ
        "L\u03bfs \u03a4igres",
        "\uff2c\uff4f\uff53 Tigres",  # full-width (NFKC)
        "Los  TIGRES",
        "Lós Tigrés",
    ],
)
def test_look_alike_names_share_the_key(look_alike: str) -> None:
    plain = "MAPE" if look_alike.startswith("\u041c") else "Los Tigres"
    assert name_key(look_alike) == name_key(plain)


def test_different_names_keep_different_keys() -> None:
    assert name_key("Los Tigres") != name_key("Los Tigros")
    assert name_key("\u0422\u0438\u0433\u0440\u044b") != name_key("\u041b\u0438\u0433\u0440\u044b")


async def test_a_look_alike_name_is_refused_as_taken(
    db: Database, rules: TeamRules, clock: ManualClock
) -> None:
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.read() as session:
        await refused(
            teams.check_can_create(
                session, rules, captain_id=2, name="L\u043es Tigres", now=clock.now()
            ),
            "teams.errors.name_taken",
        )
        found = await teams.find_team(session, "L\u03bfs Tigres", rules=rules, now=clock.now())
    assert found.name == "Los Tigres"


@pytest.mark.parametrize(
    ("display", "title"),
    [
        ("@everyone", "everyone"),
        ("<@123> ana", "ana"),
        ("**Ana** ~~x~~ `y`", "Ana x y"),
        ("Ana [x](https://evil.example)", "Ana x"),
        ("-# pequeña", "pequeña"),
        ("\u200bEve\u202e", "Eve"),
        ("Jean-Luc", "Jean-Luc"),
        ("__", "42"),
        ("", "42"),
        ("x" * 200, "x" * 80),
    ],
)
def test_post_titles_are_plain_words(display: str, title: str) -> None:
    assert lft.post_title(display, "42") == title


def rules_of_size(rules: TeamRules, max_size: int, **changes: Any) -> TeamRules:
    return replace(rules, max_size=max_size, **changes)


async def test_migration_0002_rekeys_existing_teams(tmp_path: Path) -> None:
    """Teams stored before look-alike folding get the new key, so lookups keep finding them;
    of two teams that now collide, the older is rekeyed and the other keeps its key."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'upgrade.db'}"
    await upgrade(url, "0001")
    db = Database(url)
    names = ["L\u043es Tigres", "Los Pumas", "L\u043es Pumas"]
    try:
        async with db.engine.begin() as conn:
            for number, name in enumerate(names, start=1):
                await conn.execute(
                    text(
                        "INSERT INTO teams (id, name, name_key, captain_id, open, size, locked,"
                        " languages, looking_for, created_at, updated_at) VALUES (:id, :name,"
                        " :key, :id, 0, 1, 0, '[]', '[]', '2024-03-01', '2024-03-01')"
                    ),
                    {"id": number, "name": name, "key": fold(name)},
                )
        await upgrade(url)
        async with db.engine.connect() as conn:
            keys = dict((await conn.execute(text("SELECT name, name_key FROM teams"))).all())
    finally:
        await db.dispose()
    assert keys == {
        "L\u043es Tigres": "los tigres",
        "Los Pumas": "los pumas",
        "L\u043es Pumas": fold("L\u043es Pumas"),
    }
