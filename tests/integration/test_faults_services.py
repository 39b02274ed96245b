"""Hub and Calendar faults through the members' and organizers' commands: the Hub timing out on
`/submit`, the Calendar timing out, rate limiting or failing on `/admin calendar-sync`, and a
sync token expiring (410). The answer says plainly what happened, nothing is half-written, and
what can be retried is retried (inside the request, or by the next scheduled run)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.discord.submissions import checklist
from bot.i18n import Message
from bot.services.submissions.store import view_of
from sandbox.harness import Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import PUBLIC, assert_reply, expected
from tests.integration.submissions_support import (
    DATASET,
    MODEL,
    by_kind,
    plain,
    team_with_hub,
    text_of,
)
from tests.integration.talks_support import MARCH, SERIES, single, talk_state
from tests.integration.teams_support import messages, of_type, ok, reply_text

# Shorter than the 10 s default so that a timeout costs the test seconds, not a minute (the
# local Hub and Calendar hold a "timeout" request open for 30 s); long enough that a request
# the local server answers is never late, however loaded the machine.
QUICK = timedelta(seconds=2)
THREAD = "thread:Los Tigres"


async def test_a_hub_timeout_leaves_the_submission_pending_then_the_retry_verifies_it_once(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(
        members={"ana": ("participant",)}, settings={"submissions": {"hub_timeout": QUICK}}
    )
    await team_with_hub(sandbox)
    sandbox.hub.set_fault(MODEL, "timeout")
    outcome = ok(await sandbox.run("ana", "submit", {"model": MODEL, "dataset": DATASET}))
    # The member is told the model is pending (the Hub did not answer), the dataset passed.
    assert plain(expected("submissions.submit.pending", repo=MODEL)) in text_of(outcome)
    found = await by_kind(sandbox)
    assert found["model"].status == "pending" and found["model"].sha is None
    assert found["dataset"].status == "passed"
    # The Hub answers again: the retry job verifies it and posts the result once.
    sandbox.hub.set_fault(MODEL, "none")
    outcome = ok(await sandbox.advance(timedelta(minutes=5)))
    model = (await by_kind(sandbox))["model"]
    assert model.status == "passed" and model.sha is not None
    [posted] = messages(outcome, THREAD)
    assert posted["content"] == expected(
        "submissions.thread.result", PUBLIC, checklist=checklist(view_of(model))
    )
    assert messages(ok(await sandbox.advance(timedelta(hours=1))), THREAD) == []


async def march(make_sandbox: MakeSandbox, retries: int = 0) -> Sandbox:
    sandbox = await make_sandbox(
        members={"olga": ("organizer",), "ana": ("participant",)},
        clock=MARCH,
        settings={"talks": {"calendar_retries": retries, "calendar_timeout": QUICK}},
    )
    sandbox.calendar.load([SERIES], calendar_id=sandbox.calendar_id)
    return sandbox


@pytest.mark.parametrize(
    ("fault", "error"),
    [("timeout", "unavailable"), ("500", "unavailable"), ("429", "rate_limited")],
)
async def test_a_failed_calendar_read_is_reported_and_the_next_automatic_sync_reads_it(
    make_sandbox: MakeSandbox, fault: str, error: str
) -> None:
    sandbox = await march(make_sandbox)
    sandbox.calendar.set_fault(fault)
    outcome = ok(await sandbox.run("olga", "admin calendar-sync"))
    assert_reply(outcome, "talks.admin.sync_failed", error=Message(f"talks.calendar_error.{error}"))
    # Nothing half-read: no talk stored, no Discord event made.
    assert await talk_state(sandbox) == []
    assert of_type(outcome, "scheduled_event_created") == []
    # The scheduled sync reads the calendar again on its own.
    synced = ok(await sandbox.advance(timedelta(minutes=5)))
    assert len(await talk_state(sandbox)) == 4
    assert len(of_type(synced, "scheduled_event_created")) == 4
    # Members read the programme whatever the Calendar does next.
    sandbox.calendar.set_fault(fault)
    listed = ok(await sandbox.run("ana", "talks list"))
    assert "Keynote" in reply_text(listed)


async def test_a_calendar_500_is_retried_within_the_sync_and_a_410_means_a_full_read(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await march(make_sandbox, retries=1)
    sandbox.calendar.set_fault("500")
    first = ok(await sandbox.run("olga", "admin calendar-sync"))
    assert expected("talks.admin.synced", count=4) in reply_text(first)
    sandbox.calendar.set_fault("410")
    sandbox.calendar.upsert(single("extra", "2024-03-07T16:00:00Z", "2024-03-07T17:00:00Z"))
    again = ok(await sandbox.run("olga", "admin calendar-sync"))
    text = reply_text(again)
    assert expected("talks.admin.synced_full") in text
    assert expected("talks.admin.synced", count=1) in text
    assert [e["name"] for e in of_type(again, "scheduled_event_created")] == ["Charla"]
    assert len(await talk_state(sandbox)) == 5
    # Each talk has one Discord event: the full read duplicated nothing.
    assert len(sandbox.discord.state.guilds[sandbox.guild_id].events) == 5
