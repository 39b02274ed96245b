"""The announcement jobs run on a narrow context, without a bot: what they deliver is observed
through the notifier, what they change through the database. Exactly once holds across runs,
restarts (a new context on the same database) and two workers at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.db import Database
from bot.i18n import Message
from bot.models import Announcement, AnnouncementDelivery, KeyValue, Submission, Team, TeamMember
from bot.services import announcements
from bot.services.announcements import Draft
from bot.settings import Settings
from jobs import announcements_countdown, announcements_send
from jobs.context import JobContext
from tests.test_jobs import RecordingNotifier

CHANNEL = 900
PARTICIPANTS = [1000 + i for i in range(12)]


class AnnouncingNotifier(RecordingNotifier):
    """Also observes channel posts with their allowed pings, and DMs of announcement text;
    members in ``closed`` do not accept DMs."""

    def __init__(self, closed: Sequence[int] = ()) -> None:
        super().__init__()
        self.closed = set(closed)
        self.published: list[tuple[int, str, list[int], bool]] = []
        self.dms: list[int] = []

    async def role_members(self, role_key: str, /) -> list[int] | None:
        return list(PARTICIPANTS) if role_key == "participant" else []

    async def publish(
        self,
        channel_id: int,
        content: str,
        /,
        *,
        roles: Sequence[int] = (),
        everyone: bool = False,
    ) -> int | None:
        self.published.append((channel_id, content, list(roles), everyone))
        await asyncio.sleep(0)
        return 5000 + len(self.published)

    async def dm_text(self, user_id: int, content: str, /) -> str:
        await asyncio.sleep(0)
        if user_id in self.closed:
            return "closed"
        self.dms.append(user_id)
        return "sent"


def context(
    settings: Settings, db: Database, clock: ManualClock, notifier: AnnouncingNotifier
) -> JobContext:
    return JobContext(db=db, clock=clock, settings=settings, notifier=notifier)


async def confirmed(
    db: Database, clock: ManualClock, *, when: datetime | None = None, **fields: object
) -> int:
    """An announcement confirmed by organizer 1 (an organizer's draft and its Confirm)."""
    values: dict[str, object] = {"title": "Aviso", "body": "Texto", "channel_id": CHANNEL}
    values.update(fields)
    draft = Draft(publish_at=when, **values)  # type: ignore[arg-type]
    now = clock.now()
    stored = await db.write(lambda s: announcements.create_draft(s, draft, author_id=1, now=now))
    view = await db.write(lambda s: announcements.confirm(s, stored.id, actor_id=1, now=now))
    return view.id


async def row(db: Database, announcement_id: int) -> Announcement:
    async with db.read() as session:
        found = await session.get(Announcement, announcement_id)
        assert found is not None
        return found


async def teams_with_submissions(db: Database, now: datetime) -> dict[str, list[int]]:
    """Three teams: one with every deliverable passed, one whose model failed, one with
    nothing submitted (a superseded passed model does not count)."""
    members = {"complete": [1, 2], "failed_model": [3, 4, 5], "nothing": [6]}

    async def create(session):  # type: ignore[no-untyped-def]
        ids = {}
        for name, users in members.items():
            team = Team(
                name=name,
                name_key=name,
                captain_id=users[0],
                size=len(users),
                created_at=now,
                updated_at=now,
            )
            session.add(team)
            await session.flush()
            ids[name] = team.id
            session.add_all(TeamMember(user_id=u, team_id=team.id, joined_at=now) for u in users)
        for kind in ("dataset", "model", "space"):
            session.add(submission(ids["complete"], kind, "passed", now))
        session.add(submission(ids["failed_model"], "dataset", "passed", now))
        session.add(submission(ids["failed_model"], "space", "passed", now))
        session.add(submission(ids["failed_model"], "model", "passed", now, current=False))
        session.add(submission(ids["failed_model"], "model", "failed", now))
        session.add(submission(ids["nothing"], "model", "pending", now))

    await db.write(create)
    return members


def submission(
    team_id: int, kind: str, status: str, now: datetime, current: bool = True
) -> Submission:
    return Submission(
        team_id=team_id,
        kind=kind,
        repo_id=f"somosnlp/{team_id}-{kind}",
        status=status,
        submitted_by=1,
        submitted_at=now,
        is_current=current,
        checks={},
        details={},
    )


async def test_a_scheduled_announcement_is_sent_once_at_its_time(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    notifier = AnnouncingNotifier()
    ctx = context(settings, db, clock, notifier)
    when = clock.now() + timedelta(hours=2)
    announcement_id = await confirmed(db, clock, when=when, ping="participants", ping_role_id=77)

    assert await announcements_send.next_due(ctx) == when
    assert await announcements_send.run(ctx) is None
    clock.set(when)
    assert await announcements_send.run(ctx) == "core.jobs.announcements_sent|1"
    assert await announcements_send.run(ctx) is None
    # A restart: a new context (and nothing in memory) on the same database.
    again = context(settings, db, clock, AnnouncingNotifier())
    assert await announcements_send.run(again) is None

    [(channel, content, roles, everyone)] = notifier.published
    assert (channel, roles, everyone) == (CHANNEL, [77], False)
    assert content.startswith("<@&77>\n")
    stored = await row(db, announcement_id)
    assert (stored.status, stored.message_id) == ("sent", 5001)
    assert await announcements_send.next_due(ctx) is None
    [(kind, author, report)] = notifier.sent
    assert (kind, author, report.key) == ("dm", 1, "announcements.report.done")


async def test_the_report_goes_to_the_organizers_channel_when_the_authors_dms_are_closed(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    class ClosedAuthor(AnnouncingNotifier):
        async def dm(self, user_id: int, message: Message, /) -> bool:
            return False

    notifier = ClosedAuthor()
    await confirmed(db, clock)

    await announcements_send.run(context(settings, db, clock, notifier))

    [(kind, where, report)] = notifier.sent
    assert (kind, where, report.key) == ("post", "organizers", "announcements.report.done")


async def test_dms_to_captains_and_to_teams_missing_a_deliverable(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    members = await teams_with_submissions(db, clock.now())
    notifier = AnnouncingNotifier(closed=[6])
    ctx = context(settings, db, clock, notifier)
    captains = await confirmed(db, clock, channel_id=None, dm_audience="captains")
    missing = await confirmed(db, clock, channel_id=None, dm_audience="missing")

    await announcements_send.run(ctx)

    assert notifier.published == []
    assert Counter(notifier.dms) == Counter([1, 3, 3, 4, 5])  # captains 1, 3 (6 is closed)
    assert (await row(db, captains)).recipients == 3
    missing_row = await row(db, missing)
    assert missing_row.recipients == len(members["failed_model"] + members["nothing"])
    assert (missing_row.delivered, missing_row.closed, missing_row.failed) == (3, 1, 0)


async def test_closed_dms_are_counted_and_never_retried(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    closed = PARTICIPANTS[:3]
    notifier = AnnouncingNotifier(closed=closed)
    ctx = context(settings, db, clock, notifier)
    announcement_id = await confirmed(db, clock, dm_audience="participants")

    await announcements_send.run(ctx)
    clock.set(clock.now() + timedelta(days=1))
    await announcements_send.run(ctx)

    stored = await row(db, announcement_id)
    assert (stored.recipients, stored.delivered, stored.closed, stored.failed) == (12, 9, 3, 0)
    assert sorted(notifier.dms) == PARTICIPANTS[3:]
    [(_, _, report)] = notifier.sent
    assert report.params["second"] == Message(
        "announcements.report.dms", delivered=9, closed=3, failed=0, reasons=""
    )


async def test_a_fan_out_interrupted_by_a_crash_resumes_without_sending_twice(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    announcement_id = await confirmed(db, clock, dm_audience="participants")
    now = clock.now()
    # The dead process had started it, posted, sent 4 DMs, and claimed 3 more when it died.
    await db.write(lambda s: announcements.start(s, announcement_id, PARTICIPANTS, now))
    first = await db.write(lambda s: announcements.claim_batch(s, announcement_id, 4, now))
    await db.write(lambda s: announcements.record_outcomes(s, {d: "sent" for d, _ in first}, now))
    in_doubt = await db.write(lambda s: announcements.claim_batch(s, announcement_id, 3, now))

    notifier = AnnouncingNotifier()
    ctx = context(settings, db, clock, notifier)
    # A minute later the claimed DMs may still be in a live worker's hands: left alone.
    clock.set(now + timedelta(minutes=1))
    assert await announcements_send.run(ctx) is None
    assert (await row(db, announcement_id)).status == "sending"
    # Past CLAIM_STALE they belong to a dead worker: counted failed, never sent again.
    clock.set(now + announcements.CLAIM_STALE)
    assert await announcements_send.run(ctx) == "core.jobs.announcements_sent|1"

    done = {u for _, u in first} | {u for _, u in in_doubt}
    assert notifier.published == []  # posted before the crash
    assert sorted(notifier.dms) == sorted(set(PARTICIPANTS) - done)
    stored = await row(db, announcement_id)
    assert (stored.status, stored.delivered, stored.closed, stored.failed) == ("sent", 9, 0, 3)
    async with db.read() as session:
        reasons = set(
            await session.scalars(
                select(AnnouncementDelivery.reason).where(AnnouncementDelivery.status == "failed")
            )
        )
    assert reasons == {"interrupted"}
    [(_, _, report)] = notifier.sent
    assert report.params["second"].params["reasons"] == "interrupted x3"


async def test_two_workers_at_once_send_each_dm_and_the_post_once(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    """Two processes (two engines on one database) deliver the same due announcement."""
    announcement_id = await confirmed(db, clock, dm_audience="participants")
    other_db = Database(db.url)
    try:
        a, b = AnnouncingNotifier(), AnnouncingNotifier()
        await asyncio.gather(
            announcements_send.deliver(context(settings, db, clock, a), announcement_id),
            announcements_send.deliver(context(settings, other_db, clock, b), announcement_id),
        )
    finally:
        await other_db.dispose()

    assert len(a.published + b.published) == 1
    assert sorted(a.dms + b.dms) == PARTICIPANTS
    stored = await row(db, announcement_id)
    assert (stored.status, stored.delivered) == ("sent", 12)


async def test_a_cancelled_announcement_is_never_sent(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    notifier = AnnouncingNotifier()
    when = clock.now() + timedelta(hours=1)
    announcement_id = await confirmed(db, clock, when=when, dm_audience="participants")
    now = clock.now()
    await db.write(lambda s: announcements.cancel(s, announcement_id, actor_id=1, now=now))
    clock.set(when + timedelta(hours=1))

    assert await announcements_send.run(context(settings, db, clock, notifier)) is None
    assert notifier.published == [] and notifier.dms == []


async def test_countdowns_post_once_each_before_the_deadline(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    deadline = settings.config.event.submission_deadline
    notifier = AnnouncingNotifier()
    ctx = context(settings, db, clock, notifier)
    seen: list[datetime] = []
    while (due := await announcements_countdown.next_due(ctx)) is not None:
        clock.set(max(due, clock.now()))
        if await announcements_countdown.run(ctx) is not None:
            seen.append(clock.now())
        # A restart between posts changes nothing.
        assert await announcements_countdown.run(context(settings, db, clock, notifier)) is None

    assert seen == [
        deadline - timedelta(days=7),
        deadline - timedelta(days=1),
        deadline - timedelta(hours=1),
    ]
    assert [m.key for _, key, m in notifier.sent if key == "announcements"] == [
        "announcements.countdown.post"
    ] * 3


async def test_countdowns_missed_while_down_are_posted_once(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    deadline = settings.config.event.submission_deadline
    notifier = AnnouncingNotifier()
    ctx = context(settings, db, clock, notifier)
    clock.set(deadline - timedelta(hours=12))  # down through the 7-day and 1-day marks

    assert await announcements_countdown.run(ctx) == "core.jobs.announcements_countdown"
    assert await announcements_countdown.run(ctx) is None
    clock.set(deadline + timedelta(hours=1))  # down through the 1-hour mark and the deadline
    assert await announcements_countdown.run(ctx) is None
    assert await announcements_countdown.next_due(ctx) is None

    assert len(notifier.sent) == 1
    async with db.read() as session:
        keys = set(await session.scalars(select(KeyValue.key)))
    assert {
        announcements_countdown.key_of(o) for o in settings.config.announcements.countdown
    } <= keys
