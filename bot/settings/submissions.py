"""`[submissions]` of config.toml: which checks apply to a deliverable and their thresholds."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from pydantic import Field, field_validator, model_validator

from bot.settings.types import Duration, Section, toml_repr

# Stable check ids, in the order they run, per kind of deliverable.
COMMON_CHECKS: Final = (
    "exists",
    "public",
    "namespace",
    "card",
    "license",
    "language",
    "card_length",
    "deadline",
)
KIND_CHECKS: Final[dict[str, tuple[str, ...]]] = {
    "dataset": (*COMMON_CHECKS, "data_files", "columns"),
    "model": (*COMMON_CHECKS, "weights", "config", "size", "base_model", "links_dataset"),
    "space": (*COMMON_CHECKS, "running", "links_model"),
}
ALL_CHECKS: Final = frozenset(c for checks in KIND_CHECKS.values() for c in checks)
DATA_FORMATS: Final = ("parquet", "jsonl", "json", "csv", "arrow")


class SubmissionSettings(Section):
    hub_endpoint: str = "https://huggingface.co"
    # Hub requests in flight at once, each in a thread of the adapter's own. The Hub limits
    # requests per window (the budget below), not requests in flight: at about 100 ms a
    # request, 4 at once would answer a deadline rush of 167 submissions (2 requests each) in
    # 8 s, 8 at once in about 4 s.
    hub_concurrency: int = Field(8, ge=1, le=32)
    # The Hub allows 1,000 API calls per 5 minutes with a token; the adapter stays under this.
    hub_budget: int = Field(900, ge=1, le=100_000)
    hub_budget_window: Duration = timedelta(minutes=5)
    # How long one Hub request may take before it counts as failed (and is retried).
    hub_timeout: Duration = timedelta(seconds=10)
    max_parameters: int = Field(7_500_000_000, ge=1)
    min_card_chars: int = Field(200, ge=0)
    languages: list[str] = Field(default_factory=lambda: ["es", "ca", "eu", "gl"], min_length=1)
    data_formats: list[str] = Field(default_factory=lambda: list(DATA_FORMATS), min_length=1)
    columns: list[str] = Field(
        default_factory=lambda: [
            "pregunta",
            "respuesta",
            "idioma",
            "registro",
            "periodo",
            "dominio",
            "tarea",
            "pais_origen",
            "pais_referencia",
        ]
    )
    disabled_checks: list[str] = Field(default_factory=list)
    retry_every: Duration = timedelta(minutes=5)
    reverify_every: Duration = timedelta(hours=6)
    nudges: list[Duration] = Field(
        default_factory=lambda: [timedelta(hours=48), timedelta(hours=24), timedelta(hours=3)]
    )

    @field_validator("data_formats")
    @classmethod
    def _formats(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in DATA_FORMATS]
        if unknown:
            raise ValueError(
                f"unknown data format(s) {toml_repr(unknown)}; "
                f"use some of {toml_repr(list(DATA_FORMATS))}"
            )
        return value

    @field_validator("disabled_checks")
    @classmethod
    def _checks(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in ALL_CHECKS]
        if unknown:
            raise ValueError(
                f"unknown check id(s) {toml_repr(unknown)}; use some of "
                f"{toml_repr(sorted(ALL_CHECKS))}"
            )
        if "exists" in value:
            raise ValueError("the check 'exists' cannot be disabled: every other check needs it")
        return value

    @model_validator(mode="after")
    def _distinct_nudges(self) -> SubmissionSettings:
        if len(set(self.nudges)) != len(self.nudges):
            raise ValueError("submissions.nudges must not repeat a duration")
        return self

    def checks_for(self, kind: str) -> tuple[str, ...]:
        """The check ids that apply to ``kind``, in order."""
        return tuple(c for c in KIND_CHECKS[kind] if c not in self.disabled_checks)
