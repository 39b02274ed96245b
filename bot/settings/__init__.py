"""Typed settings: ``config.toml`` for the event, the environment for secrets.

Validated once at start-up; every problem is reported on its own line naming the file,
the key and what is allowed. Unknown keys are errors.
"""

from __future__ import annotations

import codecs
import difflib
import logging
import os
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from bot.settings.announcements import AnnouncementSettings
from bot.settings.leaderboard import LeaderboardSettings
from bot.settings.mentors import MentorSettings
from bot.settings.registration import RegistrationSettings
from bot.settings.submissions import SubmissionSettings
from bot.settings.talks import TalkSettings
from bot.settings.teams import TeamSettings
from bot.settings.types import (
    Duration,
    NameOrId,
    Section,
    TimeZoneName,
    UtcDateTime,
    toml_repr,
)

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/hackbot.db"
SUPPORTED_LOCALES = ("es", "en")


class EventSettings(Section):
    name: str = Field(min_length=1, max_length=100)
    hub_organization: str = Field(min_length=1, max_length=96)
    timezone: TimeZoneName = "Europe/Madrid"
    default_locale: Literal["es", "en"] = "es"
    starts_at: UtcDateTime
    team_deadline: UtcDateTime
    submission_deadline: UtcDateTime
    presentations_at: UtcDateTime | None = None
    winners_at: UtcDateTime | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The event's time zone (``event.timezone``), for features that show local times."""
        return ZoneInfo(self.timezone)

    @model_validator(mode="after")
    def _ordered(self) -> EventSettings:
        order = ("starts_at", "team_deadline", "submission_deadline")
        for earlier, later in pairwise(order):
            first, second = getattr(self, earlier), getattr(self, later)
            if first > second:
                raise ValueError(
                    f"event.{earlier} ({first.isoformat()}) is after event.{later} "
                    f"({second.isoformat()}); "
                    "event.starts_at <= event.team_deadline <= event.submission_deadline must hold"
                )
        return self


class DiscordSettings(Section):
    guild: NameOrId
    sync_commands: Literal["guild", "global"] = "guild"


def _distinct(section: str, values: Mapping[str, object], why: str) -> None:
    """Refuse two keys of ``section`` naming the same thing."""
    seen: dict[object, str] = {}
    for key, value in values.items():
        if value in seen:
            raise ValueError(
                f"{section}.{seen[value]} and {section}.{key} are both {toml_repr(value)}; "
                f"each must be a different {why}"
            )
        seen[value] = key


class RoleSettings(Section):
    participant: NameOrId
    mentor: NameOrId
    organizer: NameOrId
    # Opt-in role `/talks subscribe` gives; talk reminders mention it (and only it). Unset: no
    # role, reminders still go by DM to subscribers.
    talk_alerts: NameOrId | None = None

    @model_validator(mode="after")
    def _different_roles(self) -> RoleSettings:
        roles: dict[str, object] = {
            "participant": self.participant,
            "mentor": self.mentor,
            "organizer": self.organizer,
        }
        if self.talk_alerts is not None:
            roles["talk_alerts"] = self.talk_alerts
        _distinct(
            "roles", roles, "Discord role (members of one would pass the checks of the other)"
        )
        return self


class ChannelSettings(Section):
    announcements: NameOrId
    teams: NameOrId
    team_forum: NameOrId
    mentors: NameOrId
    talks: NameOrId
    leaderboard: NameOrId
    organizers: NameOrId

    @model_validator(mode="after")
    def _forum_apart(self) -> ChannelSettings:
        _distinct(
            "channels",
            {"teams": self.teams, "team_forum": self.team_forum},
            "channel (teams is a text channel, team_forum a forum channel)",
        )
        return self


class SchedulerSettings(Section):
    tick: Duration = timedelta(seconds=60)
    leader_retry: Duration = timedelta(seconds=15)

    @model_validator(mode="after")
    def _retry_under_a_minute(self) -> SchedulerSettings:
        if not timedelta(0) < self.leader_retry <= timedelta(seconds=60):
            raise ValueError("leader_retry must be more than 0s and at most 60s")
        return self


class Config(Section):
    event: EventSettings
    discord: DiscordSettings
    roles: RoleSettings
    channels: ChannelSettings
    teams: TeamSettings = TeamSettings()
    registration: RegistrationSettings = RegistrationSettings()
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
    # The key of the registration hashes (HMAC-SHA256 of each normalized email address).
    registration_secret: str | None = None

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
            registration_secret=env.get("REGISTRATION_SECRET") or None,
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


def read_config_text(path: Path) -> str:
    """The text of a config file, or a :class:`ConfigError` saying in one line why not.

    UTF-8 only; a UTF-8 byte order mark (as Windows editors write) is accepted and dropped."""
    if path.is_dir():
        raise ConfigError([f"{path}: is a directory; give the path of a config.toml file"])
    if path.exists() and not path.is_file():
        raise ConfigError([f"{path}: is not a regular file; give the path of a config.toml file"])
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except PermissionError:
        raise ConfigError([f"{path}: cannot be read (permission denied)"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read ({exc.strerror or exc})"]) from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ConfigError([f"{path}: is UTF-16 text; save it as UTF-8"])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            [f"{path}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"]
        ) from None


def load_config(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Config:
    path = Path(path)
    text = read_config_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    return parse_config(merge(data, overrides or {}), str(path))


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def load_settings(
    path: str | Path = "config.toml",
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    config = load_config(path, overrides)
    secrets = Secrets.from_env(env)
    if secrets.log_level not in LOG_LEVELS or not isinstance(
        logging.getLevelName(secrets.log_level), int
    ):
        raise ConfigError(
            [f"LOG_LEVEL: must be one of {', '.join(LOG_LEVELS)}, got {secrets.log_level!r}"]
        )
    return Settings(config=config, secrets=secrets, source=str(path))


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
        return f"{source}: {loc} is not a known key; {_known_keys(loc)}"
    if kind == "missing":
        return f"{source}: {loc} is required"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{source}: {loc} must be a table ([{loc}]), got {toml_repr(given)}"
    if kind in ("greater_than_equal", "less_than_equal") and isinstance(given, int):
        lo, hi = _bounds(loc)
        if lo is not None and hi is not None:
            return f"{source}: {loc} must be {lo}..{hi}, got {given!r}"
    if kind in _CONSTRAINTS:
        return f"{source}: {loc} {_CONSTRAINTS[kind].format(**ctx)}, got {toml_repr(given)}"
    message = str(err["msg"]).removeprefix("Value error, ")
    if loc and message.startswith(f"{loc}."):  # a check across keys names them itself
        return f"{source}: {message}"
    where = loc or "(top level)"
    if kind == "value_error" or isinstance(given, Mapping):
        return f"{source}: {where}: {message}"
    return f"{source}: {where}: {message}, got {toml_repr(given)}"


def _section_model(parts: list[str]) -> Any:
    """The settings model at ``parts`` (``[]`` is the whole file), or None."""
    model: Any = Config
    for part in parts:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        model = field.annotation
    return model if hasattr(model, "model_fields") else None


def _known_keys(loc: str) -> str:
    """The keys close to an unknown one, or every key of its table when none is close."""
    parts = loc.split(".")
    model = _section_model(parts[:-1])
    if model is None:
        return "it is not a table"
    known = list(model.model_fields)
    prefix = "".join(f"{part}." for part in parts[:-1])
    close = difflib.get_close_matches(parts[-1], known, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(prefix + name for name in close) + "?"
    table = f"[{'.'.join(parts[:-1])}]" if parts[:-1] else "the top level"
    return f"the keys of {table} are " + ", ".join(known)


def _bounds(loc: str) -> tuple[int | None, int | None]:
    """The ge/le bounds declared on a field, for "must be 1..25" messages."""
    parts = loc.split(".")
    model = _section_model(parts[:-1])
    field = None if model is None else model.model_fields.get(parts[-1])
    if field is None:
        return None, None
    lo = hi = None
    for meta in field.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi
