"""`[teams]` of config.toml: sizes, names, invitations and the team forum's tags."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator

from bot.settings.types import Duration, NonNegativeDuration, Section, toml_repr


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
    # Limits per member ("0s" turns a cooldown off); see docs/reliability.md, "Trust".
    invitation_overbooking: int = Field(0, ge=0, le=100)
    reinvite_cooldown: NonNegativeDuration = timedelta(hours=24)
    join_request_cooldown: NonNegativeDuration = timedelta(hours=1)
    create_cooldown: NonNegativeDuration = timedelta(minutes=10)
    lft_post_cooldown: NonNegativeDuration = timedelta(minutes=5)

    @model_validator(mode="after")
    def _sizes(self) -> TeamSettings:
        if self.min_size > self.max_size:
            raise ValueError(
                f"teams.min_size ({self.min_size}) must not exceed teams.max_size ({self.max_size})"
            )
        if self.name_min_length > self.name_max_length:
            raise ValueError(
                f"teams.name_min_length ({self.name_min_length}) must not exceed "
                f"teams.name_max_length ({self.name_max_length})"
            )
        return self

    @model_validator(mode="after")
    def _distinct_tags(self) -> TeamSettings:
        seen: dict[str, str] = {}
        for key in ("tag_recruiting", "tag_full", "tag_looking"):
            name = getattr(self, key).strip()
            if name in seen:
                raise ValueError(
                    f"teams.{seen[name]} and teams.{key} are both {toml_repr(name)}; each forum "
                    "tag must have its own name, or the posts they mark cannot be told apart"
                )
            seen[name] = key
        return self
