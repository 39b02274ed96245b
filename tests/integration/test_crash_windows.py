"""SIGKILL aimed at each job's window: the one message Discord accepted and the bot never
recorded, and a submission killed while the Hub checks it.

The bot runs in a process of its own (``tests.integration.crash_support``) on the sandbox's
clock. The local Discord handles a chosen request (the message is posted, everyone sees it) and
holds its answer back; the local Hub holds a request open. The parent waits for that request,
kills the process with SIGKILL, and starts a new one on the same database at the instant of the
crash, which runs the day to its end. docs/reliability.md ("Crashes and leaders") states the
windows proven here: a reminder killed mid-delivery is finished by the next process once its
claim is ``reminder_takeover`` old, repeating only the message in flight; a leaderboard post is
posted again once (10 minutes later) when the crash fell after Discord's answer; a submission
killed during its check is checked again and its result posted once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.db import Database
from bot.discord.submissions import checklist
from bot.models import LeaderboardPost, MentorReminder, TalkReminder, TalkSubscriber
from bot.models.submissions import Submission
from bot.models.teams import Team
from bot.services.submissions.store import view_of
from sandbox.harness import Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.crash_support import BotProcess
from tests.integration.mentors_support import people, profile, team
from tests.integration.replies import PUBLIC, expected
from tests.integration.submissions_support import DATASET, MODEL, passing_hub
from tests.integration.talks_support import single
from tests.integration.teams_support import ok
from tests.integration.test_mentors_reminders import reminder_texts

MORNING = datetime(2024, 3, 21, 13, 0, tzinfo=UTC)
NIGHT = datetime(2024, 3, 21, 19, 0, tzinfo=UTC)
SUBSCRIBERS = ("ana", "bea", "carlos")


def settings() -> dict[str, Any]:
    boards = {
        name: {"enabled": name == "progress", "cron": "0 18 * * *"}
        for name in ("likes", "progress", "evaluation", "countries")
    }
    return {
        "leaderboard": boards,
        # A submission left pending at 13:00 is retried at 16:00.
        "submissions": {"reverify_every": "60d", "retry_every": "3h"},
        "talks": {"sync_every": "6h", "calendar_retries": 0},
    }


async def rows(db: Database, model: Any) -> list[Any]:
    async with db.read() as session:
        key = model.id if hasattr(model, "id") else model.user_id
        return list(await session.scalars(select(model).order_by(key)))


async def until(condition: Callable[[], bool], limit: float = 60.0) -> None:
    async def wait() -> None:
        while not condition():  # noqa: ASYNC110 - the local servers' records, polled
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), limit)


class Day:
    """Every message the local Discord posted, across processes."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.effects: list[dict[str, Any]] = []

    def sent(self, where: str) -> list[str]:
        self.effects.extend(self.sandbox.discord.take_effects())
        return [
            e.get("content") or ""
            for e in self.effects
            if e["type"] == "message" and e["channel"] == where
        ]


async def in_own_process(sandbox: Sandbox, until_: datetime) -> tuple[Day, Database]:
    """Run the in-process bot up to ``until_``, then stop it: the rest runs in processes."""
    day = Day(sandbox)
    day.effects.extend(ok(await sandbox.advance_until(until_)).effects)
    await sandbox.kill_bot()
    return day, Database(sandbox.db_url)


async def crash_at(process: BotProcess, reached: Callable[[], bool], target: datetime) -> None:
    """Run ``process`` towards ``target`` and SIGKILL it the moment ``reached()`` holds."""
    process.send_advance(target)
    await until(reached)
    await process.kill()


async def test_reminders_killed_mid_delivery_are_finished_repeating_only_the_message_in_flight(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=people(), settings=settings(), clock=MORNING)
    sandbox.calendar.load(
        [single("cierre", "2024-03-21T17:00:00Z", "2024-03-21T18:00:00Z", "Charla de cierre")],
        calendar_id=sandbox.calendar_id,
    )
    ok(await sandbox.advance(timedelta(seconds=1)))  # the calendar read once
    for handle in SUBSCRIBERS:
        ok(await sandbox.run(handle, "talks subscribe"))
    await team(sandbox)
    await profile(sandbox, "mateo", timezone="America/Mexico_City")
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))
    ok(await sandbox.run("ana", "mentor book", {"topic": "rag"}))
    ok(await sandbox.choose("ana", index=0))
    assert sandbox.settings is not None
    talks_channel = str(sandbox.settings.config.channels.talks)
    day, db = await in_own_process(sandbox, datetime(2024, 3, 21, 14, 0, tzinfo=UTC))
    [thread_id] = [t.thread_id for t in await rows(db, Team)]
    dm_of = {s.user_id: s.dm_channel_id for s in await rows(db, TalkSubscriber)}
    second_dm = dm_of[sorted(dm_of)[1]]
    processes: list[BotProcess] = []
    try:
        # 1. The 15:00 mentoring reminder: Discord posts it in the team's thread, the bot dies
        #    before recording it (its answer held back).
        hold = sandbox.discord.hold_after("POST", rf"^/channels/{thread_id}/messages$")
        processes.append(await BotProcess.start(sandbox, sandbox.clock.now()))
        await crash_at(processes[-1], lambda: hold.hits == 1, NIGHT)
        hold.release()
        crash = datetime(2024, 3, 21, 15, 0, tzinfo=UTC)
        [claimed] = await rows(db, MentorReminder)
        assert (claimed.claim is not None, claimed.step) == (True, 0)
        # 2. A new process from the crash on; the 16:00 talk reminder (1 h before) is killed
        #    in its DM fan-out: the channel post and the first DM recorded, the second DM
        #    posted and not recorded.
        hold = sandbox.discord.hold_after("POST", rf"^/channels/{second_dm}/messages$")
        processes.append(await BotProcess.start(sandbox, crash))
        await crash_at(processes[-1], lambda: hold.hits == 1, NIGHT)
        hold.release()
        talk_crash = datetime(2024, 3, 21, 16, 0, tzinfo=UTC)
        in_flight = [r for r in await rows(db, TalkReminder) if r.claim is not None]
        assert [(r.kind, r.sent_through) for r in in_flight] == [("1h", sorted(dm_of)[0])]
        # 3. Another process from there to the end of the day.
        processes.append(await BotProcess.start(sandbox, talk_crash))
        assert await processes[-1].advance(NIGHT) > 0
        await sandbox.settle()
    finally:
        for process in processes:
            await process.stop()

    # Mentoring: the 15:00 reminder was finished after the takeover (15:02): its thread
    # message, the one in flight at the kill, went out twice; both DMs once. The 15:50 one
    # went out once everywhere. Nothing is left claimed.
    texts = reminder_texts(sandbox)
    assert day.sent("thread:Los Tigres").count(texts["thread:Los Tigres"]) == 3
    assert day.sent("dm:mateo").count(texts["dm:mateo"]) == 2
    assert day.sent("dm:ana").count(texts["dm:ana"]) == 2
    reminders = await rows(db, MentorReminder)
    assert [(r.step, r.claim) for r in reminders] == [(3, None), (3, None)]

    # Talks: the 1 h reminder finished after the takeover (16:02, before the talk): the
    # channel post and the first subscriber's DM once, the second subscriber's DM (in flight
    # at the kill) twice, the third once. The 10 min one once everywhere.
    talk_posts = [text for text in day.sent(talks_channel) if "Charla de cierre" in text]
    assert len(talk_posts) == 2, talk_posts  # 1 h and 10 min (the 24 h one was due before)
    by_subscriber = {
        handle: len([t for t in day.sent(f"dm:{handle}") if "Charla de cierre" in t])
        for handle in SUBSCRIBERS
    }
    handles = [sandbox.handle_of(user_id) for user_id in sorted(dm_of)]
    assert [by_subscriber[h] for h in handles] == [2, 3, 2], by_subscriber
    talk_reminders = await rows(db, TalkReminder)
    assert {(r.kind, r.status, r.claim) for r in talk_reminders} >= {
        ("1h", "sent", None),
        ("10m", "sent", None),
    }
    await db.dispose()


async def test_a_board_posted_then_killed_is_posted_once_more_and_a_check_killed_is_redone(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=people(), settings=settings(), clock=MORNING)
    sandbox.hub.load(passing_hub())
    await team(sandbox)
    # The Hub fails while the team submits its model: the submission waits, pending.
    sandbox.hub.set_fault(MODEL, "500")
    ok(await sandbox.run("ana", "submit", {"model": MODEL, "dataset": DATASET}))
    assert sandbox.settings is not None
    board_channel = sandbox.discord.channel_id(
        sandbox.guild_id, sandbox.settings.config.channels.leaderboard
    )
    day, db = await in_own_process(sandbox, datetime(2024, 3, 21, 14, 0, tzinfo=UTC))
    processes: list[BotProcess] = []
    try:
        # 1. At 16:00 the retry asks the Hub about the model; the Hub holds the request and
        #    the bot is killed while it waits.
        sandbox.hub.set_fault(MODEL, "timeout")
        processes.append(await BotProcess.start(sandbox, sandbox.clock.now()))
        await crash_at(processes[-1], lambda: sandbox.hub.held >= 1, NIGHT)
        sandbox.hub.set_fault(MODEL, "none")
        sandbox.hub.release_held()
        check_crash = datetime(2024, 3, 21, 16, 0, tzinfo=UTC)
        async with db.read() as session:
            [model] = await session.scalars(
                select(Submission).where(Submission.is_current, Submission.kind == "model")
            )
        assert model.status == "pending"
        # 2. A new process from the crash: the check is done again. At 18:00 the board is
        #    posted, and the bot dies before it hears Discord's answer.
        hold = sandbox.discord.hold_after("POST", rf"^/channels/{board_channel}/messages$")
        processes.append(await BotProcess.start(sandbox, check_crash))
        await crash_at(processes[-1], lambda: hold.hits == 1, NIGHT)
        hold.release()
        [claimed] = await rows(db, LeaderboardPost)
        assert claimed.status == "claimed"
        # 3. Another process from 18:00 to the end of the day.
        processes.append(await BotProcess.start(sandbox, datetime(2024, 3, 21, 18, 0, tzinfo=UTC)))
        assert await processes[-1].advance(NIGHT) > 0
        await sandbox.settle()
    finally:
        for process in processes:
            await process.stop()

    # The submission killed during its check: checked again, its result posted once.
    async with db.read() as session:
        [model] = await session.scalars(
            select(Submission).where(Submission.is_current, Submission.kind == "model")
        )
    assert model.status == "passed" and model.sha is not None
    result = expected("submissions.thread.result", PUBLIC, checklist=checklist(view_of(model)))
    assert day.sent("thread:Los Tigres").count(result) == 1

    # The board: the claim was taken over at 18:10 and posted again; two messages for the
    # slot (the one Discord accepted before the kill, and the repost), recorded once.
    posts = await rows(db, LeaderboardPost)
    assert [(p.status, p.claimed_at) for p in posts] == [
        ("posted", datetime(2024, 3, 21, 18, 10, tzinfo=UTC))
    ]
    assert len(day.sent("leaderboard")) == 2
    await db.dispose()


async def test_a_retry_result_posted_then_killed_is_posted_once_more_never_lost(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=people(), settings=settings(), clock=MORNING)
    sandbox.hub.load(passing_hub())
    await team(sandbox)
    sandbox.hub.set_fault(MODEL, "500")
    ok(await sandbox.run("ana", "submit", {"model": MODEL, "dataset": DATASET}))
    sandbox.hub.set_fault(MODEL, "none")
    day, db = await in_own_process(sandbox, datetime(2024, 3, 21, 14, 0, tzinfo=UTC))
    [thread_id] = [t.thread_id for t in await rows(db, Team)]
    processes: list[BotProcess] = []
    try:
        # At 16:00 the retry checks the model and writes its result; Discord posts it in the
        # team's thread, and the bot dies before it hears the answer.
        hold = sandbox.discord.hold_after("POST", rf"^/channels/{thread_id}/messages$")
        processes.append(await BotProcess.start(sandbox, sandbox.clock.now()))
        await crash_at(processes[-1], lambda: hold.hits == 1, NIGHT)
        hold.release()
        crash = datetime(2024, 3, 21, 16, 0, tzinfo=UTC)
        async with db.read() as session:
            [model] = await session.scalars(
                select(Submission).where(Submission.is_current, Submission.kind == "model")
            )
        assert (model.status, model.result_due) == ("passed", True)
        processes.append(await BotProcess.start(sandbox, crash))
        assert await processes[-1].advance(NIGHT) > 0
        await sandbox.settle()
    finally:
        for process in processes:
            await process.stop()

    async with db.read() as session:
        [model] = await session.scalars(
            select(Submission).where(Submission.is_current, Submission.kind == "model")
        )
    assert (model.status, model.result_due) == ("passed", False)
    result = expected("submissions.thread.result", PUBLIC, checklist=checklist(view_of(model)))
    # The one Discord took before the kill, and the one the next process posted: one extra.
    assert day.sent("thread:Los Tigres").count(result) == 2
    await db.dispose()
