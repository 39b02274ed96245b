"""`[leaderboard]` of config.toml: the boards, their schedules and publishing."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.settings.types import Duration, Section


class LeaderboardSettings(Section):
    post_every: Duration = timedelta(hours=24)
    top_n: int = Field(10, ge=1, le=25)
    results_dataset: str | None = None
