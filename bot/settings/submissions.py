"""`[submissions]` of config.toml: which checks apply to a deliverable and their thresholds."""

from __future__ import annotations

from pydantic import Field

from bot.settings.types import Section


class SubmissionSettings(Section):
    hub_endpoint: str = "https://huggingface.co"
    max_parameters: int = Field(7_500_000_000, ge=1)
    min_card_chars: int = Field(200, ge=0)
    languages: list[str] = Field(default_factory=lambda: ["es", "ca", "eu", "gl"])
    dataset_suffixes: list[str] = Field(default_factory=lambda: ["-it", "-dpo"])
    hub_concurrency: int = Field(4, ge=1, le=32)
