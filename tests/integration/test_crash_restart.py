"""SIGKILL in the middle of an event day, with the bot in a process of its own.

The day (21 March, from 13:00 UTC): a mentoring session at 16:00 (reminders at 15:00 and
15:50), a talk at 17:00 (reminders 24 h, 1 h and 10 min before), an announcement scheduled for
15:30 with a DM to every participant, a leaderboard slot at 18:00, and a team invitation waiting
in a DM. The bot process is killed with SIGKILL halfway through the announcement's DM fan-out,
a new process starts on the same database and local Discord at the moment of the crash, and the
day runs to its end. Nothing scheduled is lost; nothing goes out twice; the DMs of the one
batch in flight at the kill are recorded as interrupted, never sent twice (docs/reliability.md,
"Crashes and leaders"); the invitation's button, posted before the crash, works after it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.db import Database
from bot.discord.submissions import checklist
from bot.models import AnnouncementDelivery, JobRun, LeaderboardPost, MentorReminder
from bot.models.submissions import Submission
from bot.models.talks import TalkReminder
from bot.models.teams import TeamMember
from bot.services.submissions.store import view_of
from sandbox.discord.ratelimits import Limit, RouteLimit
from sandbox.harness import Sandbox
from tests.integration.announcements_support import compose, confirm_label
from tests.integration.conftest import MakeSandbox
from tests.integration.crash_support import BotProcess
from tests.integration.mentors_support import people, profile, team
from tests.integration.replies import PUBLIC, accept_label, expected
from tests.integration.submissions_support import DATASET, MODEL, passing_hub
from tests.integration.talks_support import single
from tests.integration.teams_support import ok
from tests.integration.test_mentors_reminders import reminder_texts

MORNING = datetime(2024, 3, 21, 13, 0, tzinfo=UTC)
NIGHT = datetime(2024, 3, 21, 19, 0, tzinfo=UTC)
PARTICIPANTS = 30
RATE = 5  # DMs a second: the fan-out of 34 takes 7 s, time to kill it halfway
KILL_AFTER = 8  # announcement DMs delivered before the kill (one batch recorded, one in flight)
TITLE = "Cierre de entregas"


def settings() -> dict[str, Any]:
    boards = {
        name: {"enabled": name == "progress", "cron": "0 18 * * *"}
        for name in ("likes", "progress", "evaluation", "countries")
    }
    return {
        "leaderboard": boards,
        # A submission left pending at 13:00 is retried at 16:00, after the crash.
        "submissions": {"reverify_every": "60d", "retry_every": "3h"},
        "talks": {"sync_every": "6h", "calendar_retries": 0},
        "announcements": {"messages_per_second": RATE},
    }


class Day:
    """Everything the local Discord was asked to do, across processes."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.effects: list[dict[str, Any]] = []

    def collect(self) -> list[dict[str, Any]]:
        self.effects.extend(self.sandbox.discord.take_effects())
        return self.effects

    def sent(self, where: str | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self.collect()
            if e["type"] == "message" and (where is None or e["channel"] == where)
        ]

    def announcement_dms(self) -> list[str]:
        return [
            e["channel"]
            for e in self.sent()
            if e["channel"].startswith("dm:")
            and e["channel"] != "dm:olga"  # the author's delivery report names the title too
            and TITLE in (e.get("content") or "")
        ]


async def prepared_day(make_sandbox: MakeSandbox) -> Sandbox:
    members = people(**{f"p{i:02d}": ("participant",) for i in range(PARTICIPANTS)})
    sandbox = await make_sandbox(members=members, settings=settings(), clock=MORNING)
    # As in the fan-out test: the local Discord's guess for the undocumented DM-opening limit
    # (10 per 10 s) would make the restarted process, which opens every DM channel anew, take
    # 20 s over the rest of the fan-out; Discord's documented global limit still holds.
    sandbox.discord.ratelimits.routes[("POST", "/users/@me/channels")] = RouteLimit(
        "dm-open", Limit(50, 1.0)
    )
    sandbox.calendar.load(
        [single("cierre", "2024-03-21T17:00:00Z", "2024-03-21T18:00:00Z", "Charla de cierre")],
        calendar_id=sandbox.calendar_id,
    )
    ok(await sandbox.advance(timedelta(seconds=1)))  # the calendar read once
    ok(await sandbox.run("ana", "talks subscribe"))
    sandbox.hub.load(passing_hub())
    await team(sandbox)
    # The Hub fails while the team submits its model: the submission waits, pending.
    sandbox.hub.set_fault(MODEL, "500")
    ok(await sandbox.run("ana", "submit", {"model": MODEL, "dataset": DATASET}))
    await profile(sandbox, "mateo", timezone="America/Mexico_City")
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))
    ok(await sandbox.run("ana", "mentor book", {"topic": "rag"}))
    ok(await sandbox.choose("ana", index=0))
    # 16:30 in Madrid, the event's zone: 15:30 UTC.
    await compose(sandbox, "olga", {"when": "2024-03-21 16:30", "dm": "participants"}, title=TITLE)
    ok(await sandbox.click("olga", label=confirm_label()))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))
    return sandbox


async def rows(db: Database, model: Any) -> list[Any]:
    async with db.read() as session:
        return list(await session.scalars(select(model)))


async def until(condition: Any, limit: float = 60.0) -> None:
    async def wait() -> None:
        while not condition():  # noqa: ASYNC110 - the local Discord's records, polled
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), limit)


async def test_sigkill_mid_fan_out_loses_nothing_scheduled_and_sends_nothing_twice(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await prepared_day(make_sandbox)
    sandbox.settle_limit = 60.0
    day = Day(sandbox)
    morning = ok(await sandbox.advance_until(datetime(2024, 3, 21, 14, 0, tzinfo=UTC)))
    day.effects.extend(morning.effects)
    now = sandbox.clock.now()
    await sandbox.kill_bot()  # from here on the bot lives in its own process
    db = Database(sandbox.db_url)
    first = await BotProcess.start(sandbox, now)
    second: BotProcess | None = None
    try:
        first.send_advance(NIGHT)
        await until(lambda: len(day.announcement_dms()) >= KILL_AFTER)
        await first.kill()
        day.collect()
        sandbox.hub.set_fault(MODEL, "none")  # the Hub is back for the new process
        before_kill = Counter(day.announcement_dms())
        assert 0 < sum(before_kill.values()) < PARTICIPANTS + 4  # killed halfway

        # The new process starts where the old one died.
        crash = max(run.last_started_at for run in await rows(db, JobRun))
        sandbox.clock.set(crash)
        second = await BotProcess.start(sandbox, crash)

        # A button posted by the first bot, before the crash, answered by the new process.
        day.collect()
        # (The bot answers from another process: wait for its answer, not for a quiet moment.)
        click = await sandbox.discord.click("bea", label=accept_label(), where="dm")
        await until(lambda: bool(click.replies))
        assert not click.failed
        assert [r["buttons"] for r in click.replies] == [[]]
        await until(lambda: any(e["type"] == "thread_member_added" for e in day.collect()))
        assert len(await rows(db, TeamMember)) == 2

        assert await second.advance(NIGHT) > 0
        await sandbox.settle()
    finally:
        for process in (first, second):
            if process is not None:
                await process.stop()

    # The announcement: posted once; every participant's DM once, or recorded as interrupted
    # (the batch in flight at the kill), never twice.
    assert sandbox.settings is not None
    channels = sandbox.settings.config.channels
    assert len([m for m in day.sent(str(channels.announcements)) if TITLE in m["content"]]) == 1
    dms = Counter(day.announcement_dms())
    assert max(dms.values()) == 1, dms
    deliveries = await rows(db, AnnouncementDelivery)
    assert len(deliveries) == PARTICIPANTS + 4  # everyone with the participant role
    sent = {f"dm:{sandbox.handle_of(d.user_id)}" for d in deliveries if d.status == "sent"}
    interrupted = {
        f"dm:{sandbox.handle_of(d.user_id)}"
        for d in deliveries
        if d.status == "failed" and d.reason == "interrupted"
    }
    assert len(sent) + len(interrupted) == len(deliveries), Counter(d.status for d in deliveries)
    # Recorded sent: delivered once. Interrupted (claimed by the killed process, outcome never
    # written): delivered at most once, and never more than the one batch in flight.
    assert sent <= set(dms)
    assert set(dms) <= sent | interrupted
    assert len(interrupted) <= RATE

    # Mentoring: both offsets reached the thread and both people, each once.
    reminders = await rows(db, MentorReminder)
    assert len(reminders) == 2 and all(r.sent_at is not None for r in reminders)
    for where, text in reminder_texts(sandbox).items():
        assert [m["content"] for m in day.sent(where)].count(text) == 2, where

    # The talk: every reminder posted once (24 h, 1 h, 10 min), nothing left pending.
    talk_reminders = await rows(db, TalkReminder)
    assert {r.status for r in talk_reminders} == {"sent"}
    posted = [r for r in talk_reminders if r.status == "sent"]
    # (The channel as it stands: the 24 h one went out when the calendar was first read.)
    talk_posts = sandbox.discord.messages(str(channels.talks), sandbox.guild_id)
    assert len(talk_posts) == len(posted) == 3, [m["content"] for m in talk_posts]
    assert {r.due_at for r in posted} >= {
        datetime(2024, 3, 21, 16, 0, tzinfo=UTC),
        datetime(2024, 3, 21, 16, 50, tzinfo=UTC),
    }

    # The pending submission: checked again by the new process, its result posted once.
    async with db.read() as session:
        [model] = await session.scalars(
            select(Submission).where(Submission.is_current, Submission.kind == "model")
        )
    assert model.status == "passed" and model.sha is not None
    result = expected("submissions.thread.result", PUBLIC, checklist=checklist(view_of(model)))
    assert [m["content"] for m in day.sent("thread:Los Tigres")].count(result) == 1

    # The leaderboard slot: posted once.
    posts = await rows(db, LeaderboardPost)
    assert [p.status for p in posts] == ["posted"]
    assert len(day.sent("leaderboard")) == 1
    await db.dispose()
