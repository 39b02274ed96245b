"""`[talks]` of config.toml: the Google Calendar of talks, its sync and the reminders."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.settings.types import Duration, Section


class TalkSettings(Section):
    calendar_id: str = Field(min_length=1)
    api_endpoint: str | None = None
    sync_every: Duration = timedelta(minutes=5)
    reminders: list[Duration] = Field(
        default_factory=lambda: [timedelta(hours=24), timedelta(hours=1), timedelta(minutes=10)]
    )
    discord_events: bool = True
