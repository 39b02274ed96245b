"""`[teams]` of config.toml: sizes, names, invitations and the team forum's tags."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator

from bot.settings.types import Duration, Section


class TeamSettings(Section):
    min_size: int = Field(1, ge=1, le=25)
    max_size: int = Field(5, ge=1, le=25)
    name_min_length: int = Field(3, ge=1, le=32)
    name_max_length: int = Field(32, ge=3, le=100)
    invitation_ttl: Duration = timedelta(hours=48)
    tag_recruiting: str = Field("buscamos gente", min_length=1, max_length=20)
    tag_full: str = Field("completo", min_length=1, max_length=20)
    tag_looking: str = Field("busco equipo", min_length=1, max_length=20)
    list_page_size: int = Field(10, ge=1, le=25)

    @model_validator(mode="after")
    def _sizes(self) -> TeamSettings:
        if self.min_size > self.max_size:
            raise ValueError("min_size must not exceed max_size")
        if self.name_min_length > self.name_max_length:
            raise ValueError("name_min_length must not exceed name_max_length")
        return self
