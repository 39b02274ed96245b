"""The team jobs run on a narrow context, without a bot: what they deliver is observed through
the notifier, what they change through the database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db import Database
from bot.discord.mentions import mention
from bot.i18n import Message
from bot.models import Invitation
from bot.services import teams
from bot.settings import Settings
from jobs import teams_expiry, teams_lock_notice
from tests.services import create, rules_of
from tests.test_jobs import RecordingNotifier, make_context


async def test_expiry_closes_the_invitation_message_and_records_the_count(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    """The invitee's DM is edited in the invitee's language; the inviter, who waited, hears by
    DM that nobody answered."""
    rules = rules_of(settings)
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.transaction() as session:
        invitation = await teams.invite(session, rules, actor_id=1, invitee_id=2, now=clock.now())
        await teams.set_invitation_message(session, invitation.id, 555, 777)
    ctx = make_context(settings, db, clock)
    assert await teams_expiry.expire(ctx) is None  # nothing due yet
    clock.advance(rules.invitation_ttl + timedelta(seconds=1))

    detail = await teams_expiry.expire(ctx)

    assert detail == "core.jobs.expired|1"
    assert isinstance(ctx.notifier, RecordingNotifier)
    assert ctx.notifier.sent == [
        (
            "edit",
            (555, 777, 2),
            Message(
                "teams.closed.invitation", team="Los Tigres", status=Message("teams.status.expired")
            ),
        ),
        (
            "dm",
            1,
            Message("teams.outcome.invitation_expired", member=mention(2), team="Los Tigres"),
        ),
    ]
    async with db.read() as session:
        status = await session.scalar(select(Invitation.status))
    assert status == "expired"
    assert await teams_expiry.waiting(ctx) == 0


async def test_an_expired_join_request_is_reported_to_the_member_who_asked(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    """The request sits in the team's thread, written for the captain: edited in the captain's
    language; the member who was promised an answer hears that none came."""
    rules = rules_of(settings)
    await create(db, rules, clock.now(), 1, "Los Tigres", open=False)
    async with db.transaction() as session:
        request = await teams.join(
            session, rules, user_id=2, team_name="Los Tigres", now=clock.now()
        )
        assert request.request_id is not None
        await teams.set_request_message(session, request.request_id, 555, 888)
    ctx = make_context(settings, db, clock)
    clock.advance(rules.invitation_ttl + timedelta(seconds=1))

    await teams_expiry.expire(ctx)

    assert isinstance(ctx.notifier, RecordingNotifier)
    assert ctx.notifier.sent == [
        (
            "edit",
            (555, 888, 1),
            Message(
                "teams.closed.request", member=mention(2), status=Message("teams.status.expired")
            ),
        ),
        ("dm", 2, Message("teams.outcome.request_expired", team="Los Tigres")),
    ]


async def test_deadline_is_announced_once_at_the_deadline(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    ctx = make_context(settings, db, clock)
    deadline = settings.config.event.team_deadline
    clock.set(deadline - timedelta(minutes=1))
    assert await teams_lock_notice.announce(ctx) is None
    assert await teams_lock_notice.next_due(ctx) == deadline

    clock.set(deadline)
    assert await teams_lock_notice.announce(ctx) == "core.jobs.teams_locked"
    assert await teams_lock_notice.announce(ctx) is None

    assert isinstance(ctx.notifier, RecordingNotifier)
    [(kind, channel, message)] = ctx.notifier.sent
    assert (kind, channel, message.key) == ("post", "announcements", "teams.deadline.locked")
    assert await teams_lock_notice.next_due(ctx) is None
