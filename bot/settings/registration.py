"""`[registration]` of config.toml: the sign-up lists and how members verify."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator

from bot.settings.types import Duration, NameOrId, Section


class RegistrationSettings(Section):
    # The channel holding the welcome message and its Verify button.
    welcome_channel: NameOrId = "bienvenida"
    # Eventbrite ticket types that make a participant (compared without case or accents).
    ticket_types: list[str] = Field(default_factory=lambda: ["Hackathon + Talleres"])
    # How members who cannot verify reach the organizers (shown as written).
    contact: str = Field("info@somosnlp.org", min_length=1, max_length=200)
    # Failed /verify attempts a member may make per window, then wait for the window to end.
    max_attempts: int = Field(5, ge=1, le=100)
    attempts_window: Duration = timedelta(hours=1)

    @field_validator("ticket_types")
    @classmethod
    def _some_ticket_type(cls, value: list[str]) -> list[str]:
        cleaned = [item.strip() for item in value if item.strip()]
        if not cleaned:
            raise ValueError("must list at least one Eventbrite ticket type")
        return cleaned
