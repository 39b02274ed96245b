"""`[mentors]` of config.toml: mentor profiles, bookable sessions and the help queue."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator

from bot.settings.types import Duration, Section

DEFAULT_EXPERTISE = (
    "datasets",
    "fine-tuning",
    "evaluation",
    "prompting",
    "rag",
    "gradio",
    "deployment",
    "bias",
)


class MentorSettings(Section):
    # Tags a mentor's expertise is chosen from, and a request's topic.
    expertise: list[str] = Field(default_factory=lambda: list(DEFAULT_EXPERTISE))
    session_length: Duration = timedelta(minutes=30)
    max_session_length: Duration = timedelta(hours=4)
    max_repeat_weeks: int = Field(8, ge=1, le=52)
    bookings_per_team_per_day: int = Field(2, ge=1, le=20)
    open_requests_per_team: int = Field(1, ge=1, le=10)
    reping_after: Duration = timedelta(minutes=15)
    reminders: list[Duration] = Field(
        default_factory=lambda: [timedelta(hours=1), timedelta(minutes=10)]
    )
    # A reminder claimed by a process that recorded no progress for this long (it died
    # mid-delivery) is taken over by the next run and finished from where it stopped.
    reminder_takeover: Duration = timedelta(minutes=2)
    book_page_size: int = Field(25, ge=1, le=25)

    @field_validator("expertise")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        tags = [tag.strip().lower() for tag in value]
        if not tags or len(tags) > 25:
            raise ValueError("must list 1 to 25 expertise tags (a Discord choice list holds 25)")
        for tag in tags:
            if not tag or len(tag) > 32:
                raise ValueError(f"tags must be 1 to 32 characters, got {tag!r}")
        if len(set(tags)) != len(tags):
            raise ValueError("lists a tag twice")
        return tags

    @field_validator("reminder_takeover")
    @classmethod
    def _takeover(cls, value: timedelta) -> timedelta:
        if not timedelta(seconds=10) <= value <= timedelta(hours=1):
            raise ValueError("must be from 10s to 1h")
        return value

    @field_validator("reminders")
    @classmethod
    def _distinct(cls, value: list[timedelta]) -> list[timedelta]:
        if not value or len(value) > 5:
            raise ValueError("must list 1 to 5 reminder offsets")
        if len(set(value)) != len(value):
            raise ValueError("lists a reminder offset twice")
        return sorted(value, reverse=True)
