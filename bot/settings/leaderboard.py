"""`[leaderboard]` of config.toml: the boards, their schedules and publishing."""

from __future__ import annotations

from datetime import UTC, timedelta

from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, field_validator

from bot.settings.types import Duration, Section

BOARDS = ("likes", "progress", "evaluation", "countries")


def cron_trigger(expression: str) -> CronTrigger:
    """The APScheduler trigger of a five-field crontab expression, in UTC."""
    return CronTrigger.from_crontab(expression, timezone=UTC)


class BoardSettings(Section):
    enabled: bool = False
    # Five crontab fields (minute hour day month weekday), in UTC.
    cron: str = "0 18 * * *"

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        try:
            cron_trigger(value)
        except ValueError as exc:
            raise ValueError(f"not a crontab expression ({exc})") from None
        return value


def _board() -> BoardSettings:
    return BoardSettings()


class LeaderboardSettings(Section):
    top_n: int = Field(10, ge=1, le=25)
    # A previous post younger than this is edited in place; an older one gets a fresh post.
    edit_within: Duration = timedelta(hours=1)
    # A scheduled time missed by longer than this (the bot was down) is not posted late.
    catch_up: Duration = timedelta(hours=1)
    likes: BoardSettings = Field(default_factory=_board)
    progress: BoardSettings = Field(default_factory=_board)
    evaluation: BoardSettings = Field(default_factory=_board)
    countries: BoardSettings = Field(default_factory=_board)
    # Hub dataset of evaluation results (one lm-evaluation-harness JSON file per model).
    results_dataset: str | None = None
    # Task -> metric key ("metric,filter") averaged by the evaluation board.
    tasks: dict[str, str] = Field(default_factory=dict)
    # Hub dataset repo that receives each scheduled board as CSV and JSON; unset: no publishing.
    publish_repo: str | None = None

    def board(self, name: str) -> BoardSettings:
        board: BoardSettings = getattr(self, name)
        return board

    def enabled_boards(self) -> list[str]:
        return [name for name in BOARDS if self.board(name).enabled]
