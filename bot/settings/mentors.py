"""`[mentors]` of config.toml: mentor sessions, bookings and the help queue."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.settings.types import Duration, Section


class MentorSettings(Section):
    session_length: Duration = timedelta(minutes=30)
    open_requests_per_team: int = Field(1, ge=1, le=10)
    reping_after: Duration = timedelta(minutes=15)
