"""Typed settings: ``config.toml`` for the event, the environment for secrets.

Validated once at start-up; every problem is reported on its own line naming the file,
the key and what is allowed. Unknown keys are errors.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from bot.settings.teams import TeamSettings
from bot.settings.types import Duration, NameOrId, Section, UtcDateTime

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/hackbot.db"
SUPPORTED_LOCALES = ("es", "en")


class EventSettings(Section):
    name: str = Field(min_length=1, max_length=100)
    hub_organization: str = Field(min_length=1, max_length=96)
    timezone: str = "Europe/Madrid"
    default_locale: Literal["es", "en"] = "es"
    starts_at: UtcDateTime
    team_deadline: UtcDateTime
    submission_deadline: UtcDateTime
    presentations_at: UtcDateTime | None = None
    winners_at: UtcDateTime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> EventSettings:
        if not self.starts_at <= self.team_deadline <= self.submission_deadline:
            raise ValueError("starts_at <= team_deadline <= submission_deadline must hold")
        return self


class DiscordSettings(Section):
    guild: NameOrId
    sync_commands: Literal["guild", "global"] = "guild"


class RoleSettings(Section):
    participant: NameOrId
    mentor: NameOrId
    organizer: NameOrId


class ChannelSettings(Section):
    announcements: NameOrId
    teams: NameOrId
    team_forum: NameOrId
    mentors: NameOrId
    talks: NameOrId
    leaderboard: NameOrId
    organizers: NameOrId


class MentorSettings(Section):
    session_length: Duration = timedelta(minutes=30)
    open_requests_per_team: int = Field(1, ge=1, le=10)
    reping_after: Duration = timedelta(minutes=15)


class TalkSettings(Section):
    calendar_id: str = Field(min_length=1)
    api_endpoint: str | None = None
    sync_every: Duration = timedelta(minutes=5)
    reminders: list[Duration] = Field(
        default_factory=lambda: [timedelta(hours=24), timedelta(hours=1), timedelta(minutes=10)]
    )
    discord_events: bool = True


class SubmissionSettings(Section):
    hub_endpoint: str = "https://huggingface.co"
    max_parameters: int = Field(7_500_000_000, ge=1)
    min_card_chars: int = Field(200, ge=0)
    languages: list[str] = Field(default_factory=lambda: ["es", "ca", "eu", "gl"])
    dataset_suffixes: list[str] = Field(default_factory=lambda: ["-it", "-dpo"])
    hub_concurrency: int = Field(4, ge=1, le=32)


class LeaderboardSettings(Section):
    post_every: Duration = timedelta(hours=24)
    top_n: int = Field(10, ge=1, le=25)
    results_dataset: str | None = None


class AnnouncementSettings(Section):
    messages_per_second: float = Field(5.0, gt=0, le=40)


class SchedulerSettings(Section):
    tick: Duration = timedelta(seconds=60)


class Config(Section):
    event: EventSettings
    discord: DiscordSettings
    roles: RoleSettings
    channels: ChannelSettings
    teams: TeamSettings = TeamSettings()
    mentors: MentorSettings = MentorSettings()
    talks: TalkSettings
    submissions: SubmissionSettings = SubmissionSettings()
    leaderboard: LeaderboardSettings = LeaderboardSettings()
    announcements: AnnouncementSettings = AnnouncementSettings()
    scheduler: SchedulerSettings = SchedulerSettings()


class Secrets(BaseModel):
    """Values that never live in config.toml."""

    model_config = ConfigDict(frozen=True)

    discord_token: str | None = None
    hf_token: str | None = None
    google_credentials: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    log_level: str = "INFO"

    def __repr__(self) -> str:  # never print a secret by accident
        return f"Secrets(database_url={redact_url(self.database_url)!r})"

    __str__ = __repr__

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Secrets:
        env = os.environ if env is None else env
        return cls(
            discord_token=env.get("DISCORD_TOKEN") or None,
            hf_token=env.get("HF_TOKEN") or None,
            google_credentials=env.get("GOOGLE_APPLICATION_CREDENTIALS") or None,
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
        )


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    config: Config
    secrets: Secrets
    source: str = "config.toml"


class ConfigError(Exception):
    """Settings that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def redact_url(url: str) -> str:
    """Hide the password of a database URL."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``override`` into ``base`` (tables merge, values replace)."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def parse_config(data: Mapping[str, Any], source: str = "config.toml") -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([_describe(source, err) for err in exc.errors()]) from None


def load_config(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Config:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    return parse_config(merge(data, overrides or {}), str(path))


def load_settings(
    path: str | Path = "config.toml",
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    return Settings(
        config=load_config(path, overrides), secrets=Secrets.from_env(env), source=str(path)
    )


_CONSTRAINTS = {
    "greater_than_equal": "must be >= {ge}",
    "less_than_equal": "must be <= {le}",
    "greater_than": "must be > {gt}",
    "less_than": "must be < {lt}",
    "string_too_short": "must have at least {min_length} characters",
    "string_too_long": "must have at most {max_length} characters",
}


def _describe(source: str, err: Any) -> str:
    loc = ".".join(str(part) for part in err["loc"] if not str(part).startswith("function-"))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    given = err.get("input")
    if kind == "extra_forbidden":
        return f"{source}: {loc} is not a known key"
    if kind == "missing":
        return f"{source}: {loc} is required"
    if kind in ("greater_than_equal", "less_than_equal") and isinstance(given, int):
        lo, hi = _bounds(loc)
        if lo is not None and hi is not None:
            return f"{source}: {loc} must be {lo}..{hi}, got {given!r}"
    if kind in _CONSTRAINTS:
        return f"{source}: {loc} {_CONSTRAINTS[kind].format(**ctx)}, got {given!r}"
    message = str(err["msg"]).removeprefix("Value error, ")
    where = loc or "(top level)"
    if kind == "value_error" or isinstance(given, Mapping):
        return f"{source}: {where}: {message}"
    return f"{source}: {where}: {message}, got {given!r}"


def _bounds(loc: str) -> tuple[int | None, int | None]:
    """The ge/le bounds declared on a field, for "must be 1..25" messages."""
    parts = loc.split(".")
    model: Any = Config
    for part in parts[:-1]:
        field = model.model_fields.get(part)
        if field is None:
            return None, None
        model = field.annotation
    field = getattr(model, "model_fields", {}).get(parts[-1])
    if field is None:
        return None, None
    lo = hi = None
    for meta in field.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi
