"""`[announcements]` of config.toml: organizer broadcasts, DM fan-out and countdowns."""

from __future__ import annotations

from pydantic import Field

from bot.settings.types import Section


class AnnouncementSettings(Section):
    messages_per_second: float = Field(5.0, gt=0, le=40)
