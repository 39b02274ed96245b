"""`/submit` and `/submission status` through the real bot: every deliverable verified on the
local Hub, the checklist in the member's language, the pinned commit stored."""

from __future__ import annotations

from bot.i18n import Message
from sandbox.harness import Sandbox
from sandbox.hub import commit_sha
from sandbox.state import domain_state, readable_state
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import english, expected
from tests.integration.submissions_support import (
    DATASET,
    MODEL,
    SPACE,
    by_kind,
    rows,
    team_with_hub,
    text_of,
)
from tests.integration.teams_support import members, ok


async def test_submit_all_three_pass_and_pin_the_head(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox, "bea")
    outcome = ok(
        await sandbox.run(
            "bea",
            "submit",
            {"dataset": DATASET, "model": f"https://huggingface.co/{MODEL}", "space": SPACE},
        )
    )
    [reply] = outcome.replies
    assert reply["ephemeral"] is True
    assert reply["content"] == expected("submissions.submit.done", team="Los Tigres", count=3)
    assert [e["title"] for e in reply["embeds"]] == [
        expected(
            "submissions.checklist.header",
            kind=Message("submissions.kinds." + kind),
            repo=repo,
            status=Message("submissions.state.passed"),
        )
        for kind, repo in (("dataset", DATASET), ("model", MODEL), ("space", SPACE))
    ]
    found = await by_kind(sandbox)
    assert {k: r.status for k, r in found.items()} == {
        "dataset": "passed",
        "model": "passed",
        "space": "passed",
    }
    model = found["model"]
    assert model.sha == sandbox.hub.get(MODEL).commit_list()[0][0]  # type: ignore[union-attr]
    assert list(model.checks) == [
        "exists",
        "public",
        "namespace",
        "card",
        "license",
        "language",
        "card_length",
        "deadline",
        "weights",
        "config",
        "size",
        "base_model",
        "links_dataset",
    ]
    assert set(model.checks.values()) == {"passed"}
    assert model.submitted_by == sandbox.discord.user_id("bea")
    assert commit_sha(MODEL, model.committed_at) == model.sha  # type: ignore[arg-type]


async def test_status_shows_checklists_and_what_is_missing(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox, "dani")
    ok(await sandbox.run("ana", "submit", {"model": MODEL}))
    outcome = ok(await sandbox.run("dani", "submission status"))
    text = text_of(outcome)
    assert english("submissions.status_reply.title", team="Los Tigres") in text
    # The model fails one check: the team's dataset is not submitted yet.
    assert english("submissions.hints.links_dataset_no_dataset") in text
    [row] = await rows(sandbox)
    assert row.status == "failed" and row.checks["links_dataset"] == "failed"


async def test_rehearsal_state_lists_submissions(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    sandbox.hub.set(MODEL, {"parameters": 9_000_000_000})
    ok(await sandbox.run("ana", "submit", {"dataset": DATASET, "model": MODEL}))
    state = await domain_state(sandbox)
    found = await by_kind(sandbox)
    assert state["submissions"] == [
        {
            "team": "Los Tigres",
            "kind": "dataset",
            "repo": DATASET,
            "sha": found["dataset"].sha,
            "status": "passed",
            "failed_checks": [],
        },
        {
            "team": "Los Tigres",
            "kind": "model",
            "repo": MODEL,
            "sha": found["model"].sha,
            "status": "failed",
            "failed_checks": ["size"],
        },
    ]
    assert any("model somosnlp/tigre-7b" in line for line in readable_state(state))


async def test_submitting_the_dataset_reverifies_the_model_that_links_it(
    sandbox: Sandbox,
) -> None:
    await team_with_hub(sandbox)
    ok(await sandbox.run("ana", "submit", {"model": MODEL}))
    assert (await by_kind(sandbox))["model"].checks["links_dataset"] == "failed"
    outcome = ok(await sandbox.run("ana", "submit", {"dataset": DATASET}))
    found = await by_kind(sandbox)
    assert found["model"].status == "passed" and found["dataset"].status == "passed"
    assert len(outcome.replies[0]["embeds"]) == 2
    assert len(await rows(sandbox, current_only=False)) == 2  # updated in place, no new row


async def test_without_card_length_the_card_text_is_not_read(make_sandbox: MakeSandbox) -> None:
    """Repo info carries the card's metadata; its text costs one more request, made only when
    the `card_length` check runs."""
    sandbox = await make_sandbox(
        members=members("ana"), settings={"submissions": {"disabled_checks": ["card_length"]}}
    )
    await team_with_hub(sandbox)
    before = len(sandbox.hub.requests)
    ok(await sandbox.run("ana", "submit", {"model": MODEL}))
    assert len(sandbox.hub.requests) - before == 1
    model = (await by_kind(sandbox))["model"]
    assert "card_length" not in model.checks and model.checks["card"] == "passed"
    # Only the link to the team's dataset, not submitted, fails.
    assert [c for c, outcome in model.checks.items() if outcome != "passed"] == ["links_dataset"]
