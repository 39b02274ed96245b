"""The checklist: each check of a deliverable passed, failed or warned, with what to fix.

Pure rules over :class:`RepoFacts`: no Hub, no database. ``details`` holds, per check that did
not pass, the parameters of its hint (the catalog key is ``submissions.hints.<check>`` or, when
a check has several causes, ``submissions.hints.<check>_<cause>``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from bot.models.submissions import CHECK_FAILED, CHECK_PASSED, CHECK_WARNED, FAILED, PASSED
from bot.services.submissions.facts import RepoFacts, data_files, first_text, is_adapter, texts
from bot.settings.submissions import SubmissionSettings

RUNNING_STAGES: Final = frozenset({"RUNNING", "RUNNING_BUILDING"})
HINTED_STAGES: Final = frozenset({"BUILDING", "RUNTIME_ERROR", "SLEEPING", "PAUSED"})
WEIGHT_SUFFIXES_OLD: Final = (".bin", ".pt", ".pth", ".ckpt")
_FRONT_MATTER: Final = re.compile(r"\A\ufeff?---\s*\n.*?\n---\s*(\n|\Z)", re.S)


@dataclass(frozen=True)
class Checklist:
    checks: dict[str, str]
    details: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return FAILED if CHECK_FAILED in self.checks.values() else PASSED

    @property
    def failed(self) -> list[str]:
        return [c for c, outcome in self.checks.items() if outcome == CHECK_FAILED]


@dataclass(frozen=True)
class Context:
    """What the checks need besides the repo: the rules and the team's other deliverables."""

    settings: SubmissionSettings
    organization: str
    deadline: datetime
    team_dataset: str | None = None
    team_model: str | None = None


def fold(text: str) -> str:
    """Case and accents do not count (``país_origen`` is ``pais_origen``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def card_body(card_text: str | None) -> str:
    """The card's text without its YAML metadata, spacing folded."""
    if not card_text:
        return ""
    body = _FRONT_MATTER.sub("", card_text, count=1)
    return " ".join(body.split())


def evaluate(facts: RepoFacts, ctx: Context) -> Checklist:
    applies = ctx.settings.checks_for(facts.ref.kind)
    if facts.missing is not None or facts.info is None:
        cause = facts.missing or "not_found"
        return Checklist({"exists": CHECK_FAILED}, {"exists": {"cause": cause}})
    checks: dict[str, str] = {}
    details: dict[str, dict[str, Any]] = {}
    for check in applies:
        outcome, detail = _RULES[check](facts, ctx)
        checks[check] = outcome
        if detail is not None and outcome != CHECK_PASSED:
            details[check] = detail
    return Checklist(checks, details)


Outcome = tuple[str, dict[str, Any] | None]


def _ok(condition: bool, detail: dict[str, Any] | None = None) -> Outcome:
    return (CHECK_PASSED, None) if condition else (CHECK_FAILED, detail or {})


def _exists(facts: RepoFacts, ctx: Context) -> Outcome:
    return CHECK_PASSED, None


def _public(facts: RepoFacts, ctx: Context) -> Outcome:
    assert facts.info is not None
    return _ok(not facts.info.private)


def _namespace(facts: RepoFacts, ctx: Context) -> Outcome:
    namespace = facts.ref.repo_id.split("/", 1)[0]
    return _ok(
        namespace.casefold() == ctx.organization.casefold(),
        {"namespace": namespace, "organization": ctx.organization},
    )


def _card(facts: RepoFacts, ctx: Context) -> Outcome:
    assert facts.info is not None
    return _ok("README.md" in facts.info.files)


def _license(facts: RepoFacts, ctx: Context) -> Outcome:
    assert facts.info is not None
    return _ok(bool(texts(facts.info.card_data.get("license"))))


def _language(facts: RepoFacts, ctx: Context) -> Outcome:
    assert facts.info is not None
    declared = [fold(v) for v in texts(facts.info.card_data.get("language"))]
    allowed = [fold(v) for v in ctx.settings.languages]
    return _ok(
        any(lang in allowed for lang in declared),
        {"allowed": ", ".join(ctx.settings.languages), "declared": ", ".join(declared) or "-"},
    )


def _card_length(facts: RepoFacts, ctx: Context) -> Outcome:
    length = len(card_body(facts.card_text))
    minimum = ctx.settings.min_card_chars
    return _ok(length >= minimum, {"count": minimum, "length": length})


def _deadline(facts: RepoFacts, ctx: Context) -> Outcome:
    if facts.first_commit_after is not None:
        late = (facts.first_commit_after - ctx.deadline).total_seconds()
        return CHECK_FAILED, {"late_seconds": int(late), "none_before": True}
    committed = facts.committed_at
    if committed is None or committed <= ctx.deadline:
        return CHECK_PASSED, None
    return CHECK_FAILED, {"late_seconds": int((committed - ctx.deadline).total_seconds())}


def _data_files(facts: RepoFacts, ctx: Context) -> Outcome:
    assert facts.info is not None
    found = data_files(facts.info, tuple(ctx.settings.data_formats))
    return _ok(bool(found), {"formats": ", ".join(ctx.settings.data_formats)})


def _columns(facts: RepoFacts, ctx: Context) -> Outcome:
    wanted = ctx.settings.columns
    if not wanted:
        return CHECK_PASSED, None
    if facts.columns is None:
        return CHECK_WARNED, {"unknown": True, "columns": ", ".join(wanted)}
    present = {fold(c) for c in facts.columns}
    missing = [c for c in wanted if fold(c) not in present]
    return _ok(not missing, {"missing": ", ".join(missing)})


def _weights(facts: RepoFacts, ctx: Context) -> Outcome:
    assert facts.info is not None
    files = [f.lower() for f in facts.info.files]
    if any(f.endswith(".safetensors") for f in files):
        return CHECK_PASSED, None
    if any(f.endswith(WEIGHT_SUFFIXES_OLD) for f in files):
        return CHECK_WARNED, {"old_format": True}
    return CHECK_FAILED, {}


def _config(facts: RepoFacts, ctx: Context) -> Outcome:
    assert facts.info is not None
    return _ok(bool({"config.json", "adapter_config.json"} & set(facts.info.files)))


def _size(facts: RepoFacts, ctx: Context) -> Outcome:
    assert facts.info is not None
    adapter = is_adapter(facts.info)
    parameters = facts.base_parameters if adapter else facts.info.parameters
    limit = ctx.settings.max_parameters
    if parameters is None:
        return CHECK_WARNED, {"unknown": True, "adapter": adapter, "limit": limit}
    return _ok(parameters <= limit, {"parameters": parameters, "limit": limit, "adapter": adapter})


def _base_model(facts: RepoFacts, ctx: Context) -> Outcome:
    assert facts.info is not None
    return _ok(first_text(facts.info.card_data.get("base_model")) is not None)


def _links_dataset(facts: RepoFacts, ctx: Context) -> Outcome:
    assert facts.info is not None
    if ctx.team_dataset is None:
        return CHECK_FAILED, {"no_dataset": True}
    listed = {fold(v) for v in texts(facts.info.card_data.get("datasets"))}
    return _ok(fold(ctx.team_dataset) in listed, {"dataset": ctx.team_dataset})


def _running(facts: RepoFacts, ctx: Context) -> Outcome:
    assert facts.info is not None
    stage = (facts.info.stage or "").upper()
    if stage in RUNNING_STAGES:
        return CHECK_PASSED, None
    return CHECK_FAILED, {"stage": stage if stage in HINTED_STAGES else "OTHER", "raw": stage}


def _links_model(facts: RepoFacts, ctx: Context) -> Outcome:
    assert facts.info is not None
    wanted = [r for r in (ctx.team_model, ctx.team_dataset) if r is not None]
    linked = {fold(r) for r in (*facts.info.linked_models, *facts.info.linked_datasets)}
    card = facts.info.card_data
    linked |= {fold(r) for r in (*texts(card.get("models")), *texts(card.get("datasets")))}
    if not wanted:
        return CHECK_FAILED, {"nothing_submitted": True}
    missing = [r for r in wanted if fold(r) not in linked]
    return _ok(not missing, {"missing": ", ".join(missing)})


_RULES: Final = {
    "exists": _exists,
    "public": _public,
    "namespace": _namespace,
    "card": _card,
    "license": _license,
    "language": _language,
    "card_length": _card_length,
    "deadline": _deadline,
    "data_files": _data_files,
    "columns": _columns,
    "weights": _weights,
    "config": _config,
    "size": _size,
    "base_model": _base_model,
    "links_dataset": _links_dataset,
    "running": _running,
    "links_model": _links_model,
}
