"""Every check passing and failing through `/submit`, with the hint the member reads.

Each test resubmits variants of one deliverable in one sandbox: a resubmission replaces that kind
for the team and keeps the history, so each variant's row is the current one."""

from __future__ import annotations

from typing import Any

import pytest

from bot.discord.submissions import hint
from bot.i18n import Message
from sandbox.harness import Sandbox
from tests.integration.replies import expected
from tests.integration.submissions_support import (
    COLUMNS,
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
from tests.integration.teams_support import ok


async def submit_variant(
    sandbox: Sandbox, kind: str, repo_id: str, fields: dict[str, Any] | None
) -> tuple[dict[str, str], dict[str, Any], str]:
    """Put ``fields`` on a fresh copy of the team's passing repo, submit it, and return the
    stored checks, their details and the reply's text."""
    base = {"dataset": DATASET, "model": MODEL, "space": SPACE}[kind]
    if fields is not None:
        source = sandbox.hub.get(base, kind)
        assert source is not None
        copy = {
            "card": source.card,
            "files": list(source.files),
            "rows": dict(source.rows),
            "parameters": source.parameters,
            **({"stage": source.stage} if kind == "space" else {}),
        }
        copy.update(fields)
        sandbox.hub.set(repo_id, copy, kind=kind)
    outcome = ok(await sandbox.run("ana", "submit", {kind: repo_id}))
    row = (await by_kind(sandbox))[kind]
    assert row.repo_id == repo_id
    return row.checks, row.details, text_of(outcome)


def assert_only(checks: dict[str, str], outcome: str, *names: str) -> None:
    bad = {c for c, o in checks.items() if o == outcome}
    assert bad == set(names), checks


def shows_hint(text: str, check: str, details: dict[str, Any], outcome: str = "failed") -> None:
    line = Message(
        "submissions.checklist.line_hint",
        icon=Message(f"submissions.outcome.{outcome}"),
        name=Message(f"submissions.checks.{check}"),
        hint=hint(check, details[check]),
    )
    assert plain(expected(line.key, **line.params)) in text, (check, text)


DATASET_CASES: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("somosnlp/privado-it", {"private": True}, ("public",)),
    ("otraorg/corpus-it", {}, ("namespace",)),
    ("somosnlp/sin-licencia", {"card": card(language="[es]")}, ("license",)),
    ("somosnlp/en-ingles", {"card": card(license="mit", language="[en]")}, ("language",)),
    (
        "somosnlp/corto",
        {"card": "---\nlicense: mit\nlanguage: [es]\n---\n# Corto\n"},
        ("card_length",),
    ),
    (
        "somosnlp/sin-tarjeta",
        {"card": None},
        ("card", "license", "language", "card_length"),
    ),
    ("somosnlp/sin-datos", {"files": ["notas.txt"], "rows": {}}, ("data_files", "columns")),
    (
        "somosnlp/pocas-columnas",
        {"rows": {"data/train.jsonl": [{"pregunta": "a", "respuesta": "b"}]}},
        ("columns",),
    ),
]


async def test_dataset_checks_fail_one_by_one(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    checks, _, _ = await submit_variant(sandbox, "dataset", DATASET, None)
    assert list(checks) == [
        "exists",
        "public",
        "namespace",
        "card",
        "license",
        "language",
        "card_length",
        "deadline",
        "data_files",
        "columns",
    ]
    assert set(checks.values()) == {"passed"}
    for repo_id, fields, failing in DATASET_CASES:
        checks, details, text = await submit_variant(sandbox, "dataset", repo_id, fields)
        failed = failing
        if "columns" in failing and "data_files" in failing:
            assert checks["columns"] == "warned"  # no data file to read the columns from
            failed = ("data_files",)
        assert_only(checks, "failed", *failed)
        for check in failed:
            shows_hint(text, check, details)
    history = await rows(sandbox, current_only=False)
    assert len(history) == 1 + len(DATASET_CASES)
    assert [r.is_current for r in history].count(True) == 1


async def test_dataset_columns_from_the_card_or_unknown(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    features = "\n".join(f"    - name: {c}\n      dtype: string" for c in COLUMNS)
    meta = f"---\nlicense: mit\nlanguage: [es]\ndataset_info:\n  features:\n{features}\n---\n"
    checks, _, _ = await submit_variant(
        sandbox,
        "dataset",
        "somosnlp/parquet-con-info",
        {"card": meta + card().split("---\n", 2)[2], "files": ["data/train.parquet"], "rows": {}},
    )
    assert set(checks.values()) == {"passed"}
    checks, details, text = await submit_variant(
        sandbox, "dataset", "somosnlp/parquet", {"files": ["data/train.parquet"], "rows": {}}
    )
    assert_only(checks, "warned", "columns")
    shows_hint(text, "columns", details, "warned")
    assert (await by_kind(sandbox))["dataset"].status == "passed"  # a warning does not fail


MODEL_CASES: list[tuple[str, dict[str, Any], tuple[str, ...], str]] = [
    ("somosnlp/sin-pesos", {"files": ["config.json"]}, ("weights",), "failed"),
    ("somosnlp/pesos-bin", {"files": ["config.json", "pytorch_model.bin"]}, ("weights",), "warned"),
    ("somosnlp/sin-config", {"files": ["model.safetensors"]}, ("config",), "failed"),
    ("somosnlp/enorme", {"parameters": 13_000_000_000}, ("size",), "failed"),
    (
        "somosnlp/sin-metadatos",
        {"files": ["config.json", "model.bin"], "parameters": None},
        ("weights", "size"),
        "warned",
    ),
    (
        "somosnlp/sin-base",
        {"card": card(license="mit", language="[es]", datasets=f"[{DATASET}]")},
        ("base_model",),
        "failed",
    ),
    (
        "somosnlp/otro-dataset",
        {"card": card(license="mit", language="[es]", datasets="[x/y]", base_model="a/b")},
        ("links_dataset",),
        "failed",
    ),
]


async def test_model_checks_fail_or_warn_one_by_one(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    ok(await sandbox.run("ana", "submit", {"dataset": DATASET}))
    checks, _, _ = await submit_variant(sandbox, "model", MODEL, None)
    assert set(checks.values()) == {"passed"}
    for repo_id, fields, bad, outcome in MODEL_CASES:
        checks, details, text = await submit_variant(sandbox, "model", repo_id, fields)
        assert_only(checks, outcome, *bad)
        for check in bad:
            shows_hint(text, check, details, outcome)


async def test_adapter_size_comes_from_its_base_model(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    ok(await sandbox.run("ana", "submit", {"dataset": DATASET}))
    sandbox.hub.set("mistralai/Mistral-7B-v0.1", {"parameters": 7_241_732_096}, kind="model")
    adapter = ["adapter_config.json", "adapter_model.safetensors"]
    checks, _, _ = await submit_variant(
        sandbox, "model", "somosnlp/tigre-lora", {"files": adapter, "parameters": 4_000_000}
    )
    assert set(checks.values()) == {"passed"}
    sandbox.hub.set("meta/Grande-70B", {"parameters": 70_000_000_000}, kind="model")
    big = card(
        license="mit", language="[es]", datasets=f"[{DATASET}]", base_model="meta/Grande-70B"
    )
    checks, details, text = await submit_variant(
        sandbox, "model", "somosnlp/lora-grande", {"files": adapter, "card": big}
    )
    assert_only(checks, "failed", "size")
    shows_hint(text, "size", details)
    unknown = card(license="mit", language="[es]", datasets=f"[{DATASET}]", base_model="x/nada")
    checks, details, text = await submit_variant(
        sandbox, "model", "somosnlp/lora-perdido", {"files": adapter, "card": unknown}
    )
    assert_only(checks, "warned", "size")
    shows_hint(text, "size", details, "warned")


@pytest.mark.parametrize("stage", ["BUILDING", "RUNTIME_ERROR", "SLEEPING", "PAUSED", "STOPPED"])
async def test_space_not_running_has_a_hint_per_stage(sandbox: Sandbox, stage: str) -> None:
    await team_with_hub(sandbox)
    ok(await sandbox.run("ana", "submit", {"dataset": DATASET, "model": MODEL}))
    checks, details, text = await submit_variant(sandbox, "space", SPACE, {"stage": stage})
    assert_only(checks, "failed", "running")
    shows_hint(text, "running", details)
    key = hint("running", details["running"]).key
    assert key == f"submissions.hints.running_{stage.lower() if stage != 'STOPPED' else 'other'}"


async def test_space_links_model_and_dataset(sandbox: Sandbox) -> None:
    await team_with_hub(sandbox)
    checks, details, text = await submit_variant(sandbox, "space", SPACE, None)
    assert_only(checks, "failed", "links_model")  # nothing else of the team submitted yet
    shows_hint(text, "links_model", details)
    ok(await sandbox.run("ana", "submit", {"dataset": DATASET, "model": MODEL}))
    checks, _, _ = await submit_variant(sandbox, "space", SPACE, None)
    assert set(checks.values()) == {"passed"}
    only_model = card(license="mit", language="[es]", models=f"[{MODEL}]")
    checks, details, text = await submit_variant(
        sandbox, "space", "somosnlp/demo-a-medias", {"card": only_model}
    )
    assert_only(checks, "failed", "links_model")
    assert details["links_model"] == {"missing": DATASET}
    shows_hint(text, "links_model", details)
