"""`[announcements]` of config.toml: organizer broadcasts, DM fan-out and countdowns."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.settings.types import Duration, Section


class AnnouncementSettings(Section):
    # DMs sent per second by the fan-out queue. A DM to someone the bot has not written to yet
    # costs two requests (opening the DM channel, then the message) and Discord allows 50
    # requests per second in all: 20 DMs a second leaves room for everything else.
    messages_per_second: float = Field(5.0, gt=0, le=20)
    # Whether organizers may ping @everyone; off, the audience is at most a role.
    allow_everyone: bool = False
    # Posted in the announcements channel this long before event.submission_deadline.
    countdown: list[Duration] = Field(
        default_factory=lambda: [timedelta(days=7), timedelta(days=1), timedelta(hours=1)],
        max_length=10,
    )
    # How many announcements `announce list` shows.
    list_limit: int = Field(10, ge=1, le=25)
