"""Pending and retry, re-verification (and late commits), deadline nudges, and the jury's CSV,
through the real bot and its scheduled jobs."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from bot.discord.submissions import checklist, late_commit
from bot.i18n import Message
from bot.services.submissions import store
from bot.services.submissions.flow import LateCommit
from bot.services.submissions.store import view_of
from cogs.submissions.admin import CSV_COLUMNS, export_csv
from sandbox.harness import Sandbox, StepOutcome
from tests.integration.replies import PUBLIC, expected
from tests.integration.submissions_support import (
    DATASET,
    MODEL,
    SPACE,
    by_kind,
    card,
    plain,
    rows,
    team_with_hub,
    text_of,
)
from tests.integration.teams_support import messages, ok, reply_text

DEADLINE = datetime.fromisoformat("2024-04-10T23:59:00-12:00")
THREAD = "thread:Los Tigres"


async def test_hub_down_leaves_it_pending_then_the_retry_posts_the_result(
    sandbox: Sandbox,
) -> None:
    await team_with_hub(sandbox)
    sandbox.hub.rate_limit_reset = 1
    sandbox.hub.set_fault(MODEL, "429")
    outcome = ok(await sandbox.run("ana", "submit", {"model": MODEL, "dataset": DATASET}))
    assert plain(expected("submissions.submit.pending", repo=MODEL)) in text_of(outcome)
    found = await by_kind(sandbox)
    assert found["model"].status == "pending" and found["dataset"].status == "passed"
    # Still down at the first retry: it stays pending, nothing is posted.
    outcome = ok(await sandbox.advance(timedelta(minutes=5)))
    assert messages(outcome, THREAD) == []
    assert (await by_kind(sandbox))["model"].attempts == 1
    sandbox.hub.set_fault(MODEL, "none")
    outcome = ok(await sandbox.advance(timedelta(minutes=5)))
    model = (await by_kind(sandbox))["model"]
    assert model.status == "passed" and model.sha is not None
    [posted] = messages(outcome, THREAD)
    assert posted["content"] == expected(
        "submissions.thread.result", PUBLIC, checklist=checklist(view_of(model))
    )
    assert posted["mentions"] == {"everyone": False, "roles": [], "users": []}
    # Nothing more to retry.
    assert messages(ok(await sandbox.advance(timedelta(minutes=30))), THREAD) == []


async def test_server_errors_are_pending_too(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    sandbox.hub.set_fault("*", "500")
    ok(await sandbox.run("ana", "submit", {"space": SPACE}))
    assert (await by_kind(sandbox))["space"].status == "pending"


async def test_reverify_posts_a_changed_result(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    ok(await sandbox.run("ana", "submit", {"dataset": DATASET, "model": MODEL}))
    before = await by_kind(sandbox)
    sandbox.clock.set(sandbox.clock.now() + timedelta(hours=1))
    sandbox.hub.set(
        MODEL, {"card": card(language="[es]", datasets=f"[{DATASET}]", base_model="a/b")}
    )
    calls = len(sandbox.hub.requests)
    outcome = ok(await sandbox.advance(timedelta(hours=6)))
    after = await by_kind(sandbox)
    assert after["model"].status == "failed" and after["model"].checks["license"] == "failed"
    assert after["model"].sha != before["model"].sha
    assert after["dataset"].sha == before["dataset"].sha
    [posted] = messages(outcome, THREAD)
    assert posted["content"] == expected(
        "submissions.thread.result", PUBLIC, checklist=checklist(view_of(after["model"]))
    )
    # The unchanged dataset cost one request (its head); the changed model, two.
    assert len(sandbox.hub.requests) - calls == 3


async def test_commit_after_the_deadline_is_flagged_and_the_pin_stays(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    sandbox.clock.set(DEADLINE - timedelta(hours=2))
    ok(await sandbox.run("ana", "submit", {"dataset": DATASET}))
    pinned = (await by_kind(sandbox))["dataset"].sha
    sandbox.clock.set(DEADLINE + timedelta(hours=1))
    sandbox.hub.set(DATASET, {"files": ["data/train.jsonl", "extra.csv"]}, kind="dataset")
    late_sha = sandbox.hub.get(DATASET, "dataset").commit_list()[0][0]  # type: ignore[union-attr]
    outcome = ok(await sandbox.advance(timedelta(hours=6)))
    row = (await by_kind(sandbox))["dataset"]
    assert row.sha == pinned and row.late_sha == late_sha and row.status == "passed"
    [alert] = messages(outcome, "organizacion")
    assert alert["content"] == expected(
        "submissions.admin.late_commit",
        PUBLIC,
        **late_commit(
            LateCommit("Los Tigres", view_of(row), late_sha, DEADLINE + timedelta(hours=1))
        ).params,
    )
    # Told once: the next run finds the same late commit and says nothing.
    outcome = ok(await sandbox.advance(timedelta(hours=6)))
    assert messages(outcome, "organizacion") == []


def threads(outcome: StepOutcome) -> list[dict[str, object]]:
    return [m for m in messages(outcome) if str(m["channel"]).startswith("thread:")]


async def test_nudges_list_what_is_missing_once_per_stage(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    ok(await sandbox.run("ana", "submit", {"dataset": DATASET, "model": MODEL, "space": SPACE}))
    ok(await sandbox.run("bea", "team create", {"name": "Rezagados", "open": True}))
    sandbox.hub.set("somosnlp/rezagado", {"private": True, "card": card()}, kind="model")
    ok(await sandbox.run("bea", "submit", {"model": "somosnlp/rezagado"}))
    sandbox.clock.set(DEADLINE - timedelta(hours=48, minutes=1))
    outcome = ok(await sandbox.advance(timedelta(minutes=2)))
    posted = threads(outcome)
    assert [m["channel"] for m in posted] == ["thread:Rezagados"]
    text = plain(posted[0]["content"])
    assert (
        expected("submissions.nudge.missing", PUBLIC, kind=Message("submissions.kinds.dataset"))
        in text
    )
    assert (
        expected("submissions.nudge.missing", PUBLIC, kind=Message("submissions.kinds.space"))
        in text
    )
    failing = [
        Message(f"submissions.checks.{c}")
        for c in ("public", "license", "language", "links_dataset")
    ]
    assert "somosnlp/rezagado" in text.replace("\\", "")
    for check in failing:
        assert expected(check.key, PUBLIC) in text
    # Once per stage, even across a restart.
    await sandbox.restart()
    assert threads(ok(await sandbox.advance(timedelta(hours=20)))) == []
    outcome = ok(await sandbox.advance(timedelta(hours=4)))
    assert [m["channel"] for m in threads(outcome)] == ["thread:Rezagados"]


async def test_admin_export_and_reverify(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox, "bea")
    ok(await sandbox.run("ana", "submit", {"dataset": DATASET, "model": MODEL}))
    refused = ok(await sandbox.run("ana", "admin submissions"))
    assert reply_text(refused) == expected(
        "core.errors.missing_role", role=expected("core.roles.organizer")
    )
    outcome = ok(await sandbox.run("olga", "admin submissions"))
    [reply] = outcome.replies
    assert reply["files"] == ["submissions.csv"] and reply["ephemeral"] is True
    assert reply["content"] == expected("submissions.admin.exported", count=2)
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        exported = await store.export_rows(session)
    names = {sandbox.discord.user_id(h): h for h in ("ana", "bea")}
    table = list(csv.reader(io.StringIO(export_csv(exported, names).decode())))
    assert table[0] == list(CSV_COLUMNS)
    found = await by_kind(sandbox)
    ana, bea = (sandbox.discord.user_id(h) for h in ("ana", "bea"))
    assert table[1] == [
        "Los Tigres",
        f"ana ({ana}); bea ({bea})",
        DATASET,
        "dataset",
        found["dataset"].sha,
        found["dataset"].committed_at.isoformat().replace("+00:00", "Z"),  # type: ignore[union-attr]
        "passed",
        "",
        found["dataset"].submitted_at.isoformat().replace("+00:00", "Z"),
    ]
    assert table[2][2:4] == [MODEL, "model"] and len(table) == 3

    sandbox.hub.set(DATASET, {"private": True}, kind="dataset")
    outcome = ok(await sandbox.run("olga", "admin reverify", {"team": "los tigres"}))
    assert reply_text(outcome) == expected(
        "submissions.admin.reverified", count=1, late=0, pending=0
    )
    assert (await by_kind(sandbox))["dataset"].checks["public"] == "failed"
    assert len(messages(outcome, THREAD)) == 1
    history = await rows(sandbox, current_only=False)
    assert len(history) == 2
    status = reply_text(ok(await sandbox.run("olga", "admin status")))
    assert expected("submissions.status.counts", passed=1, failed=1, pending=0) in status
