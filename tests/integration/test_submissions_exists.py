"""The `exists` check tells its causes apart, the deadline pins the right commit, and hostile
input never reaches the Hub."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.discord.submissions import hint
from bot.i18n import Message
from bot.services.submissions.durations import late_message
from sandbox.harness import SANDBOX_HF_TOKEN, Sandbox
from sandbox.hub import commit_sha
from tests.integration.replies import expected
from tests.integration.submissions_support import (
    DATASET,
    MODEL,
    by_kind,
    plain,
    rows,
    team_with_hub,
    text_of,
)
from tests.integration.teams_support import messages, ok, reply_text

DEADLINE = datetime.fromisoformat("2024-04-10T23:59:00-12:00")


@pytest.mark.parametrize(
    ("repo", "fields", "cause"),
    [
        ("somosnlp/no-existe", None, "not_found"),
        ("otraorg/secreto", {"private": True}, "not_found"),  # not visible to the bot's token
        ("somosnlp/cerrado", {"gated": True}, "gated"),
        ("somosnlp/apagado", {"disabled": True}, "disabled"),
    ],
)
async def test_exists_causes(
    sandbox: Sandbox, repo: str, fields: dict[str, object] | None, cause: str
) -> None:
    await team_with_hub(sandbox)
    if fields is not None:
        sandbox.hub.set(repo, {"card": "# x", **fields}, kind="model")
        if repo.startswith("otraorg/"):
            sandbox.hub.tokens.discard(SANDBOX_HF_TOKEN)
            sandbox.hub.users.add(SANDBOX_HF_TOKEN)
    outcome = ok(await sandbox.run("ana", "submit", {"model": repo}))
    [row] = await rows(sandbox)
    assert row.checks == {"exists": "failed"} and row.details == {"exists": {"cause": cause}}
    assert row.status == "failed" and (row.sha is None) == (cause != "gated")
    line = Message(
        "submissions.checklist.line_hint",
        icon=Message("submissions.outcome.failed"),
        name=Message("submissions.checks.exists"),
        hint=hint("exists", {"cause": cause}),
    )
    assert plain(expected(line.key, **line.params)) in text_of(outcome)


async def test_private_repo_in_the_organization_fails_public_only(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    sandbox.hub.set(MODEL, {"private": True})
    ok(await sandbox.run("ana", "submit", {"model": MODEL}))
    [row] = await rows(sandbox)
    assert row.checks["exists"] == "passed" and row.checks["public"] == "failed"


async def test_revision_not_found_and_revision_pinned(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    url = f"https://huggingface.co/{MODEL}/tree/{'0' * 40}"
    ok(await sandbox.run("ana", "submit", {"model": url}))
    [row] = await rows(sandbox)
    assert row.details == {"exists": {"cause": "revision_not_found"}}
    old = sandbox.hub.get(MODEL, "model").commit_list()[0][0]  # type: ignore[union-attr]
    sandbox.clock.set(sandbox.clock.now() + timedelta(hours=1))
    sandbox.hub.set(MODEL, {"files": ["config.json", "model.safetensors", "extra.txt"]})
    ok(await sandbox.run("ana", "submit", {"model": f"https://hf.co/{MODEL}/tree/{old}"}))
    [row] = await rows(sandbox)
    assert row.sha == old and row.revision == old


async def test_rejected_token_leaves_it_pending_and_tells_organizers(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    sandbox.hub.revoke(SANDBOX_HF_TOKEN)
    outcome = ok(await sandbox.run("ana", "submit", {"model": MODEL}))
    assert plain(expected("submissions.submit.token_rejected", repo=MODEL)) in text_of(outcome)
    [row] = await rows(sandbox)
    assert row.status == "pending" and row.retry_at is not None
    [alert] = messages(outcome, "organizacion")
    assert alert["content"] == expected("submissions.admin.token_rejected", "es")
    # A second one within the hour does not alert again.
    outcome = ok(await sandbox.run("ana", "submit", {"dataset": DATASET}))
    assert messages(outcome, "organizacion") == []


async def test_commit_after_the_deadline_fails_and_older_one_is_pinned(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    late = DEADLINE + timedelta(hours=5)
    sandbox.hub.set(MODEL, {"commits": [late.isoformat()]})
    outcome = ok(await sandbox.run("ana", "submit", {"model": MODEL}))
    [row] = await rows(sandbox)
    assert row.checks["deadline"] == "failed"
    assert row.details["deadline"] == {"late_seconds": 5 * 3600, "none_before": True}
    assert plain(
        expected("submissions.hints.deadline_none_before", late=late_message(5 * 3600))
    ) in text_of(outcome)
    early = DEADLINE - timedelta(days=2)
    sandbox.hub.set(MODEL, {"commits": [early.isoformat(), late.isoformat()]})
    ok(await sandbox.run("ana", "submit", {"model": MODEL}))
    row = (await by_kind(sandbox))["model"]
    assert row.sha == commit_sha(MODEL, early) and row.checks["deadline"] == "passed"


async def test_after_the_deadline_submissions_are_refused_with_how_late(
    sandbox: Sandbox,
) -> None:
    await team_with_hub(sandbox)
    sandbox.clock.set(DEADLINE + timedelta(hours=3, minutes=10))
    before = len(sandbox.hub.requests)
    outcome = ok(await sandbox.run("ana", "submit", {"model": MODEL}))
    assert reply_text(outcome) == expected(
        "submissions.errors.closed", late=Message("submissions.duration.hours", count=4)
    )
    assert len(sandbox.hub.requests) == before and await rows(sandbox) == []


@pytest.mark.parametrize(
    ("option", "value", "key"),
    [
        ("model", "../../etc/passwd", "bad_repo"),
        ("model", "https://evil.example.com/somosnlp/tigre-7b", "bad_host"),
        ("model", "https://huggingface.co.evil.com/somosnlp/x", "bad_host"),
        ("model", "somosnlp/" + "a" * 200, "bad_repo"),
        ("model", "<@123456>/x", "bad_repo"),
        ("model", "@everyone", "bad_repo"),
        ("model", "sоmosnlp/tigre-7b", "bad_characters"),  # Cyrillic о
        ("model", "somosnlp/tigre\u200b-7b", "bad_characters"),
        ("model", "https://huggingface.co/somosnlp/x/tree/../../y", "bad_repo"),
        ("dataset", f"https://huggingface.co/{MODEL}", "wrong_kind"),
        ("space", "https://huggingface.co/datasets/somosnlp/x", "wrong_kind"),
    ],
)
async def test_hostile_input_never_reaches_the_hub(
    sandbox: Sandbox, option: str, value: str, key: str
) -> None:
    await team_with_hub(sandbox)
    before = len(sandbox.hub.requests)
    outcome = ok(await sandbox.run("ana", "submit", {option: value}))
    text = reply_text(outcome)
    kinds = {"given": Message("submissions.kinds.model"), "expected": Message("x")}
    prefix = expected(f"submissions.errors.{key}", value="X", **kinds).split("X")[0]
    assert text.startswith(prefix), text
    assert "@everyone" not in text.replace("@\u200beveryone", "")
    assert len(sandbox.hub.requests) == before and await rows(sandbox) == []
    assert not messages(outcome)


async def test_a_forged_500_character_id_is_refused(sandbox: Sandbox) -> None:
    """Discord's client never sends more than the option's 300 characters; a modified client
    can, and the bot refuses it before the Hub hears of it."""
    await team_with_hub(sandbox)
    before = len(sandbox.hub.requests)
    outcome = ok(await sandbox.forge("ana", "submit", raw={"model": "somosnlp/" + "a" * 491}))
    assert reply_text(outcome) == expected(
        "core.errors.invalid_option", option=expected("commands.submit.options.model.name")
    )
    assert len(sandbox.hub.requests) == before and await rows(sandbox) == []
