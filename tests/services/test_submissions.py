"""The submissions service on a real database: references, history, pending rows, the
exactly-once claims; and the checks' rules on facts built by hand."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from bot.clients.hub import RepoInfo
from bot.clock import ManualClock
from bot.db import Database
from bot.errors import DomainError, Forbidden
from bot.services.submissions import store
from bot.services.submissions.checks import Checklist, Context, card_body, evaluate
from bot.services.submissions.facts import RepoFacts, columns_of
from bot.services.submissions.refs import RepoRef, parse_ref
from bot.services.submissions.store import Verified
from bot.settings import Settings
from tests.services import assert_key, create, rules_of


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("model", "somosnlp/tigre-7b", RepoRef("model", "somosnlp/tigre-7b")),
        (
            "model",
            " https://huggingface.co/somosnlp/tigre-7b ",
            RepoRef("model", "somosnlp/tigre-7b"),
        ),
        ("dataset", "hf.co/datasets/somosnlp/c-it", RepoRef("dataset", "somosnlp/c-it")),
        (
            "space",
            "https://huggingface.co/spaces/somosnlp/demo/tree/main",
            RepoRef("space", "somosnlp/demo", "main"),
        ),
        (
            "model",
            "https://www.huggingface.co/somosnlp/t/blob/" + "a" * 40 + "/README.md",
            RepoRef("model", "somosnlp/t", "a" * 40),
        ),
    ],
)
def test_accepted_references(kind: str, text: str, expected: RepoRef) -> None:
    assert parse_ref(kind, text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "submissions.errors.empty"),
        ("x" * 301, "submissions.errors.too_long"),
        ("ftp://huggingface.co/a/b", "submissions.errors.bad_host"),
        ("https://user:pw@huggingface.co/a/b", "submissions.errors.bad_host"),
        ("https://huggingface.co:8443/a/b", "submissions.errors.bad_host"),
        ("a/b/c", "submissions.errors.bad_repo"),
        ("a--b/c", "submissions.errors.bad_repo"),
        ("-a/b", "submissions.errors.bad_repo"),
        ("a/b.", "submissions.errors.bad_repo"),
        ("a b/c", "submissions.errors.bad_characters"),
        ("ａ/b", "submissions.errors.bad_characters"),  # fullwidth
        ("https://huggingface.co/datasets/a/b", "submissions.errors.wrong_kind"),
    ],
)
def test_refused_references(text: str, key: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_ref("model", text)
    assert_key(caught.value, key)


def info(**changes: object) -> RepoInfo:
    base: dict[str, object] = {
        "repo_id": "somosnlp/x",
        "kind": "model",
        "sha": "1" * 40,
        "last_modified": None,
        "created_at": None,
        "private": False,
        "gated": None,
        "disabled": False,
        "likes": 0,
        "downloads": 0,
        "tags": (),
        "files": ("README.md", "config.json", "model.safetensors"),
        "card_data": {
            "license": "mit",
            "language": ["ES"],
            "base_model": "a/b",
            "datasets": ["somosnlp/d"],
        },
        "parameters": 7_000_000_000,
    }
    base.update(changes)
    return RepoInfo(**base)  # type: ignore[arg-type]


def context(settings: Settings, **kw: object) -> Context:
    return Context(
        settings.config.submissions,
        "SomosNLP",
        settings.config.event.submission_deadline,
        **kw,  # type: ignore[arg-type]
    )


def test_checks_fold_case_and_accents(settings: Settings) -> None:
    facts = RepoFacts(RepoRef("model", "somosnlp/x"), info=info(), card_text="x" * 300)
    result = evaluate(facts, context(settings, team_dataset="SomosNLP/D"))
    assert isinstance(result, Checklist) and result.status == "passed", result


def test_card_body_leaves_the_metadata_out() -> None:
    assert card_body("---\nlicense: mit\n---\n# Hola\n\n  mundo  ") == "# Hola mundo"
    assert card_body(None) == ""


def test_disabled_checks_do_not_run(settings: Settings) -> None:
    config = settings.config.submissions.model_copy(
        update={"disabled_checks": ["size", "deadline"]}
    )
    facts = RepoFacts(RepoRef("model", "somosnlp/x"), info=info(parameters=10**12), card_text="")
    ctx = Context(config, "somosnlp", settings.config.event.submission_deadline)
    checks = evaluate(facts, ctx).checks
    assert "size" not in checks and "deadline" not in checks and checks["card_length"] == "failed"


def test_columns_of_first_bytes() -> None:
    assert columns_of("d.csv", b"pregunta,respuesta\nq,a\n") == ("pregunta", "respuesta")
    assert columns_of("d.jsonl", b'\n{"a": 1, "b": 2}\n{"a"') == ("a", "b")
    assert columns_of("d.json", b'[{"a": 1}]') == ("a",)
    assert columns_of("d.json", b'[{"a": 1}, {"a') is None  # cut short: unknown


async def test_history_pending_and_claims(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    rules = rules_of(settings)
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.read() as session:
        with pytest.raises(Forbidden):
            await store.team_of_member(session, 99)
        team = await store.team_of_member(session, 1)
    ref = RepoRef("model", "somosnlp/x")
    retry_at = clock.now() + timedelta(minutes=5)
    pending = await db.write(
        lambda s: store.record(
            s,
            team_id=team.id,
            user_id=1,
            ref=ref,
            verified=None,
            now=clock.now(),
            retry_at=retry_at,
        )
    )
    assert pending.status == "pending"
    async with db.read() as session:
        assert await store.pending_due(session, clock.now()) == []
        assert [v.id for v in await store.pending_due(session, retry_at)] == [pending.id]
        assert await store.next_retry(session) == retry_at
    verified = Verified("2" * 40, clock.now(), Checklist({"exists": "passed"}))
    stored = await db.write(lambda s: store.store_result(s, pending.id, verified, clock.now()))
    assert stored is not None and stored.status == "passed" and stored.sha == "2" * 40
    again = await db.write(
        lambda s: store.record(
            s,
            team_id=team.id,
            user_id=1,
            ref=ref,
            verified=verified,
            now=clock.now(),
            retry_at=None,
        )
    )
    # The replaced row is history: a late result for it is dropped.
    assert (
        await db.write(lambda s: store.store_result(s, pending.id, verified, clock.now())) is None
    )
    async with db.read() as session:
        assert (await store.current_of(session, team.id))["model"].id == again.id
    assert await db.write(lambda s: store.claim_late(s, again.id, "3" * 40)) is True
    assert await db.write(lambda s: store.claim_late(s, again.id, "3" * 40)) is False
    assert await db.write(lambda s: store.claim_late(s, again.id, "4" * 40)) is True
    assert await db.write(lambda s: store.claim_nudge(s, team.id, "48h", clock.now())) is True
    assert await db.write(lambda s: store.claim_nudge(s, team.id, "48h", clock.now())) is False
    assert await db.write(lambda s: store.claim_token_alert(s, clock.now())) is True
    assert (
        await db.write(lambda s: store.claim_token_alert(s, clock.now() + timedelta(minutes=59)))
        is False
    )
    assert (
        await db.write(lambda s: store.claim_token_alert(s, clock.now() + timedelta(hours=2)))
        is True
    )


async def test_team_and_current_and_recording_without_retiring(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    """The member's team and its current deliverables come from one read; a submission stored
    as the first of its kind (``retire=False``) is refused by the index of current deliverables
    when one was stored since, and nothing of it is kept."""
    rules = rules_of(settings)
    await create(db, rules, clock.now(), 1, "Los Tigres")
    async with db.read() as session:
        with pytest.raises(Forbidden):
            await store.team_and_current(session, 99)
        team, current = await store.team_and_current(session, 1)
    assert (team.name, current) == ("Los Tigres", {})
    checklist = Checklist({"exists": "passed", "card": "failed"}, {"card": {}})
    verified = Verified("5" * 40, clock.now(), checklist)

    def record(kind: str, repo: str, *, retire: bool) -> Any:
        return lambda s: store.record(
            s,
            team_id=team.id,
            user_id=1,
            ref=RepoRef(kind, repo),
            verified=verified,
            now=clock.now(),
            retry_at=None,
            retire=retire,
        )

    model = await db.write(record("model", "somosnlp/m", retire=False))
    dataset = await db.write(record("dataset", "somosnlp/d", retire=False))
    with pytest.raises(IntegrityError):
        await db.write(record("model", "somosnlp/other", retire=False))
    async with db.read() as session:
        team_again, current = await store.team_and_current(session, 1)
        history = await store.all_current(session, team.id, verified_only=False)
    # What record returned is what the database holds, field by field.
    assert team_again == team and current == {"dataset": dataset, "model": model}
    assert sorted(v.id for v in history) == sorted([model.id, dataset.id])
    assert model.status == "failed" and model.checks == checklist.checks
    assert model.details == {"card": {}} and model.sha == "5" * 40 and model.is_current
    newer = await db.write(record("model", "somosnlp/other", retire=True))
    async with db.read() as session:
        _, current = await store.team_and_current(session, 1)
    assert current == {"dataset": dataset, "model": newer}
