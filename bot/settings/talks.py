"""`[talks]` of config.toml: the Google Calendar of talks, its sync and the reminders."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator

from bot.settings.types import Duration, Section


class TalkSettings(Section):
    calendar_id: str = Field(min_length=1)
    api_endpoint: str | None = None
    sync_every: Duration = timedelta(minutes=5)
    reminders: list[Duration] = Field(
        default_factory=lambda: [timedelta(hours=24), timedelta(hours=1), timedelta(minutes=10)],
        max_length=6,
    )
    # A reminder claimed by a process that recorded no progress for this long (it died
    # mid-delivery) is taken over by the next run and finished from where it stopped.
    reminder_takeover: Duration = timedelta(minutes=2)
    discord_events: bool = True
    # Discord allows 100 scheduled or active events per server; talks take at most this many.
    max_discord_events: int = Field(default=100, ge=0, le=100)
    # A failed sync is retried after sync_every, then twice as long each time, up to this.
    retry_max: Duration = timedelta(hours=1)
    # Consecutive failed syncs before the organizers' channel hears of it (once per outage).
    alert_after: int = Field(default=3, ge=1, le=100)
    # Attempts of one Calendar request on 429/403 rate limits, 5xx and timeouts (1 s, 2 s, ...).
    calendar_retries: int = Field(default=3, ge=0, le=10)
    # How long one Calendar request may take before it counts as failed (and is retried).
    calendar_timeout: Duration = timedelta(seconds=10)
    # How many talks `/talks list` shows.
    list_size: int = Field(default=10, ge=1, le=25)

    @field_validator("reminder_takeover")
    @classmethod
    def _takeover(cls, value: timedelta) -> timedelta:
        if not timedelta(seconds=10) <= value <= timedelta(hours=1):
            raise ValueError("must be from 10s to 1h")
        return value

    @field_validator("reminders")
    @classmethod
    def _distinct_reminders(cls, value: list[timedelta]) -> list[timedelta]:
        if len(set(value)) != len(value):
            raise ValueError("each reminder offset must be different")
        return sorted(value, reverse=True)
